"""Small builders for pricing tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from engine.pricing import PriceQuery, PriceRule

T0 = datetime(2026, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)


def rule(
    rid: str,
    amount: str = "100",
    *,
    sku: str = "sku-1",
    currency: str = "USD",
    start=T0,
    end=None,
    org=None,
    channel=None,
    priority: int = 0,
    kind: str = "map",
    book=None,
) -> PriceRule:
    return PriceRule(
        id=rid,
        sku_id=sku,
        amount=Decimal(amount),
        currency=currency,
        effective_from=start,
        effective_to=end,
        org_id=org,
        channel_id=channel,
        priority=priority,
        kind=kind,
        price_book_id=book,
    )


def query(at=T0, *, sku: str = "sku-1", currency: str = "USD", org=None, channel=None, kind: str = "map") -> PriceQuery:
    return PriceQuery(sku_id=sku, at=at, currency=currency, kind=kind, org_id=org, channel_id=channel)
