"""Margin's decision routes from the core factory: `POST /api/{alerts,tasks,dealers}/{id}/update`.
The spec-named paths (`PATCH /api/alerts/{id}`, `PATCH /api/dealers/{id}/status`) stay.

Each entity reuses margin's own decision action, so a decision here has exactly the effects it has
there (an alert's touch and duplicate-open guard, a dealer's ladder row, a task's rules).
"""

from __future__ import annotations

from fastapi import APIRouter

from app.api.core.decisions import decision_router
from engine.margin.machines import ALERT_MACHINE, DEALER_MACHINE, TASK_MACHINE
from models.core.decision_actions import DecisionTarget
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

router = APIRouter()
for _target in (ALERTS, TASKS, DEALERS):
    router.include_router(decision_router(_target))
