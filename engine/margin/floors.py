"""Bridge between sale rows and the price resolver: build its queries, attach its answers.

The resolver (engine.pricing.vectorized.resolve_frame) answers one row per query, in query order,
with `price` and `rule_id`. So we ask twice — kind "map" and kind "mrp" — with one query per sale
row, and put the answers next to the sale rows without a join (an O(1) horizontal stack).
"""

from __future__ import annotations

import polars as pl

from engine.errors import ValidationFailed
from engine.margin.frames import FLOOR_SCHEMA, SALES_SCHEMA, conform


def floor_queries(sales: pl.DataFrame, kind: str, currency: str) -> pl.DataFrame:
    """Resolver queries (sku_id, org_id, channel_id, at, currency, kind), one per sale row, in order.

    A `currency` column on the sales frame wins over the default `currency`.
    """
    rows = conform(sales, SALES_SCHEMA, "sales")
    if "currency" in sales.columns:
        currencies = sales.get_column("currency").cast(pl.String).fill_null(currency)
    else:
        currencies = pl.repeat(currency, sales.height, dtype=pl.String, eager=True)
    return rows.select(
        "sku_id",
        pl.col("dealer_id").alias("org_id"),
        "channel_id",
        pl.col("observed_at").alias("at"),
    ).with_columns(currencies.alias("currency"), pl.lit(kind).alias("kind"))


def attach_floors(sales: pl.DataFrame, map_resolved: pl.DataFrame, mrp_resolved: pl.DataFrame) -> pl.DataFrame:
    """The sales frame plus map_floor, map_rule_id, mrp_floor, mrp_rule_id (resolver output, row-aligned)."""
    for name, resolved in (("map", map_resolved), ("mrp", mrp_resolved)):
        if resolved.height != sales.height:
            raise ValidationFailed(
                f"{name} resolution has {resolved.height} rows for {sales.height} sale rows",
                fields={f"{name}_resolved": "misaligned"},
            )
        if "price" not in resolved.columns or "rule_id" not in resolved.columns:
            raise ValidationFailed(f"{name} resolution lacks price/rule_id", fields={f"{name}_resolved": "shape"})
    floors = pl.DataFrame(
        [
            map_resolved.get_column("price").alias("map_floor"),
            map_resolved.get_column("rule_id").alias("map_rule_id"),
            mrp_resolved.get_column("price").alias("mrp_floor"),
            mrp_resolved.get_column("rule_id").alias("mrp_rule_id"),
        ]
    ).cast(FLOOR_SCHEMA)  # type: ignore[arg-type]
    return sales.drop([c for c in FLOOR_SCHEMA if c in sales.columns]).hstack(floors)
