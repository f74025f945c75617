"""Alert reads: the alert list with its names, the one alert detail (REST route and page share it),
the dashboard and the orgs alerts can be filtered by."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from engine.context import TenantContext
from models.catalog.lookups import names_by_id, rule_currencies, tenant_currency
from models.catalog.tables import Organization, PriceBook, PriceRule
from models.core.db import tenant_session
from models.core.identity import tenant_members
from models.core.pagination import Page
from models.margin import alerts as alert_repo
from models.margin import dashboard, enforcement
from models.margin.tables import MarginAlert, MarginAlertEvidence, MarginSaleRow


@dataclass(frozen=True)
class AlertView:
    """An alert with the names around it; `currency` is its floor rule's book's, else the tenant's."""

    alert: MarginAlert
    dealer_name: str | None
    dealer_type: str | None
    sku_code: str | None
    sku_name: str | None
    currency: str


@dataclass(frozen=True)
class RuleInfo:
    """The price rule behind a floor, with its price book."""

    rule: PriceRule
    book: PriceBook


@dataclass(frozen=True)
class AlertDetail:
    """Everything known about one alert: the REST detail uses view/evidence/actions/floor link, the
    drilldown page also the timeline (with notices), the sale rows, member names and the rule."""

    view: AlertView
    evidence: list[MarginAlertEvidence]
    actions: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    sales: dict[uuid.UUID, MarginSaleRow]
    people: dict[str, str]
    rule_info: RuleInfo | None

    @property
    def floor_source(self) -> dict[str, Any]:
        return dict((self.view.alert.explanation or {}).get("floor_source") or {})

    @property
    def currency(self) -> str:
        return self.rule_info.book.currency if self.rule_info else self.view.currency


@dataclass(frozen=True)
class Dashboard:
    summary: dict[str, Any]
    recent: list[AlertView]
    currency: str


@dataclass(frozen=True)
class OrgOption:
    id: uuid.UUID
    name: str
    type: str


@dataclass(frozen=True)
class AlertFilters:
    status: str | None = None
    rule: str | None = None
    severity: str | None = None
    dealer_id: uuid.UUID | None = None
    sku_id: uuid.UUID | None = None
    open_only: bool = False


def alert_views(session: Session, ctx: TenantContext, alerts: list[MarginAlert]) -> list[AlertView]:
    """The alerts with dealer and SKU names and their currency, in three lookups for the lot."""
    orgs, skus = names_by_id(session, ctx, {a.dealer_id for a in alerts}, {a.sku_id for a in alerts})
    found = rule_currencies(session, ctx, {a.floor_rule_id for a in alerts})
    fallback = tenant_currency(session, ctx) if any(a.floor_rule_id not in found for a in alerts) else ""
    views = []
    for a in alerts:
        org, sku = orgs.get(a.dealer_id), skus.get(a.sku_id)
        views.append(
            AlertView(
                alert=a,
                dealer_name=org.name if org else None,
                dealer_type=org.type if org else None,
                sku_code=sku.code if sku else None,
                sku_name=sku.name if sku else None,
                currency=(found.get(a.floor_rule_id) if a.floor_rule_id is not None else None) or fallback,
            )
        )
    return views


def alert_page(ctx: TenantContext, filters: AlertFilters, *, limit: int, cursor: str | None) -> Page[AlertView]:
    """One page of alerts, newest first (the repository's order)."""
    with tenant_session(ctx) as session:
        page = alert_repo.list_alerts(
            session,
            ctx,
            status=filters.status,
            rule=filters.rule,
            severity=filters.severity,
            dealer_id=filters.dealer_id,
            sku_id=filters.sku_id,
            open_only=filters.open_only,
            limit=limit,
            cursor=cursor,
        )
        return Page(alert_views(session, ctx, page.items), page.next_cursor)


