"""Tasks: list (filters + keyset pages), create, patch (status via TASK_MACHINE, the rest audited)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlmodel import Session, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.margin.machines import TASK_MACHINE
from engine.rbac import has_permission
from models.catalog.tables import Organization
from models.core import mutations
from models.core.base import utcnow
from models.core.decisions import decide, lock_for_decision
from models.core.identity import Member, tenant_members
from models.core.pagination import Page, keyset_page, parse_instant
from models.core.repo import get_in_tenant, reference
from models.core.tables import Membership
from models.margin.inputs import TaskCreate, TaskPatch
from models.margin.tables import MarginAlert, MarginTask

WRITE = "margin.tasks.write"
DUE_MAX_DAYS = 3653  # ten years


def get_task(session: Session, ctx: TenantContext, task_id: Any) -> MarginTask:
    return get_in_tenant(session, ctx, MarginTask, task_id, "task")


def list_tasks(
    session: Session,
    ctx: TenantContext,
    *,
    status: str | None = None,
    alert_id: uuid.UUID | None = None,
    dealer_id: uuid.UUID | None = None,
    assignee_user_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[MarginTask]:
    """Newest first, as every margin list (alerts, batches, notices): ordered by (created_at, id)
    descending, keyset-paginated. The /tasks page and `GET /api/tasks` both read this order."""
    query = select(MarginTask).where(MarginTask.tenant_id == ctx.tenant_id)
    for column, value in (
        (MarginTask.status, status),
        (MarginTask.alert_id, alert_id),
        (MarginTask.dealer_id, dealer_id),
        (MarginTask.assignee_user_id, assignee_user_id),
    ):
        if value:
            query = query.where(column == value)
    return keyset_page(
        session,
        query,
        MarginTask.created_at,
        MarginTask.id,
        limit=limit,
        cursor=cursor,
        descending=True,
        parse=parse_instant,
    )


def assignable_members(session: Session, ctx: TenantContext) -> list[Member]:
    """Members of the tenant who may work tasks (their role holds `margin.tasks.write`): the
    only valid assignees. Pages offer these, not every member."""
    return [m for m in tenant_members(session, ctx) if _may_work_tasks(m.role)]


def _may_work_tasks(role: str) -> bool:
    try:
        return has_permission(role, WRITE)
    except ValueError:  # a role this build does not know
        return False


def _check_assignee(session: Session, ctx: TenantContext, user_id: uuid.UUID | None) -> None:
    if user_id is None:
        return
    role = session.exec(
        select(Membership.role).where(Membership.tenant_id == ctx.tenant_id, Membership.user_id == user_id)
    ).first()
    if role is None:
        raise_validation("assignee_user_id", "no member of this tenant")
    if not _may_work_tasks(role):
        raise ValidationFailed(
            f"assignee_user_id: the member's role '{role}' may not work on tasks ({WRITE})",
            fields={"assignee_user_id": "role may not work on tasks"},
        )


def _check_due(ctx: TenantContext, due_at: datetime | None, *, current: datetime | None = None) -> None:
    """A due date a person sets is today or later (in the sender's own offset) and at most 10
    years ahead. An unchanged due day passes (the page sends the shown day back at 23:59 UTC), so
    an overdue task can still be edited; the platform itself (system context: seeds, workers)
    may record past due dates."""
    if due_at is None or ctx.user_id is None:
        return
    if due_at.tzinfo is None:
        raise ValidationFailed("due_at: needs a time zone", fields={"due_at": "needs a time zone"})
    if current is not None and current.tzinfo is not None and current.astimezone(due_at.tzinfo).date() == due_at.date():
        return
    today = datetime.now(due_at.tzinfo).date()
    if due_at.date() < today:
        raise ValidationFailed(
            f"due_at: {due_at.date().isoformat()} is in the past; pick today or a later day",
            fields={"due_at": "must be today or later"},
        )
    if due_at.date() > today + timedelta(days=DUE_MAX_DAYS):
        raise ValidationFailed(
            f"due_at: {due_at.date().isoformat()} is more than 10 years ahead",
            fields={"due_at": "must be within 10 years"},
        )


def raise_validation(field: str, what: str) -> NoReturn:
    raise ValidationFailed(f"{field}: {what}", fields={field: "not found"})


def create_task(
    session: Session, ctx: TenantContext, data: TaskCreate, *, task_id: uuid.UUID | None = None
) -> MarginTask:
    ctx.require(WRITE)
    dealer_id = data.dealer_id
    if data.alert_id is not None:
        alert = reference(session, ctx, MarginAlert, data.alert_id, "alert_id", "alert")
        dealer_id = dealer_id or alert.dealer_id
    if dealer_id is not None:
        reference(session, ctx, Organization, dealer_id, "dealer_id", "organization")
    _check_assignee(session, ctx, data.assignee_user_id)
    _check_due(ctx, data.due_at)
    now = utcnow()
    task = MarginTask(
        id=task_id or uuid.uuid4(),
        tenant_id=ctx.tenant_id,
        alert_id=data.alert_id,
        dealer_id=dealer_id,
        title=data.title,
        notes=data.notes,
        assignee_user_id=data.assignee_user_id,
        due_at=data.due_at,
        status="open",
        created_by=ctx.actor_label,
        created_at=now,
        updated_at=now,
    )
    return mutations.create(session, ctx, task, action="margin_task.create")


def patch_task(session: Session, ctx: TenantContext, task_id: Any, data: TaskPatch) -> MarginTask:
    """Fields first (audited update), then the status decision (TASK_MACHINE), in one unit of work."""
    ctx.require(WRITE)
    task = get_task(session, ctx, task_id)
    if data.action is not None:  # the row lock and the stale check before the fields' audited update
        lock_for_decision(session, TASK_MACHINE, task, data.expected_status)
    changes = {
        k: v for k, v in data.model_dump(exclude_unset=True).items() if k not in ("action", "reason", "expected_status")
    }
    if "title" in changes and changes["title"] is None:
        raise_validation("title", "cannot be empty")
    if "assignee_user_id" in changes and changes["assignee_user_id"] != task.assignee_user_id:
        _check_assignee(session, ctx, changes["assignee_user_id"])  # an unchanged assignee may stay
    if "due_at" in changes:
        _check_due(ctx, changes["due_at"], current=task.due_at)
    if changes:
        mutations.update(session, ctx, task, {**changes, "updated_at": utcnow()}, action="margin_task.update")
    if data.action is not None:
        decide(session, ctx, TASK_MACHINE, task, data.action, reason=data.reason, expected_status=data.expected_status)
    return task


def actions_for(ctx: TenantContext, task: MarginTask) -> list[dict[str, Any]]:
    return [
        {"action": t.action, "label": t.display, "reason_required": t.reason_required}
        for t in TASK_MACHINE.actions_for(task, ctx)
    ]
