"""Task reads: one page of tasks (the repository's order, newest first) with the names around it,
and what a task form offers (assignable members, open alerts to link)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from engine.context import TenantContext
from models.catalog.lookups import names_by_id
from models.core.db import tenant_session
from models.core.identity import Member, tenant_members
from models.core.pagination import Page
from models.margin import alerts as alert_repo
from models.margin import tasks as task_repo
from models.margin.queries.alerts import AlertView, alert_views
from models.margin.tables import MarginAlert, MarginTask


@dataclass(frozen=True)
class TaskView:
    task: MarginTask
    actions: list[dict[str, Any]]
    alert_rule: str | None
    dealer_name: str | None
    assignee_name: str | None


@dataclass(frozen=True)
class TaskFilters:
    status: str | None = None
    alert_id: uuid.UUID | None = None
    dealer_id: uuid.UUID | None = None
    assignee_user_id: uuid.UUID | None = None


@dataclass(frozen=True)
class TaskOptions:
    """What a task form offers: who may be assigned, and the open alerts a task can be about."""

    assignable: list[Member]
    open_alerts: list[AlertView]


def task_views(session: Any, ctx: TenantContext, tasks: list[MarginTask]) -> list[TaskView]:
    alert_ids = list({t.alert_id for t in tasks if t.alert_id})
    rules: dict[uuid.UUID, str] = {}
    if alert_ids:
        rules = dict(
            session.exec(
                select(MarginAlert.id, MarginAlert.rule).where(
                    MarginAlert.tenant_id == ctx.tenant_id,
                    col(MarginAlert.id).in_(alert_ids),
                )
            ).all()
        )
    orgs, _ = names_by_id(session, ctx, {t.dealer_id for t in tasks})
    members = {m.user_id: m.display_name for m in tenant_members(session, ctx)} if tasks else {}
    return [
        TaskView(
            task=t,
            actions=task_repo.actions_for(ctx, t),
            alert_rule=rules.get(t.alert_id) if t.alert_id else None,
            dealer_name=orgs[t.dealer_id].name if t.dealer_id is not None and t.dealer_id in orgs else None,
            assignee_name=members.get(str(t.assignee_user_id)) if t.assignee_user_id else None,
        )
        for t in tasks
    ]


def task_page(ctx: TenantContext, filters: TaskFilters, *, limit: int, cursor: str | None) -> Page[TaskView]:
    """One page of tasks in the repository's order (newest first) with the names around them."""
    with tenant_session(ctx) as session:
        page = task_repo.list_tasks(
            session,
            ctx,
            status=filters.status,
            alert_id=filters.alert_id,
            dealer_id=filters.dealer_id,
            assignee_user_id=filters.assignee_user_id,
            limit=limit,
            cursor=cursor,
        )
        return Page(task_views(session, ctx, page.items), page.next_cursor)


def task_options(ctx: TenantContext) -> TaskOptions:
    with tenant_session(ctx) as session:
        open_alerts = alert_repo.list_alerts(session, ctx, open_only=True, limit=100).items
        return TaskOptions(task_repo.assignable_members(session, ctx), alert_views(session, ctx, open_alerts))


def task_actions(ctx: TenantContext, task_id: Any) -> list[dict[str, Any]]:
    with tenant_session(ctx) as session:
        return task_repo.actions_for(ctx, task_repo.get_task(session, ctx, task_id))
