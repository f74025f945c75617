"""What `/tasks` shows and sends, computed in a worker thread: one page of task rows as display
strings, the form's pick lists, a task's buttons, and the create / patch calls (the margin actions
own the transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from app.web.kit import format as fmt
from app.web.kit.decisions import Action
from app.web.kit.rows import Option
from app.web.margin import components as mc
from app.web.margin.rows import TaskRow
from engine.context import TenantContext
from engine.margin.machines import TASK_MACHINE
from engine.margin.permissions import TASKS_WRITE as WRITE
from models.margin import actions
from models.margin.inputs import TaskCreate, TaskPatch
from models.margin.queries import tasks as task_queries
from models.margin.queries.tasks import TaskFilters

NONE = "__none__"
TASK_STATUSES = TASK_MACHINE.statuses
PAGE_SIZE = 50
# the edit dialog's status buttons: "Cancel" there cancels the task (its dismiss button is "Close")
ACTION_LABELS = {"cancel": "Cancel task", "reopen": "Reopen task"}


@dataclass(frozen=True)
class TaskDraft:
    """What a task form holds: the create form uses title, alert, assignee, due and notes; the edit
    form assignee, due, notes and the reason a status change may need. Never cut: the counters show
    the limits and saving says what is too long."""

    title: str = ""
    alert: str = NONE
    assignee: str = NONE
    due: str = ""
    notes: str = ""
    reason: str = ""


def _id_or_none(value: str) -> Any:
    return fmt.parse_uuid(value) if value not in ("", NONE) else None


def due_at(value: str) -> datetime | None:
    text = (value or "").strip()[:10]
    if not text:
        return None
    return datetime.combine(date.fromisoformat(text), time(23, 59), tzinfo=UTC)


def fetch_tasks(
    ctx: TenantContext, scope: str, status: str, cursor: str | None = None
) -> tuple[list[TaskRow], str | None]:
    """One page of task rows in the repository's order (newest first, as `GET /api/tasks`)."""
    filters = TaskFilters(
        status=status if status in TASK_STATUSES else None,
        assignee_user_id=ctx.user_id if scope == "mine" else None,
    )
    page = task_queries.task_page(ctx, filters, limit=PAGE_SIZE, cursor=cursor or None)
    now = datetime.now(UTC)
    rows = []
    for view in page.items:
        t = view.task
        live = t.status in ("open", "in_progress")
        rows.append(
            TaskRow(
                id=str(t.id),
                title=t.title,
                notes=t.notes or "",
                status=t.status,
                alert_id=str(t.alert_id) if t.alert_id else "",
                alert=mc.rule_label(view.alert_rule) if view.alert_rule else "",
                dealer=view.dealer_name or "",
                assignee=view.assignee_name or "",
                assignee_id=str(t.assignee_user_id) if t.assignee_user_id else NONE,
                due=fmt.when(t.due_at, time=False),
                overdue=bool(t.due_at and t.due_at < now and live),
                closable=live and ctx.can(WRITE),
            )
        )
    return rows, page.next_cursor


def fetch_task_options(ctx: TenantContext) -> tuple[list[Option], list[Option]]:
    """(assignees, alerts) for the task forms: members who may work tasks (a Viewer could neither
    open nor close one) and the open alerts."""
    found = task_queries.task_options(ctx)
    return (
        [Option(m.user_id, m.display_name) for m in found.assignable],
        [Option(r.id, f"{r.rule_label} · {r.dealer} · {r.sku}") for r in mc.alert_rows(found.open_alerts)],
    )


def task_actions(ctx: TenantContext, task_id: str) -> list[Action]:
    return [
        Action(a["action"], ACTION_LABELS.get(a["action"], a["label"]), bool(a["reason_required"]))
        for a in task_queries.task_actions(ctx, task_id)
    ]


def create_task(ctx: TenantContext, draft: TaskDraft) -> None:
    data = TaskCreate(
        title=draft.title.strip(),
        alert_id=_id_or_none(draft.alert),
        assignee_user_id=_id_or_none(draft.assignee),
        due_at=due_at(draft.due),
        notes=draft.notes.strip() or None,
    )
    actions.create_task(ctx, data)


def patch_task(ctx: TenantContext, task_id: str, fields: dict[str, Any]) -> None:
    actions.patch_task(ctx, task_id, TaskPatch(**fields))
