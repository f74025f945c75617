"""Dashboard summary definitions (QA #8): "opened" is `opened_at` for the trend as for the tables,
the open impact states its scope (MAP/MRP) next to the all-rules figure, and "due" excludes overdue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from engine.margin.machines import ALERT_OPEN_STATES, TASK_OPEN_STATES
from models.core.db import tenant_session
from models.margin import dashboard
from models.margin.dealers import PRICE_RULES
from models.margin.tables import MarginAlert, MarginTask
from seeds.margin import DEMO_AS_OF


def test_trend_counts_alerts_by_opened_at_like_the_tables(margin_a):
    ctx = margin_a.ctx("viewer")
    with tenant_session(ctx) as session:
        now = max(a.opened_at for a in session.exec(select(MarginAlert)).all()) + timedelta(hours=1)
        s = dashboard.summary(session, ctx, now=now)
        alerts = session.exec(select(MarginAlert).where(MarginAlert.tenant_id == ctx.tenant_id)).all()
    days = {t["day"]: t["alerts"] for t in s["breach_trend"]}
    expected: dict[str, int] = {}
    for a in alerts:
        day = a.opened_at.astimezone(now.tzinfo).date().isoformat()
        if day in days:
            expected[day] = expected.get(day, 0) + 1
    assert {d: c for d, c in days.items() if c} == expected
    assert sum(days.values()) == len(alerts)  # every seeded alert was opened in the window


def test_open_impact_is_scoped_and_the_all_rules_figure_adds_up(margin_a):
    ctx = margin_a.ctx("viewer")
    with tenant_session(ctx) as session:
        s = dashboard.summary(session, ctx)
        open_alerts = session.exec(
            select(MarginAlert).where(
                MarginAlert.tenant_id == ctx.tenant_id,
                MarginAlert.status.in_(ALERT_OPEN_STATES),  # type: ignore[attr-defined]
            )
        ).all()
    assert s["lost_margin_open"] == sum((a.impact for a in open_alerts if a.rule in PRICE_RULES), Decimal(0))
    assert s["open_impact_all"] == sum((a.impact for a in open_alerts), Decimal(0))
    assert s["open_impact_all"] > s["lost_margin_open"]  # the seed has open competitor alerts
    assert sum(s["open_impact_by_rule"].values()) == s["open_impact_all"]


def test_due_and_overdue_tasks_do_not_overlap(margin_a):
    ctx = margin_a.ctx("viewer")
    now = DEMO_AS_OF + timedelta(hours=12)
    with tenant_session(ctx) as session:
        s = dashboard.summary(session, ctx, now=now)
        tasks = session.exec(
            select(MarginTask).where(
                MarginTask.tenant_id == ctx.tenant_id,
                MarginTask.status.in_(TASK_OPEN_STATES),  # type: ignore[attr-defined]
            )
        ).all()
    overdue = [t for t in tasks if t.due_at and t.due_at < now]
    due = [t for t in tasks if t.due_at and now <= t.due_at <= now + timedelta(days=1)]
    assert overdue and due  # the seed spreads due dates around DEMO_AS_OF
    assert s["tasks_overdue"] == len(overdue)
    assert s["tasks_due"] == len(due)
    assert s["tasks_open"] == len(tasks)


def test_summary_api_carries_the_new_keys(margin_a):
    from fastapi.testclient import TestClient

    from app.api.main import create_api

    client = TestClient(create_api(), raise_server_exceptions=False)
    res = client.post(
        "/api/auth/login", json={"email": margin_a.tenant.owner_email, "password": margin_a.tenant.password}
    )
    client.headers["Authorization"] = f"Bearer {res.json()['token']}"
    body = client.get("/api/dashboard/summary").json()
    assert Decimal(body["open_impact_all"]) == sum(Decimal(v) for v in body["open_impact_by_rule"].values())
    assert Decimal(body["open_impact_all"]) >= Decimal(body["lost_margin_open"])
    assert {"tasks_due", "tasks_overdue", "tasks_open", "breach_trend"} <= body.keys()
