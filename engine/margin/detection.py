"""Vectorized breach detection: frames in, evidence rows and one candidate alert per key out.

Inputs (frames.py has the exact dtypes; extra columns are ignored):

- priced sales (PRICED_SALES_SCHEMA): one sale/observation row `row_id` of `dealer_id`, `sku_id`,
  `channel_id` with `advertised_price`, `transaction_price` (either may be null = not observed),
  `qty` ≥ 0, `observed_at`, plus the floors the price resolver gave for that row: `map_floor`,
  `map_rule_id`, `mrp_floor`, `mrp_rule_id` (null floor = no rule, no breach). See floors.py.
- snapshots (SNAPSHOT_SCHEMA): competitor price snapshots `snapshot_id`, `competitor_id`,
  `sku_id`, `price`, `observed_at` — the caller passes the window it wants judged.
- our prices (OUR_PRICE_SCHEMA): one reference price per `sku_id` (`our_price`) and the price rule
  that set it (`our_price_rule_id`).
- inventory (INVENTORY_SCHEMA): aging rows `row_id`, `dealer_id` (holder), `sku_id`, `qty`,
  `unit_cost`, `received_at`.

Outputs (`Detection`):

- `evidence` (EVIDENCE_SCHEMA): one row per evidence row that triggered a rule, with its floor,
  floor rule id, watched price, per-row impact and depth; sorted by rule, dealer, sku, observed_at,
  evidence_id.
- `alerts` (ALERT_SCHEMA): one candidate per (rule, dealer_id, sku_id), sorted by those keys, with
  the sorted evidence ids, the floor and floor rule of the latest evidence row, impact, worst price,
  deepest breach, severity, first/last seen. For an undercut `dealer_id` is the competitor's
  organization id, `floor` is our price and `units` the SKU's units in the scan.

Rules: MAP breach = advertised_price < map_floor; MRP breach = transaction_price < mrp_floor;
undercut and dead stock as in impact.py. Impact: lost margin and carrying value sum over rows;
undercut exposure is the largest row value (the lowest snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import polars as pl

from engine.errors import ValidationFailed
from engine.margin.frames import (
    ALERT_SCHEMA,
    DEAD_STOCK,
    EVIDENCE_SCHEMA,
    INVENTORY_SCHEMA,
    MAP_BREACH,
    MONEY,
    MRP_BREACH,
    OUR_PRICE_SCHEMA,
    PRICED_SALES_SCHEMA,
    SNAPSHOT_SCHEMA,
    UNDERCUT,
    conform,
    refuse_negative_qty,
)
from engine.margin.impact import depth_expr, row_loss_expr, undercut_mask_expr, undercut_rate
from engine.margin.severity import SeverityPolicy, severity_expr

_WATCHED = {
    MAP_BREACH: ("advertised_price", "map_floor", "map_rule_id"),
    MRP_BREACH: ("transaction_price", "mrp_floor", "mrp_rule_id"),
}


@dataclass(frozen=True, slots=True)
class DetectionConfig:
    """Tenant parameters of a scan."""

    undercut_pct: Decimal = Decimal("5")
    dead_stock_days: int = 90
    severity: SeverityPolicy = field(default_factory=SeverityPolicy)

    def __post_init__(self) -> None:
        undercut_rate(self.undercut_pct)
        if self.dead_stock_days < 0:
            raise ValidationFailed("dead-stock age must be ≥ 0 days", fields={"dead_stock_days": "negative"})


@dataclass(frozen=True, slots=True)
class Detection:
    evidence: pl.DataFrame
    alerts: pl.DataFrame


def _evidence(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.select([pl.col(c).cast(t) for c, t in EVIDENCE_SCHEMA.items()])


def price_breach_evidence(priced_sales: pl.LazyFrame, rule: str) -> pl.LazyFrame:
    """Rows whose watched price is below the floor (a null price or floor never breaches)."""
    price, floor, rule_id = _WATCHED[rule]
    return _evidence(
        priced_sales.filter(pl.col(price) < pl.col(floor)).select(
            pl.lit(rule).alias("rule"),
            "dealer_id",
            "sku_id",
            pl.col("row_id").alias("evidence_id"),
            "observed_at",
            "qty",
            pl.col(floor).alias("floor"),
            pl.col(rule_id).alias("floor_rule_id"),
            pl.col(price).alias("price"),
            row_loss_expr("qty", floor, price).alias("impact"),
            depth_expr(floor, price).alias("depth_pct"),
            pl.lit(None, dtype=pl.Int64).alias("age_days"),
        )
    )


UNITS_SCHEMA: dict[str, pl.DataType] = {"sku_id": pl.String(), "units": pl.Int64()}


def sku_units(sales: pl.LazyFrame) -> pl.LazyFrame:
    """Units sold per SKU in the scan (what an undercut is valued on)."""
    return sales.group_by("sku_id").agg(pl.col("qty").sum().cast(pl.Int64).alias("units"))


def undercut_evidence(
    snapshots: pl.LazyFrame,
    our_prices: pl.LazyFrame,
    sales: pl.LazyFrame | None,
    pct: Decimal,
    units: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Snapshots below our price by more than `pct` percent, valued on the SKU's units in the scan
    (`units`, one row per sku_id, when the caller counted them without loading the sale rows)."""
    if units is None:
        units = pl.LazyFrame(schema=UNITS_SCHEMA) if sales is None else sku_units(sales)
    joined = (
        snapshots.join(our_prices, on="sku_id", how="inner")
        .filter(undercut_mask_expr("our_price", "price", pct))
        .join(units, on="sku_id", how="left")
        .with_columns(pl.col("units").fill_null(0))
    )
    return _evidence(
        joined.select(
            pl.lit(UNDERCUT).alias("rule"),
            pl.col("competitor_id").alias("dealer_id"),
            "sku_id",
            pl.col("snapshot_id").alias("evidence_id"),
            "observed_at",
            pl.col("units").alias("qty"),
            pl.col("our_price").alias("floor"),
            pl.col("our_price_rule_id").alias("floor_rule_id"),
            "price",
            row_loss_expr("units", "our_price", "price").alias("impact"),
            depth_expr("our_price", "price").alias("depth_pct"),
            pl.lit(None, dtype=pl.Int64).alias("age_days"),
        )
    )


