"""What margin adds to the one inbox (models/core/inbox.py): open tasks assigned to me, and open
alerts waiting on me — those with an open task of mine, or put in their current status by me
(I acknowledged it, or started its enforcement)."""

from __future__ import annotations

from sqlalchemy import exists, or_
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.margin.machines import ALERT_MACHINE, ALERT_OPEN_STATES, TASK_OPEN_STATES
from engine.margin.permissions import READ
from models.catalog.tables import Organization, Sku
from models.core.inbox import InboxItem, InboxProvider
from models.core.tables import DecisionEvent
from models.margin.search_providers import alert_title, with_dealer_and_sku
from models.margin.tables import MarginAlert, MarginTask


def _my_tasks(session: Session, ctx: TenantContext, limit: int) -> list[InboxItem]:
    found = session.exec(
        select(MarginTask)
        .where(
            MarginTask.tenant_id == ctx.tenant_id,
            MarginTask.assignee_user_id == ctx.user_id,
            col(MarginTask.status).in_(sorted(TASK_OPEN_STATES)),
        )
        .order_by(col(MarginTask.due_at).asc().nulls_last(), col(MarginTask.created_at), col(MarginTask.id))
        .limit(limit)
    ).all()
    return [
        InboxItem(
            "tasks",
            str(t.id),
            t.title,
            "Assigned to you" + (" · in progress" if t.status == "in_progress" else ""),
            "/tasks",
            t.created_at,
            t.due_at,
        )
        for t in found
    ]


def _my_alerts(session: Session, ctx: TenantContext, limit: int) -> list[InboxItem]:
    me = str(ctx.user_id)
    my_task = exists().where(
        col(MarginTask.tenant_id) == ctx.tenant_id,
        col(MarginTask.alert_id) == col(MarginAlert.id),
        col(MarginTask.assignee_user_id) == ctx.user_id,
        col(MarginTask.status).in_(sorted(TASK_OPEN_STATES)),
    )
    my_decision = exists().where(
        col(DecisionEvent.tenant_id) == ctx.tenant_id,
        col(DecisionEvent.machine) == ALERT_MACHINE.name,
        col(DecisionEvent.entity_id) == col(MarginAlert.id),
        col(DecisionEvent.actor) == me,
        col(DecisionEvent.to_status) == col(MarginAlert.status),
    )
    found = session.exec(
        select(MarginAlert, Organization.name, Sku.code, my_task)
        .where(
            with_dealer_and_sku(ctx, col(MarginAlert.status).in_(sorted(ALERT_OPEN_STATES)), or_(my_task, my_decision))
        )
        .order_by(col(MarginAlert.opened_at), col(MarginAlert.id))
        .limit(limit)
    ).all()
    why = {"acknowledged": "You acknowledged it", "in_enforcement": "You started its enforcement"}
    return [
        InboxItem(
            "alerts",
            str(a.id),
            alert_title(a, dealer, code),
            "Your task is open on it" if has_task else why.get(a.status, "Waiting on you"),
            f"/alert/{a.id}",
            a.opened_at,
        )
        for a, dealer, code, has_task in found
    ]


PROVIDERS = (
    InboxProvider("tasks", "Tasks assigned to me", READ, _my_tasks),
    InboxProvider("alerts", "Alerts waiting on me", READ, _my_alerts),
)
