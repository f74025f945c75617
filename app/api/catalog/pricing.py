"""Price books, price rules, the overlap report and explained price resolution (`/api/...`).

Books and rules sit behind ENABLE_PRICE_BOOKS, resolution behind ENABLE_PRICE_RESOLUTION (404 while
off). Reads need pricing.read, writes pricing.write. Every API resolution is audited.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from app.api import declare
from app.api.catalog.params import Cursor, InstantParam, Limit
from app.api.core.settings import feature
from app.api.declare import Entity, flagged
from engine.catalog.permissions import PRICING_READ as READ
from engine.catalog.permissions import PRICING_WRITE as WRITE
from engine.context import TenantContext
from engine.pricing import PRICE_BOOK_KINDS
from models.catalog import actions, price_queries
from models.catalog.inputs import PriceBookCreate, PriceRuleCreate
from models.catalog.public import ConflictsPublic, PriceBookPublic, PriceRulePublic, RuleCreatedPublic
from models.core.flags import ENABLE_PRICE_BOOKS, ENABLE_PRICE_RESOLUTION
from models.core.pagination import clamp_limit, decode_cursor, encode_cursor

router = APIRouter(prefix="/api", tags=["pricing"])

Kind = Literal[PRICE_BOOK_KINDS]
Currency = Query(..., pattern=r"^[A-Z]{3}$", description="ISO code; rules in other currencies are excluded")

BOOKS = flagged("/price-books", "book", PriceBookPublic, ENABLE_PRICE_BOOKS, READ, WRITE)
RULES = Entity("/price-rules", "rule", "rule_id", PriceRulePublic, BOOKS.read, BOOKS.write)
UUID_FILTER = uuid.UUID | None

declare.lists(
    router,
    BOOKS,
    price_queries.book_page,
    [("kind", Kind | None, None), ("currency", str | None, Query(None, pattern=r"^[A-Z]{3}$"))],
)
declare.create(router, BOOKS, PriceBookCreate, actions.create_book)
declare.lists(
    router,
    RULES,
    price_queries.rule_page,
    [(name, UUID_FILTER, None) for name in ("price_book_id", "sku_id", "org_id", "channel_id")],
)
declare.create(router, RULES, PriceRuleCreate, actions.create_rule, RuleCreatedPublic)


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
