"""Reads of pricing (books, rules, overlaps) for the REST API and the pricing page, plus the panel's
explained resolution. Each function takes `ctx`, checks pricing.read and owns its transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.catalog.permissions import PRICING_READ
from engine.context import TenantContext
from engine.pricing import Resolution
from models.catalog import channels, orgs, pricing, products
from models.catalog.public import PriceBookPublic, PriceRulePublic
from models.catalog.queries import LIST_LIMIT, Option
from models.core.db import tenant_session
from models.core.pagination import Page


def book_page(
    ctx: TenantContext,
    *,
    kind: str | None = None,
    currency: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[PriceBookPublic]:
    ctx.require(PRICING_READ)
    with tenant_session(ctx) as session:
        page = pricing.list_books(session, ctx, kind=kind, currency=currency, limit=limit, cursor=cursor)
        return Page([PriceBookPublic.of(b) for b in page.items], page.next_cursor)


def rule_page(
    ctx: TenantContext,
    *,
    price_book_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    org_id: uuid.UUID | None = None,
    channel_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[PriceRulePublic]:
    ctx.require(PRICING_READ)
    with tenant_session(ctx) as session:
        page = pricing.list_rules(
            session,
            ctx,
            price_book_id=price_book_id,
            sku_id=sku_id,
            org_id=org_id,
            channel_id=channel_id,
            limit=limit,
            cursor=cursor,
        )
        return Page([PriceRulePublic.of(r) for r in page.items], page.next_cursor)


def rule_conflicts(
    ctx: TenantContext, *, kind: str | None = None, sku_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """Every overlap between rules at the same step (engine Overlap.to_dict), worst first as the engine orders them."""
    ctx.require(PRICING_READ)
    with tenant_session(ctx) as session:
        return [o.to_dict() for o in pricing.conflicts(session, ctx, kind=kind, sku_id=sku_id)]


@dataclass(frozen=True)
class PricingOverview:
    """What the pricing page lists: books, the rules (of one book or all) with the names they refer
    to, the overlap report, and the pickers (inactive SKUs left out: no new rule or query for them)."""

    books: list[PriceBookPublic]
    rules: list[PriceRulePublic]
    sku_codes: dict[uuid.UUID, str]
    org_names: dict[uuid.UUID, str]
    channel_names: dict[uuid.UUID, str]
    conflicts: list[dict[str, Any]]
    sku_options: list[Option]
    org_options: list[Option]
    channel_options: list[Option]


def pricing_overview(ctx: TenantContext, book_id: str | None) -> PricingOverview:
    ctx.require(PRICING_READ)
    with tenant_session(ctx) as session:
        books = pricing.list_books(session, ctx, limit=LIST_LIMIT).items
        chosen = next((b.id for b in books if str(b.id) == book_id), None)
        skus = products.list_skus(session, ctx, limit=LIST_LIMIT).items
        channel_list = channels.list_channels(session, ctx, limit=LIST_LIMIT).items
        rules = pricing.list_rules(session, ctx, price_book_id=chosen, limit=LIST_LIMIT).items
        org_names = orgs.orgs_by_id(session, ctx, {r.org_id for r in rules if r.org_id})
        conflicts = [o.to_dict() for o in pricing.conflicts(session, ctx)]
        all_orgs = orgs.list_orgs(session, ctx, limit=LIST_LIMIT).items
    return PricingOverview(
        books=[PriceBookPublic.of(b) for b in books],
        rules=[PriceRulePublic.of(r) for r in rules],
        sku_codes={s.id: s.code for s in skus},
        org_names={k: v.name for k, v in org_names.items()},
        channel_names={c.id: c.name for c in channel_list},
        conflicts=conflicts,
        sku_options=[Option(str(s.id), f"{s.code} — {s.name}") for s in skus if s.is_active],
        org_options=[Option(str(o.id), f"{o.name} ({o.type})") for o in all_orgs],
        channel_options=[Option(str(c.id), c.name) for c in channel_list],
    )


@dataclass(frozen=True)
class Explanation:
    resolution: Resolution
    org_names: dict[str, str]  # the candidates' organizations by id (text)


def explain(
    ctx: TenantContext,
    *,
    sku_id: str,
    currency: str,
    kind: str,
    at: datetime,
    org_id: str | None = None,
    channel_id: str | None = None,
) -> Explanation:
    """Resolve like `GET /api/prices/resolve` (audited `price.resolve`) and name the candidates' organizations."""
    ctx.require(PRICING_READ)
    with tenant_session(ctx) as session:
        result = pricing.resolve_price(
            session, ctx, sku_id=sku_id, org_id=org_id, channel_id=channel_id, currency=currency, kind=kind, at=at
        )
        ids = {uuid.UUID(c.rule.org_id) for c in result.candidates if c.rule.org_id}
        names = {str(k): v.name for k, v in orgs.orgs_by_id(session, ctx, ids).items()}
    return Explanation(result, names)
