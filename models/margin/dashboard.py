"""Dashboard summary and global search — every figure computed from the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.margin.frames import PRICE_RULES
from engine.margin.machines import ALERT_OPEN_STATES, TASK_OPEN_STATES
from models.core.base import utcnow
from models.jobs.tables import Job
from models.margin.tables import MarginAlert, MarginAlertEvidence, MarginTask

TREND_DAYS = 14
PERIOD_DAYS = 30


def summary(
    session: Session, ctx: TenantContext, *, now: datetime | None = None, period_days: int = PERIOD_DAYS
) -> dict[str, Any]:
    """Open alerts by rule and severity, lost margin this period, dealers in breach, tasks due,
    running batches (jobs), and the daily breach trend (alerts opened per day, last TREND_DAYS).

    Definitions (the dashboard labels say the same):
    - "opened" is `opened_at` everywhere (trend, tables, lists), never `first_seen`;
    - `lost_margin_open` is the impact of open MAP/MRP alerts only; `open_impact_all` adds the
      other rules (competitor undercut, dead stock) and `open_impact_by_rule` splits it;
    - `tasks_due` are open tasks due within the next day and **not yet overdue**; `tasks_overdue`
      are open tasks past their due date (the two never overlap)."""
    now = now or utcnow()
    tenant = ctx.tenant_id
    open_alert = (MarginAlert.tenant_id == tenant, col(MarginAlert.status).in_(ALERT_OPEN_STATES))
    # one pass over the open alerts (index-only on ix_margin_alerts_open_summary) gives the counts
    # by rule and by severity and the open loss
    groups = session.exec(
        select(MarginAlert.rule, MarginAlert.severity, func.count(), func.coalesce(func.sum(MarginAlert.impact), 0))
        .where(*open_alert)
        .group_by(MarginAlert.rule, MarginAlert.severity)
    ).all()
    by_rule: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    impact_by_rule: dict[str, Decimal] = {}
    open_lost = Decimal(0)
    for rule, severity, count, impact in groups:
        by_rule[rule] = by_rule.get(rule, 0) + int(count)
        by_severity[severity] = by_severity.get(severity, 0) + int(count)
        impact_by_rule[rule] = impact_by_rule.get(rule, Decimal(0)) + Decimal(impact)
        if rule in PRICE_RULES:
            open_lost += Decimal(impact)
    since = now - timedelta(days=period_days)
    # lost margin this period: contributions of MAP/MRP evidence observed in the period, on alerts not dismissed
    lost = session.exec(
        select(func.coalesce(func.sum(MarginAlertEvidence.impact), 0)).where(
            MarginAlertEvidence.tenant_id == tenant,
            MarginAlert.tenant_id == tenant,
            MarginAlertEvidence.alert_id == MarginAlert.id,
            col(MarginAlert.rule).in_(PRICE_RULES),
            MarginAlert.status != "dismissed",
            col(MarginAlertEvidence.observed_at) > since,
            col(MarginAlertEvidence.observed_at) <= now,
        )
    ).one()
    dealers_in_breach = session.exec(
        select(func.count(func.distinct(MarginAlert.dealer_id))).where(
            *open_alert,
            col(MarginAlert.rule).in_(PRICE_RULES),
        )
    ).one()
    open_task = (MarginTask.tenant_id == tenant, col(MarginTask.status).in_(TASK_OPEN_STATES))
    tasks_open, tasks_due, tasks_overdue = session.exec(
        select(
            func.count(),
            func.count().filter(col(MarginTask.due_at) >= now, col(MarginTask.due_at) <= now + timedelta(days=1)),
            func.count().filter(col(MarginTask.due_at) < now),
        ).where(*open_task)
    ).one()
    running = session.exec(
        select(Job.kind, func.count())
        .where(Job.tenant_id == tenant, col(Job.status).in_(("queued", "running")))
        .group_by(Job.kind)
    ).all()
    start = (now - timedelta(days=TREND_DAYS - 1)).date()
    # "opened" = opened_at, the date the alert tables show (first_seen is the first evidence's time)
    day = func.date_trunc("day", func.timezone("UTC", MarginAlert.opened_at))
    counts = {
        d.date(): int(c)
        for d, c in session.exec(
            select(day, func.count())
            .where(
                MarginAlert.tenant_id == tenant,
                MarginAlert.opened_at >= datetime.combine(start, datetime.min.time(), now.tzinfo),
            )
            .group_by(day)
        ).all()
    }
    trend = [
        {"day": (start + timedelta(days=i)).isoformat(), "alerts": counts.get(start + timedelta(days=i), 0)}
        for i in range(TREND_DAYS)
    ]
    return {
        "as_of": now,
        "period_days": period_days,
        "open_alerts": sum(by_rule.values()),
        "open_alerts_by_rule": by_rule,
        "open_alerts_by_severity": by_severity,
        "lost_margin_period": Decimal(lost),
        "lost_margin_open": Decimal(open_lost),
        "open_impact_all": sum(impact_by_rule.values(), Decimal(0)),
        "open_impact_by_rule": impact_by_rule,
        "dealers_in_breach": int(dealers_in_breach),
        "tasks_open": int(tasks_open),
        "tasks_due": int(tasks_due),
        "tasks_overdue": int(tasks_overdue),
        "running_batches": sum(int(c) for _, c in running),
        "running_jobs_by_kind": {k: int(c) for k, c in running},
        "breach_trend": trend,
    }
