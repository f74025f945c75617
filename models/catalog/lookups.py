"""Catalog facts other modules look up by id: names of orgs and SKUs, the currency of price rules,
and the tenant's currency (one definition, used by every page and the REST API)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.context import TenantContext
from models.catalog.orgs import orgs_by_id
from models.catalog.tables import Organization, PriceBook, PriceRule, Sku

# the currency detection resolves floors in, and the tenant's when it has no price book yet
DEFAULT_CURRENCY = "INR"


def names_by_id(
    session: Session, ctx: TenantContext, org_ids: Iterable[Any], sku_ids: Iterable[Any] = ()
) -> tuple[dict[uuid.UUID, Organization], dict[uuid.UUID, Sku]]:
    """(org id → Organization, sku id → Sku) within the tenant; unknown or foreign ids are absent."""
    orgs = orgs_by_id(session, ctx, {i for i in org_ids if i})
    wanted = list({i for i in sku_ids if i})
    skus: dict[uuid.UUID, Sku] = {}
    if wanted:
        skus = {
            s.id: s
            for s in session.exec(select(Sku).where(Sku.tenant_id == ctx.tenant_id, col(Sku.id).in_(wanted))).all()
        }
    return orgs, skus


def rule_currencies(session: Session, ctx: TenantContext, rule_ids: Iterable[Any]) -> dict[uuid.UUID, str]:
    """price rule id → the currency of its price book, within the tenant."""
    ids = list({i for i in rule_ids if i})
    if not ids:
        return {}
    return dict(
        session.exec(
            select(PriceRule.id, PriceBook.currency).where(
                PriceRule.tenant_id == ctx.tenant_id,
                PriceBook.tenant_id == ctx.tenant_id,
                PriceBook.id == PriceRule.price_book_id,
                col(PriceRule.id).in_(ids),
            )
        ).all()
    )


def tenant_currency(session: Session, ctx: TenantContext) -> str:
    """The tenant's money currency. The tenant has no currency setting, so it is the currency of
    most of its price books (ties by code), else the one detection resolves floors in."""
    found = session.exec(
        select(PriceBook.currency)
        .where(PriceBook.tenant_id == ctx.tenant_id)
        .group_by(PriceBook.currency)
        .order_by(func.count().desc(), PriceBook.currency)
        .limit(1)
    ).first()
    return found or DEFAULT_CURRENCY
