"""Dealer reads: the dealer list with status and figures, one dealer's page, and dealer options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from engine.context import TenantContext
from engine.margin.permissions import READ
from models.catalog.lookups import tenant_currency
from models.catalog.tables import Organization
from models.core.db import tenant_session
from models.core.identity import tenant_members
from models.core.pagination import Page
from models.margin import alerts as alert_repo
from models.margin import dealers as dealer_repo
from models.margin import enforcement
from models.margin import notice_delivery as notice_preferences
from models.margin.enforcement.tables import EnforcementNotice
from models.margin.notice_delivery import DealerNoticeDelivery, EndpointChoice, NoticePreferenceView
from models.margin.queries.alerts import AlertView, alert_views


@dataclass(frozen=True)
class DealerRow:
    dealer: Organization
    status: str
    figures: dict[str, Any]


@dataclass(frozen=True)
class DealerList:
    page: Page[DealerRow]
    currency: str


@dataclass(frozen=True)
class DealerDetail:
    """`summary` is the repository's (status, figures, history, actions, ladder); the page also
    shows the open alerts, the latest notices and who decided what."""

    summary: dict[str, Any]
    open_alerts: list[AlertView]
    notices: list[EnforcementNotice]
    people: dict[str, str]
    currency: str

    @property
    def dealer(self) -> Organization:
        return self.summary["dealer"]


def dealer_list(ctx: TenantContext, *, q: str | None, limit: int, cursor: str | None) -> DealerList:
    with tenant_session(ctx) as session:
        page, statuses, figures = dealer_repo.list_dealers(session, ctx, q=q, limit=limit, cursor=cursor)
        rows = [DealerRow(d, statuses[d.id], figures[d.id]) for d in page.items]
        return DealerList(Page(rows, page.next_cursor), tenant_currency(session, ctx))


def detail_in(session: Session, ctx: TenantContext, dealer_id: Any) -> DealerDetail:
    data = dealer_repo.summary(session, ctx, dealer_id)
    dealer = data["dealer"]
    alerts = alert_repo.list_alerts(session, ctx, dealer_id=dealer.id, open_only=True, limit=50).items
    return DealerDetail(
        summary=data,
        open_alerts=alert_views(session, ctx, alerts),
        notices=enforcement.list_notices(session, ctx, dealer_id=dealer.id, limit=20).items,
        people={m.user_id: m.display_name for m in tenant_members(session, ctx)},
        currency=tenant_currency(session, ctx),
    )


def dealer_detail(ctx: TenantContext, dealer_id: Any) -> DealerDetail:
    with tenant_session(ctx) as session:
        return detail_in(session, ctx, dealer_id)


def dealer_options(ctx: TenantContext, *, limit: int = 200) -> list[DealerRow]:
    """The first dealers by name, with status and figures, for filter selects."""
    return dealer_list(ctx, q=None, limit=limit, cursor=None).page.items


def notice_delivery(ctx: TenantContext, dealer_id: Any) -> NoticePreferenceView:
    """How this dealer receives its enforcement notices (models/margin/notice_delivery.py)."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        return notice_preferences.preference_view(session, ctx, dealer_id)


@dataclass(frozen=True)
class NoticeDeliveryList:
    dealers: list[DealerNoticeDelivery]
    endpoints: list[EndpointChoice]


def notice_deliveries(ctx: TenantContext) -> NoticeDeliveryList:
    """Every dealer's notice preference, and the webhook endpoints a preference may name."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        return NoticeDeliveryList(
            notice_preferences.dealer_preferences(session, ctx), notice_preferences.endpoint_choices(session, ctx)
        )
