"""Which alerts a batch would act on, and the preview: who gets what, the recoverable margin, and
why the rest is skipped."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.margin import enforcement as engine
from engine.margin.machines import ALERT_OPEN_STATES
from models.catalog.tables import Organization, Sku
from models.margin import dealers as dealer_repo
from models.margin.enforcement.common import ENFORCE, MAX_ALERTS, WATCHED, BatchFilters, as_filters
from models.margin.tables import MarginAlert


def select_alerts(session: Session, ctx: TenantContext, filters: BatchFilters) -> list[MarginAlert]:
    query = select(MarginAlert).where(MarginAlert.tenant_id == ctx.tenant_id)
    if filters.alert_ids is not None:
        if not filters.alert_ids:
            return []
        query = query.where(MarginAlert.id.in_(filters.alert_ids))  # type: ignore[attr-defined]
    else:
        query = query.where(MarginAlert.status.in_(ALERT_OPEN_STATES))  # type: ignore[attr-defined]
    for column, values in (
        (MarginAlert.rule, filters.rules),
        (MarginAlert.severity, filters.severities),
        (MarginAlert.dealer_id, filters.dealer_ids),
        (MarginAlert.sku_id, filters.sku_ids),
    ):
        if values:
            query = query.where(column.in_(values))  # type: ignore[attr-defined]
    rows = list(
        session.exec(query.order_by(col(MarginAlert.dealer_id), col(MarginAlert.id)).limit(MAX_ALERTS + 1)).all()
    )
    if len(rows) > MAX_ALERTS:
        raise ValidationFailed(
            f"a batch covers at most {MAX_ALERTS} alerts: narrow the filters", fields={"filters": "too many"}
        )
    return rows


def _refs(alerts: list[MarginAlert]) -> list[engine.AlertRef]:
    refs = [
        engine.AlertRef(str(a.id), str(a.dealer_id), str(a.sku_id), a.rule, a.status, a.impact, a.floor) for a in alerts
    ]
    return refs


def plan_for(
    session: Session, ctx: TenantContext, filters: BatchFilters, action: str
) -> tuple[engine.Preview, dict[str, MarginAlert]]:
    if action not in engine.ACTIONS:
        raise ValidationFailed(f"unknown enforcement action {action!r}", fields={"action": "unknown"})
    alerts = select_alerts(session, ctx, filters)
    dealer_ids = sorted({a.dealer_id for a in alerts if a.rule in WATCHED})
    statuses = {str(k): v for k, v in dealer_repo.statuses(session, ctx, dealer_ids).items()}
    refs = _refs(alerts)
    if filters.alert_ids is not None:  # a selected id twice is reported, not silently merged
        by_id = {r.id: r for r in refs}
        refs = [by_id[str(i)] for i in filters.alert_ids if str(i) in by_id]
    result = engine.preview(action, refs, statuses, ctx)
    return result, {str(a.id): a for a in alerts}


def latest_prices(
    session: Session, ctx: TenantContext, dealer_id: uuid.UUID, keys: list[tuple[str, uuid.UUID]]
) -> dict[tuple[str, uuid.UUID], tuple[Decimal | None, datetime | None]]:
    """(rule, sku) → the dealer's latest watched price and when it was observed."""
    out: dict[tuple[str, uuid.UUID], tuple[Decimal | None, datetime | None]] = {k: (None, None) for k in keys}
    for rule in sorted({r for r, _ in keys}):
        column = WATCHED.get(rule)
        if column is None:
            continue
        skus = [s for r, s in keys if r == rule]
        rows = session.execute(
            text(
                f"select distinct on (sku_id) sku_id, {column} as price, observed_at from margin_sale_rows "
                f"where tenant_id = :t and dealer_id = :d and sku_id = any(:s) and {column} is not null "
                "order by sku_id, observed_at desc, id desc"
            ),
            {"t": ctx.tenant_id, "d": dealer_id, "s": skus},
        ).all()
        for row in rows:
            out[(rule, row.sku_id)] = (row.price, row.observed_at)
    return out


def org_sku_names(session: Session, ctx: TenantContext, org_ids: set, sku_ids: set) -> tuple[dict, dict]:
    orgs = {}
    if org_ids:
        orgs = {
            o.id: o
            for o in session.exec(
                select(Organization).where(Organization.tenant_id == ctx.tenant_id, Organization.id.in_(list(org_ids)))  # type: ignore[attr-defined]
            ).all()
        }
    skus = {}
    if sku_ids:
        skus = {
            s.id: s
            for s in session.exec(select(Sku).where(Sku.tenant_id == ctx.tenant_id, Sku.id.in_(list(sku_ids)))).all()  # type: ignore[attr-defined]
        }
    return orgs, skus


def preview(
    session: Session, ctx: TenantContext, filters: BatchFilters | dict[str, Any] | None, action: str
) -> dict[str, Any]:
    """Who gets what, the expected recoverable margin, and every skipped alert with its reason."""
    ctx.require(ENFORCE)
    result, alerts = plan_for(session, ctx, as_filters(filters), action)
    orgs, skus = org_sku_names(
        session,
        ctx,
        {uuid.UUID(i.dealer_id) for i in result.items} | {uuid.UUID(s.dealer_id) for s in result.skipped},
        {uuid.UUID(s) for i in result.items for s in i.sku_ids},
    )

    def dealer_name(d: str) -> str:
        org = orgs.get(uuid.UUID(d))
        return org.name if org else d

    return {
        "action": result.action,
        "label": result.label,
        "recoverable": result.recoverable,
        "items": [
            {
                "dealer_id": i.dealer_id,
                "dealer_name": dealer_name(i.dealer_id),
                "alert_ids": list(i.alert_ids),
                "alert_count": len(i.alert_ids),
                "sku_ids": list(i.sku_ids),
                "sku_codes": [skus[uuid.UUID(s)].code if uuid.UUID(s) in skus else s for s in i.sku_ids],
                "status_before": i.status_before,
                "status_after": i.status_after,
                "dealer_action": i.dealer_action,
                "recoverable": i.recoverable,
                "follow_up": {"title": i.follow_up[0], "due_in_days": i.follow_up[1]},
            }
            for i in result.items
        ],
        "skipped": [
            {
                "alert_id": s.alert_id,
                "dealer_id": s.dealer_id,
                "dealer_name": dealer_name(s.dealer_id),
                "rule": alerts[s.alert_id].rule if s.alert_id in alerts else None,
                "reason": s.reason,
                "detail": s.detail,
            }
            for s in result.skipped
        ],
        "skipped_by_reason": result.skipped_by_reason,
        "totals": {
            "items": len(result.items),
            "alerts": sum(len(i.alert_ids) for i in result.items),
            "skipped": len(result.skipped),
            "recoverable": result.recoverable,
        },
    }