def dead_stock_evidence(inventory: pl.LazyFrame, as_of: datetime, days: int) -> pl.LazyFrame:
    """Inventory received at least `days` whole days before `as_of`, valued at cost."""
    at = pl.lit(as_of).cast(PRICED_SALES_SCHEMA["observed_at"])
    return _evidence(
        inventory.filter(pl.col("received_at") <= at - pl.duration(days=days)).select(
            pl.lit(DEAD_STOCK).alias("rule"),
            "dealer_id",
            "sku_id",
            pl.col("row_id").alias("evidence_id"),
            pl.col("received_at").alias("observed_at"),
            "qty",
            pl.lit(None, dtype=MONEY).alias("floor"),
            pl.lit(None, dtype=pl.String).alias("floor_rule_id"),
            pl.col("unit_cost").alias("price"),
            (pl.col("qty").cast(MONEY) * pl.col("unit_cost")).alias("impact"),
            pl.lit(None, dtype=MONEY).alias("depth_pct"),
            (at - pl.col("received_at")).dt.total_days().alias("age_days"),
        )
    )


def alerts_from_evidence(evidence: pl.LazyFrame, policy: SeverityPolicy) -> pl.LazyFrame:
    """Aggregate evidence rows into one candidate per (rule, dealer_id, sku_id)."""
    latest = ["observed_at", "evidence_id"]
    is_undercut = pl.col("rule").first() == UNDERCUT
    return (
        evidence.group_by("rule", "dealer_id", "sku_id")
        .agg(
            pl.col("evidence_id").sort().alias("evidence_ids"),
            pl.len().cast(pl.Int64).alias("rows"),
            pl.when(is_undercut).then(pl.col("qty").max()).otherwise(pl.col("qty").sum()).alias("units"),
            pl.col("floor").sort_by(latest).last().alias("floor"),
            pl.col("floor_rule_id").sort_by(latest).last().alias("floor_rule_id"),
            pl.col("price").min().alias("worst_price"),
            pl.when(is_undercut).then(pl.col("impact").max()).otherwise(pl.col("impact").sum()).alias("impact"),
            pl.col("depth_pct").max().alias("max_depth_pct"),
            pl.col("observed_at").min().alias("first_seen"),
            pl.col("observed_at").max().alias("last_seen"),
        )
        .with_columns(severity_expr("impact", "max_depth_pct", policy).alias("severity"))
        .select([pl.col(c).cast(t) for c, t in ALERT_SCHEMA.items()])
        .sort("rule", "dealer_id", "sku_id")
    )


def detect(
    priced_sales: pl.DataFrame | None = None,
    *,
    snapshots: pl.DataFrame | None = None,
    our_prices: pl.DataFrame | None = None,
    inventory: pl.DataFrame | None = None,
    as_of: datetime | None = None,
    config: DetectionConfig | None = None,
    units: pl.DataFrame | None = None,
) -> Detection:
    """Run every rule whose inputs are given; the optional workflows simply get no frame.

    `units` (sku_id, units): the units per SKU that undercuts are valued on, when the scan of the
    snapshots is done without the sale rows (a detection job splits the two); by default they are
    summed from `priced_sales`."""
    config = config or DetectionConfig()
    parts: list[pl.LazyFrame] = []
    sales_lf = None
    if priced_sales is not None:
        sales = conform(priced_sales, PRICED_SALES_SCHEMA, "sales")
        refuse_negative_qty(sales, "sales")
        sales_lf = sales.lazy()
        parts += [price_breach_evidence(sales_lf, MAP_BREACH), price_breach_evidence(sales_lf, MRP_BREACH)]
    if snapshots is not None:
        if our_prices is None:
            raise ValidationFailed("an undercut scan needs our prices", fields={"our_prices": "missing"})
        ours = conform(our_prices, OUR_PRICE_SCHEMA, "our_prices")
        if ours.get_column("sku_id").is_duplicated().any():
            raise ValidationFailed(
                "our_prices has more than one price per sku", fields={"our_prices.sku_id": "duplicate"}
            )
        snaps = conform(snapshots, SNAPSHOT_SCHEMA, "snapshots")
        counted = None if units is None else conform(units, UNITS_SCHEMA, "units").lazy()
        parts.append(undercut_evidence(snaps.lazy(), ours.lazy(), sales_lf, config.undercut_pct, counted))
    if inventory is not None:
        if as_of is None or as_of.tzinfo is None:
            raise ValidationFailed("a dead-stock scan needs a timezone-aware as_of", fields={"as_of": "required"})
        inv = conform(inventory, INVENTORY_SCHEMA, "inventory")
        refuse_negative_qty(inv, "inventory")
        parts.append(dead_stock_evidence(inv.lazy(), as_of, config.dead_stock_days))
    if not parts:
        empty = pl.LazyFrame(schema=EVIDENCE_SCHEMA)
        parts.append(empty)
    evidence_lf = pl.concat(parts).sort("rule", "dealer_id", "sku_id", "observed_at", "evidence_id")
    evidence, alerts = pl.collect_all([evidence_lf, alerts_from_evidence(evidence_lf, config.severity)])
    return Detection(evidence=evidence, alerts=alerts)
