"""Price books, price rules, the overlap report and explained price resolution (`/api/...`).

Books and rules sit behind ENABLE_PRICE_BOOKS, resolution behind ENABLE_PRICE_RESOLUTION (404 while
off). Reads need pricing.read, writes pricing.write. Every API resolution is audited.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from app.api.catalog.params import Cursor, InstantParam, Limit
from app.api.core.settings import feature
from engine.catalog.permissions import PRICING_READ as READ
from engine.catalog.permissions import PRICING_WRITE as WRITE
from engine.context import TenantContext
from engine.pricing import PRICE_BOOK_KINDS
from models.catalog import actions, price_queries
from models.catalog.inputs import PriceBookCreate, PriceRuleCreate
from models.catalog.public import ConflictsPublic, PriceBookPublic, PriceRulePublic, RuleCreatedPublic
from models.core.flags import ENABLE_PRICE_BOOKS, ENABLE_PRICE_RESOLUTION
from models.core.pagination import Page, clamp_limit, decode_cursor, encode_cursor

router = APIRouter(prefix="/api", tags=["pricing"])

Kind = Literal[PRICE_BOOK_KINDS]
Currency = Query(..., pattern=r"^[A-Z]{3}$", description="ISO code; rules in other currencies are excluded")


@router.get("/price-books", response_model=Page[PriceBookPublic])
def list_books(
    ctx: TenantContext = Depends(feature(ENABLE_PRICE_BOOKS, READ)),
    kind: Kind | None = None,
    currency: str | None = Query(None, pattern=r"^[A-Z]{3}$"),
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PriceBookPublic]:
    return price_queries.book_page(ctx, kind=kind, currency=currency, limit=limit, cursor=cursor)


@router.post("/price-books", status_code=201)
def create_book(
    body: PriceBookCreate, ctx: TenantContext = Depends(feature(ENABLE_PRICE_BOOKS, WRITE))
) -> PriceBookPublic:
    return actions.create_book(ctx, body)


@router.get("/price-rules", response_model=Page[PriceRulePublic])
def list_rules(
    ctx: TenantContext = Depends(feature(ENABLE_PRICE_BOOKS, READ)),
    price_book_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    org_id: uuid.UUID | None = None,
    channel_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PriceRulePublic]:
    return price_queries.rule_page(
        ctx,
        price_book_id=price_book_id,
        sku_id=sku_id,
        org_id=org_id,
        channel_id=channel_id,
        limit=limit,
        cursor=cursor,
    )


@router.post("/price-rules", status_code=201)
def create_rule(
    body: PriceRuleCreate, ctx: TenantContext = Depends(feature(ENABLE_PRICE_BOOKS, WRITE))
) -> RuleCreatedPublic:
    return actions.create_rule(ctx, body)


@router.get("/price-rules/conflicts")
def rule_conflicts(
    ctx: TenantContext = Depends(feature(ENABLE_PRICE_BOOKS, READ)),
    kind: Kind | None = None,
    sku_id: uuid.UUID | None = None,
    severity: Literal["ambiguous", "warning", "info"] | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ConflictsPublic:
    """Offset-paged (the report is computed, not a table): `next_cursor` carries the offset."""
    size = clamp_limit(limit)
    start = decode_cursor(cursor, 1)
    offset = int(start[0]) if start and isinstance(start[0], int) and start[0] >= 0 else 0
    found = price_queries.rule_conflicts(ctx, kind=kind, sku_id=sku_id)
    if severity:
        found = [o for o in found if o["severity"] == severity]
    more = offset + size < len(found)
    return ConflictsPublic(
        items=found[offset : offset + size],
        total=len(found),
        next_cursor=encode_cursor([offset + size]) if more else None,
    )


@router.get("/prices/resolve")
def resolve_price(
    sku_id: uuid.UUID,
    ctx: TenantContext = Depends(feature(ENABLE_PRICE_RESOLUTION, READ)),
    currency: str = Currency,
    kind: Kind = "list",
    org_id: uuid.UUID | None = None,
    channel_id: uuid.UUID | None = None,
    at: InstantParam = None,  # default: now
) -> dict[str, Any]:
    """The price and its explanation (engine Resolution.to_dict); audited as `price.resolve`."""
    result = actions.resolve_price(
        ctx, sku_id=sku_id, currency=currency, kind=kind, org_id=org_id, channel_id=channel_id, at=at
    )
    return result.to_dict()
