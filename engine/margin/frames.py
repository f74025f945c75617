"""Frame contracts of the margin engine: input and output schemas, and one conforming check.

Money is Decimal(38,10) everywhere (a float column is refused, never cast: it has already lost
cents); instants are timezone-aware UTC. docs/margin.md describes every column.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from engine.errors import ValidationFailed

MONEY = pl.Decimal(38, 10)
INSTANT = pl.Datetime("us", "UTC")

# Rule codes; an alert is keyed by (dealer_id, sku_id, rule).
MAP_BREACH = "map_breach"
MRP_BREACH = "mrp_breach"
UNDERCUT = "competitor_undercut"
DEAD_STOCK = "dead_stock"
RULES = (MAP_BREACH, MRP_BREACH, UNDERCUT, DEAD_STOCK)
PRICE_RULES = frozenset({MAP_BREACH, MRP_BREACH})

SALES_SCHEMA: dict[str, pl.DataType] = {
    "row_id": pl.String(),
    "dealer_id": pl.String(),
    "sku_id": pl.String(),
    "channel_id": pl.String(),
    "advertised_price": MONEY,
    "transaction_price": MONEY,
    "qty": pl.Int64(),
    "observed_at": INSTANT,
}

FLOOR_SCHEMA: dict[str, pl.DataType] = {
    "map_floor": MONEY,
    "map_rule_id": pl.String(),
    "mrp_floor": MONEY,
    "mrp_rule_id": pl.String(),
}

PRICED_SALES_SCHEMA = SALES_SCHEMA | FLOOR_SCHEMA

SNAPSHOT_SCHEMA: dict[str, pl.DataType] = {
    "snapshot_id": pl.String(),
    "competitor_id": pl.String(),
    "sku_id": pl.String(),
    "price": MONEY,
    "observed_at": INSTANT,
}

OUR_PRICE_SCHEMA: dict[str, pl.DataType] = {
    "sku_id": pl.String(),
    "our_price": MONEY,
    "our_price_rule_id": pl.String(),
}

INVENTORY_SCHEMA: dict[str, pl.DataType] = {
    "row_id": pl.String(),
    "dealer_id": pl.String(),
    "sku_id": pl.String(),
    "qty": pl.Int64(),
    "unit_cost": MONEY,
    "received_at": INSTANT,
}

# One row per piece of evidence (a sale row, a snapshot, an inventory row) that triggered a rule.
EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "dealer_id": pl.String(),
    "sku_id": pl.String(),
    "evidence_id": pl.String(),
    "observed_at": INSTANT,
    "qty": pl.Int64(),
    "floor": MONEY,
    "floor_rule_id": pl.String(),
    "price": MONEY,
    "impact": MONEY,
    "depth_pct": MONEY,
    "age_days": pl.Int64(),
}

# One candidate alert per (dealer_id, sku_id, rule).
ALERT_SCHEMA: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "dealer_id": pl.String(),
    "sku_id": pl.String(),
    "evidence_ids": pl.List(pl.String()),
    "rows": pl.Int64(),
    "units": pl.Int64(),
    "floor": MONEY,
    "floor_rule_id": pl.String(),
    "worst_price": MONEY,
    "impact": MONEY,
    "max_depth_pct": MONEY,
    "severity": pl.String(),
    "first_seen": INSTANT,
    "last_seen": INSTANT,
}


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType], name: str) -> pl.DataFrame:
    """Select `schema`'s columns in order, cast to canonical types; refuse floats and naive instants."""
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ValidationFailed(
            f"{name} frame lacks columns {', '.join(missing)}",
            fields={f"{name}.{c}": "missing" for c in missing},
        )
    exprs = []
    for column, dtype in schema.items():
        actual = frame.schema[column]
        expr = pl.col(column)
        if actual != dtype:
            if dtype == MONEY and actual.is_float():
                raise ValidationFailed(
                    f"{name}.{column} is a float column; money must be Decimal",
                    fields={f"{name}.{column}": "float"},
                )
            if (
                isinstance(dtype, pl.Datetime)
                and actual != pl.Null
                and (not isinstance(actual, pl.Datetime) or actual.time_zone is None)
            ):
                raise ValidationFailed(
                    f"{name}.{column} must be a timezone-aware timestamp column",
                    fields={f"{name}.{column}": "timezone required"},
                )
            expr = expr.cast(dtype)
        exprs.append(expr)
    return frame.select(exprs)


def refuse_negative_qty(frame: pl.DataFrame, name: str) -> None:
    """A negative quantity would turn lost margin into gained margin: refuse the batch."""
    lowest: Any = frame.get_column("qty").min()  # a number or None (an empty frame)
    if lowest is not None and lowest < 0:
        raise ValidationFailed(f"{name}.qty has negative quantities", fields={f"{name}.qty": "negative"})
