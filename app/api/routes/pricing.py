"""Price books, price rules, the overlap report and explained price resolution (`/api/...`).

Books and rules sit behind ENABLE_PRICE_BOOKS, resolution behind ENABLE_PRICE_RESOLUTION (404 while
off). Reads need pricing.read, writes pricing.write. Every API resolution is audited.
"""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Depends, Query

from app.api.deps import Cursor, InstantParam, Limit
from app.api.routes.catalog import page_view, row_view
from app.api.routes.settings import feature
from engine.context import TenantContext
from engine.pricing import PRICE_BOOK_KINDS
from models.catalog import pricing
from models.catalog.inputs import PriceBookCreate, PriceRuleCreate
from models.db import tenant_session
from models.flags import ENABLE_PRICE_BOOKS, ENABLE_PRICE_RESOLUTION
from models.pagination import clamp_limit, decode_cursor, encode_cursor

router = APIRouter(prefix="/api", tags=["pricing"])

READ, WRITE = "pricing.read", "pricing.write"
Kind = Literal[PRICE_BOOK_KINDS]  # type: ignore[valid-type]
Currency = Query(..., pattern=r"^[A-Z]{3}$", description="ISO code; rules in other currencies are excluded")


@router.get("/price-books")
def list_books(
    ctx: TenantContext = Depends(feature(ENABLE_PRICE_BOOKS, READ)),
    kind: Kind | None = None,
    currency: str | None = Query(None, pattern=r"^[A-Z]{3}$"),
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        return page_view(pricing.list_books(session, ctx, kind=kind, currency=currency, limit=limit, cursor=cursor))


@router.post("/price-books", status_code=201)
def create_book(body: PriceBookCreate, ctx: TenantContext = Depends(feature(ENABLE_PRICE_BOOKS, WRITE))) -> dict:
    with tenant_session(ctx) as session:
        return row_view(pricing.create_book(session, ctx, body))


@router.get("/price-rules")
def list_rules(
    ctx: TenantContext = Depends(feature(ENABLE_PRICE_BOOKS, READ)),
    price_book_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    org_id: uuid.UUID | None = None,
    channel_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
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
        return page_view(page)


@router.post("/price-rules", status_code=201)
def create_rule(body: PriceRuleCreate, ctx: TenantContext = Depends(feature(ENABLE_PRICE_BOOKS, WRITE))) -> dict:
    with tenant_session(ctx) as session:
        created = pricing.create_rule(session, ctx, body)
        return {
            "rule": row_view(created.rule, kind=created.book.kind, currency=created.book.currency),
            "warnings": [o.to_dict() for o in created.overlaps],
        }


@router.get("/price-rules/conflicts")
def rule_conflicts(
    ctx: TenantContext = Depends(feature(ENABLE_PRICE_BOOKS, READ)),
    kind: Kind | None = None,
    sku_id: uuid.UUID | None = None,
    severity: Literal["ambiguous", "warning", "info"] | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    size = clamp_limit(limit)
    start = decode_cursor(cursor, 1)
    offset = int(start[0]) if start and isinstance(start[0], int) and start[0] >= 0 else 0
    with tenant_session(ctx) as session:
        found = [o.to_dict() for o in pricing.conflicts(session, ctx, kind=kind, sku_id=sku_id)]
    if severity:
        found = [o for o in found if o["severity"] == severity]
    items = found[offset : offset + size]
    more = offset + size < len(found)
    return {"items": items, "total": len(found), "next_cursor": encode_cursor([offset + size]) if more else None}


@router.get("/prices/resolve")
def resolve_price(
    sku_id: uuid.UUID,
    ctx: TenantContext = Depends(feature(ENABLE_PRICE_RESOLUTION, READ)),
    currency: str = Currency,
    kind: Kind = "list",
    org_id: uuid.UUID | None = None,
    channel_id: uuid.UUID | None = None,
    at: InstantParam = None,  # default: now
) -> dict:
    with tenant_session(ctx) as session:
        result = pricing.resolve_price(
            session, ctx, sku_id=sku_id, currency=currency, kind=kind, org_id=org_id, channel_id=channel_id, at=at
        )
        return result.to_dict()