def _rule_info(session: Session, ctx: TenantContext, rule_id: Any) -> RuleInfo | None:
    try:
        rid = uuid.UUID(str(rule_id)[:64])
    except (TypeError, ValueError):
        return None
    found = session.exec(
        select(PriceRule, PriceBook).where(
            PriceRule.tenant_id == ctx.tenant_id,
            PriceBook.tenant_id == ctx.tenant_id,
            PriceBook.id == PriceRule.price_book_id,
            PriceRule.id == rid,
        )
    ).first()
    return RuleInfo(rule=found[0], book=found[1]) if found else None


def detail_in(session: Session, ctx: TenantContext, alert: MarginAlert) -> AlertDetail:
    """The detail inside a caller's transaction (actions return it after their write)."""
    view = alert_views(session, ctx, [alert])[0]
    evidence = alert_repo.evidence(session, ctx, alert.id)
    timeline = alert_repo.timeline(session, ctx, alert.id)
    for n in enforcement.list_notices(session, ctx, dealer_id=alert.dealer_id, limit=100).items:
        if str(alert.id) in (n.alert_ids or []):
            timeline.append(
                {
                    "at": n.created_at,
                    "type": "notice",
                    "id": str(n.id),
                    "text": n.subject,
                    "action": n.action,
                    "channel": n.channel,
                }
            )
    timeline.sort(key=lambda x: (x["at"], x["id"]))
    sale_ids = [e.sale_row_id for e in evidence if e.sale_row_id]
    sales = {}
    if sale_ids:
        sales = {
            r.id: r
            for r in session.exec(
                select(MarginSaleRow).where(
                    MarginSaleRow.tenant_id == ctx.tenant_id,
                    col(MarginSaleRow.id).in_(sale_ids),
                )
            ).all()
        }
    source = (alert.explanation or {}).get("floor_source") or {}
    return AlertDetail(
        view=view,
        evidence=evidence,
        actions=alert_repo.actions_for(ctx, alert),
        timeline=timeline,
        sales=sales,
        people={m.user_id: m.display_name for m in tenant_members(session, ctx)},
        rule_info=_rule_info(session, ctx, source.get("price_rule_id") or alert.floor_rule_id),
    )


def alert_detail(ctx: TenantContext, alert_id: Any) -> AlertDetail:
    with tenant_session(ctx) as session:
        return detail_in(session, ctx, alert_repo.get_alert(session, ctx, alert_id))


def evidence(ctx: TenantContext, alert_id: Any) -> list[MarginAlertEvidence]:
    with tenant_session(ctx) as session:
        return alert_repo.evidence(session, ctx, alert_id)


def timeline(ctx: TenantContext, alert_id: Any) -> list[dict[str, Any]]:
    with tenant_session(ctx) as session:
        return alert_repo.timeline(session, ctx, alert_id)


def summary(ctx: TenantContext, *, period_days: int = dashboard.PERIOD_DAYS) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        return dashboard.summary(session, ctx, period_days=period_days)


def dashboard_data(ctx: TenantContext, *, recent: int = 6) -> Dashboard:
    """The landing dashboard: the summary, the newest open alerts and the tenant's currency."""
    with tenant_session(ctx) as session:
        figures = dashboard.summary(session, ctx)
        alerts = alert_repo.list_alerts(session, ctx, open_only=True, limit=recent).items
        return Dashboard(figures, alert_views(session, ctx, alerts), tenant_currency(session, ctx))


def alert_orgs(ctx: TenantContext, *, limit: int = 500) -> list[OrgOption]:
    """The orgs alerts are raised on: dealers, then competitors (competitor-undercut alerts)."""
    with tenant_session(ctx) as session:
        rows = session.exec(
            select(Organization.id, Organization.name, Organization.type)
            .where(
                Organization.tenant_id == ctx.tenant_id,
                col(Organization.type).in_(("dealer", "competitor")),
            )
            .order_by(col(Organization.type).desc(), col(Organization.name), col(Organization.id))
            .limit(limit)
        ).all()
    return [OrgOption(i, name, kind) for i, name, kind in rows]
