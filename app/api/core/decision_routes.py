"""The decision routes of today's decision-bearing entities, all from one factory:
`POST /api/{alerts,tasks,dealers,orgs}/{id}/update`. The older, spec-named paths
(`PATCH /api/alerts/{id}`, `PATCH /api/dealers/{id}/status`, `POST /api/orgs/{id}/status`) stay.

Each entity reuses its module's own decision action, so a decision here has exactly the effects
it has there (an alert's touch and duplicate-open guard, a dealer's ladder row, a task's rules).
"""

from __future__ import annotations

from app.api.catalog.routes import READ as CATALOG_READ
from app.api.core.decisions import decision_router
from app.api.core.settings import feature
from engine.catalog.machines import ORG_STATUS
from engine.margin.machines import ALERT_MACHINE, DEALER_MACHINE, TASK_MACHINE
from models.catalog import orgs
from models.core.decision_actions import DecisionTarget
from models.core.flags import ENABLE_ORG
from models.margin import alerts, dealers, tasks
from models.margin.inputs import TaskPatch

MARGIN_READ = "margin.read"

ALERTS = DecisionTarget(
    "alerts",
    ALERT_MACHINE,
    MARGIN_READ,
    load=alerts.get_alert,
    apply=lambda s, ctx, row, action, reason: alerts.patch_alert(s, ctx, row.id, action=action, reason=reason),
)
TASKS = DecisionTarget(
    "tasks",
    TASK_MACHINE,
    MARGIN_READ,
    load=tasks.get_task,
    apply=lambda s, ctx, row, action, reason: tasks.patch_task(s, ctx, row.id, TaskPatch(action=action, reason=reason)),
)
DEALERS = DecisionTarget(
    "dealers",
    DEALER_MACHINE,
    MARGIN_READ,
    load=lambda s, ctx, dealer_id: dealers.status_row(s, ctx, dealers.get_dealer(s, ctx, dealer_id)),
    apply=lambda s, ctx, row, action, reason: dealers.change_status(s, ctx, row.dealer_id, action, reason),
)
ORGS = DecisionTarget(
    "orgs",
    ORG_STATUS,
    CATALOG_READ,
    load=orgs.get_org,
    apply=lambda s, ctx, row, action, reason: orgs.change_org_status(s, ctx, row.id, action, reason),
)

ROUTERS = [
    decision_router(ALERTS),
    decision_router(TASKS),
    decision_router(DEALERS),
    decision_router(ORGS, context=feature(ENABLE_ORG, CATALOG_READ)),
]
