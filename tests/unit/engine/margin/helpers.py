"""Builders for margin engine tests: frames from short tuples, contexts per role."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import polars as pl

from engine.context import TenantContext
from engine.margin.frames import INVENTORY_SCHEMA, OUR_PRICE_SCHEMA, PRICED_SALES_SCHEMA, SNAPSHOT_SCHEMA
from engine.rbac import Role

T0 = datetime(2025, 3, 1, tzinfo=UTC)
D = Decimal


def ctx(role: Role) -> TenantContext:
    return TenantContext(tenant_id=uuid.uuid4(), user_id=uuid.uuid4(), role=role)


def sales(rows: list[dict]) -> pl.DataFrame:
    """Sale rows with floors; missing keys default to None (qty to 1, observed_at to T0)."""
    defaults = {"channel_id": "web", "qty": 1, "observed_at": T0}
    full = [{c: r.get(c, defaults.get(c)) for c in PRICED_SALES_SCHEMA} for r in rows]
    return pl.DataFrame(full, schema=PRICED_SALES_SCHEMA)


def snapshots(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        [{c: r.get(c, T0 if c == "observed_at" else None) for c in SNAPSHOT_SCHEMA} for r in rows],
        schema=SNAPSHOT_SCHEMA,
    )


def our_prices(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{c: r.get(c) for c in OUR_PRICE_SCHEMA} for r in rows], schema=OUR_PRICE_SCHEMA)


def inventory(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{c: r.get(c) for c in INVENTORY_SCHEMA} for r in rows], schema=INVENTORY_SCHEMA)
