"""Detection's loaders: the tenant's sale rows, competitor snapshots and inventory into Polars
(Decimal money, UTC instants) straight through COPY, and the floors and our prices from the
catalog's vectorized resolver. Split from models.margin.detection (which runs the scan) so that
reading and storing are each one file with one purpose; `Scope` says what one detection item reads.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from psycopg import sql
from sqlmodel import Session

from engine.context import TenantContext
from engine.margin.detection import UNITS_SCHEMA
from engine.margin.floors import attach_floors, floor_queries
from engine.margin.frames import (
    DEAD_STOCK,
    INSTANT,
    INVENTORY_SCHEMA,
    MAP_BREACH,
    MONEY,
    MRP_BREACH,
    OUR_PRICE_SCHEMA,
    SALES_SCHEMA,
    SNAPSHOT_SCHEMA,
    UNDERCUT,
)
from models.catalog.pricing import resolve_many

DEFAULT_CURRENCY = "INR"
SALES_RULES = (MAP_BREACH, MRP_BREACH, DEAD_STOCK)


@dataclass(frozen=True)
class Scope:
    """What one detection item scans. `dealers`: the sale rows and inventory of these dealers (MAP,
    MRP, dead stock); None = every dealer. `market`: the competitor snapshots (undercuts).
    The whole tenant is `Scope()`; a detection job splits it (`detection_items`)."""

    dealers: tuple[str, ...] | None = None
    market: bool = True

    @property
    def sales(self) -> bool:
        return self.dealers is None or bool(self.dealers)

    @property
    def rules(self) -> tuple[str, ...]:
        return (*(SALES_RULES if self.sales else ()), *((UNDERCUT,) if self.market else ()))

    @classmethod
    def of_payload(cls, payload: dict[str, Any]) -> Scope:
        if "dealers" not in payload and "market" not in payload:
            return cls()  # a job queued before items were split: the whole tenant
        dealers = payload.get("dealers")
        return cls(tuple(str(d) for d in dealers) if dealers is not None else (), bool(payload.get("market")))


def _copy_frame(session: Session, query: sql.Composable, schema: dict[str, Any]) -> pl.DataFrame:
    """A query's rows straight into Polars through COPY … TO STDOUT (CSV), in the session's own
    transaction (its tenant setting, so RLS applies): no Python object per cell. Instants come
    as epoch microseconds (columns of `schema` typed INSTANT)."""
    raw: Any = session.connection().connection.driver_connection
    buffer = io.BytesIO()
    with raw.cursor() as cursor, cursor.copy(sql.SQL("copy ({}) to stdout (format csv)").format(query)) as copy:
        for block in copy:
            buffer.write(block)
    read = {name: (pl.Int64() if dtype == INSTANT else dtype) for name, dtype in schema.items()}
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    frame = pl.read_csv(buffer.getvalue(), has_header=False, new_columns=list(schema), schema=read)
    return frame.with_columns(
        pl.col(name).cast(pl.Datetime("us")).dt.replace_time_zone("UTC") for name, d in schema.items() if d == INSTANT
    )


def _epoch(column: str) -> sql.Composable:
    return sql.SQL("(extract(epoch from {c}) * 1000000)::bigint").format(c=sql.Identifier(column))


def _where(ctx: TenantContext, dealers: tuple[str, ...] | None, column: str = "dealer_id") -> sql.Composable:
    """The tenant (in code as well as by RLS) and, for a dealer scope, its dealers."""
    tenant = sql.SQL("tenant_id = {t}::uuid").format(t=sql.Literal(str(ctx.tenant_id)))
    if dealers is None:
        return tenant
    ids = sql.SQL(", ").join(sql.Literal(str(uuid.UUID(d))) for d in dealers) if dealers else sql.SQL("null")
    return sql.SQL("{t} and {c} in ({ids})").format(t=tenant, c=sql.Identifier(column), ids=ids)


def load_sales(session: Session, ctx: TenantContext, dealers: tuple[str, ...] | None = None) -> pl.DataFrame:
    query = sql.SQL(
        "select id, dealer_id, sku_id, channel_id, advertised_price, transaction_price, qty, {at}, currency "
        "from margin_sale_rows where {where}"
    ).format(at=_epoch("observed_at"), where=_where(ctx, dealers))
    return _copy_frame(session, query, {**SALES_SCHEMA, "currency": pl.String()})


def sku_units(session: Session, ctx: TenantContext) -> pl.DataFrame:
    """Units per SKU over every sale row of the tenant (what undercuts are valued on)."""
    query = sql.SQL("select sku_id, sum(qty)::bigint from margin_sale_rows where {where} group by sku_id").format(
        where=_where(ctx, None)
    )
    return _copy_frame(session, query, UNITS_SCHEMA)


def load_snapshots(session: Session, ctx: TenantContext, since: datetime, until: datetime) -> pl.DataFrame:
    query = sql.SQL(
        "select id, competitor_id, sku_id, price, {at}, currency from margin_competitor_snapshots "
        "where {where} and observed_at > {since} and observed_at <= {until}"
    ).format(at=_epoch("observed_at"), where=_where(ctx, None), since=sql.Literal(since), until=sql.Literal(until))
    return _copy_frame(session, query, {**SNAPSHOT_SCHEMA, "currency": pl.String()})


def load_inventory(session: Session, ctx: TenantContext, dealers: tuple[str, ...] | None = None) -> pl.DataFrame:
    query = sql.SQL(
        "select id, dealer_id, sku_id, qty, unit_cost, {at} from margin_inventory_rows where {where}"
    ).format(at=_epoch("received_at"), where=_where(ctx, dealers))
    return _copy_frame(session, query, INVENTORY_SCHEMA)


def price_sales(session: Session, ctx: TenantContext, sales: pl.DataFrame) -> pl.DataFrame:
    """Sale rows + MAP/MRP floors from the catalog's vectorized resolver (two bulk resolutions)."""
    map_resolved = resolve_many(session, ctx, floor_queries(sales, "map", DEFAULT_CURRENCY))
    mrp_resolved = resolve_many(session, ctx, floor_queries(sales, "mrp", DEFAULT_CURRENCY))
    return attach_floors(sales, map_resolved, mrp_resolved)


def our_prices(session: Session, ctx: TenantContext, snapshots: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """Our reference price per snapshot SKU at `as_of`: the list price, else the MAP floor (rule id kept)."""
    per_sku = snapshots.group_by("sku_id").agg(pl.col("currency").first()).sort("sku_id")
    if per_sku.height == 0:
        return pl.DataFrame(schema=OUR_PRICE_SCHEMA)
    base = per_sku.select(
        "sku_id",
        pl.lit(None, dtype=pl.String).alias("org_id"),
        pl.lit(None, dtype=pl.String).alias("channel_id"),
        pl.lit(as_of).cast(INSTANT).alias("at"),
        "currency",
    )
    found = []
    for kind in ("list", "map"):
        resolved = resolve_many(session, ctx, base.with_columns(pl.lit(kind).alias("kind")))
        found.append(resolved.select("sku_id", pl.col("price").cast(MONEY), pl.col("rule_id").cast(pl.String)))
    merged = found[0].join(found[1], on="sku_id", suffix="_map")
    out = merged.select(
        "sku_id",
        pl.coalesce("price", "price_map").alias("our_price"),
        pl.when(pl.col("price").is_not_null()).then("rule_id").otherwise("rule_id_map").alias("our_price_rule_id"),
    ).filter(pl.col("our_price").is_not_null())
    return out.cast(OUR_PRICE_SCHEMA)
