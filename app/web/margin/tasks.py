"""`/tasks`: the tenant's margin tasks (mine / all, status filter), create, and edit (assignee, due
date, notes) with status changes through TASK_MACHINE. Sales, Ops and Owner work tasks; Viewer
reads them."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, ClassVar

import reflex as rx
from pydantic import ValidationError
from reflex.vars import Var

from app.web.kit import badges, controls, feedback
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.calls import call, write
from app.web.kit.controls import ANY
from app.web.kit.decisions import Action
from app.web.kit.decisions import buttons as decision_buttons
from app.web.kit.lists import KeysetListMixin
from app.web.kit.rows import Option
from app.web.kit.table import col
from app.web.margin import components as mc
from app.web.margin.rows import TaskRow
from app.web.margin.task_rows import (
    NONE,
    TASK_STATUSES,
    TaskDraft,
    create_task,
    due_at,
    fetch_task_options,
    fetch_tasks,
    patch_task,
    task_actions,
)
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.errors import DomainError
from engine.margin.permissions import READ
from engine.margin.permissions import TASKS_WRITE as WRITE

# the form fields `set_field` may set: the create form's (`c_…`, in `draft`) and the edit form's (`e_…`, in `change`)
FORM_FIELDS = ("c_title", "c_alert", "c_assignee", "c_due", "c_notes", "e_assignee", "e_due", "e_notes", "e_reason")
DONE_NOTICES = {
    "start": "Task started.",
    "pause": "Task put back to open.",
    "complete": "Task marked done.",
    "cancel": "Task cancelled.",
    "reopen": "Task reopened.",
}


class TasksState(KeysetListMixin, AuthState):
    notice: str = ""
    can_write: bool = False
    scope: str = "all"
    f_status: str = ANY
    rows: list[TaskRow] = []
    members: list[Option] = []
    edit_members: list[Option] = []
    alert_options: list[Option] = []
    create_open: bool = False
    draft: TaskDraft = TaskDraft()
    edit_open: bool = False
    edit: TaskRow = TaskRow()
    edit_actions: list[Action] = []
    change: TaskDraft = TaskDraft()
    e_pending: str = ""
    busy: bool = False
    _edit_id: str = ""

    _list_permission: ClassVar[str] = READ

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[TaskRow], str | None]:
        return fetch_tasks(ctx, self.scope, self.f_status, cursor)

    async def _reload(self, ctx: TenantContext | None = None):
        """The form options and the first page again (after a filter change or a write)."""
        ctx = ctx or await self._require(READ)
        self._clear_list()
        if ctx is None:
            self.members, self.alert_options, self.can_write = [], [], False
            return
        self.members, self.alert_options = await asyncio.to_thread(fetch_task_options, ctx)
        await self._fetch_page(ctx, append=False)
        self.can_write = ctx.can(WRITE)

    @rx.event
    async def load(self):
        self.error = self.notice = ""
        self.create_open = self.edit_open = False
        self._edit_id = ""
        self.loading = True
        yield
        await self._reload()
        self.loading = False

    @rx.event
    async def set_scope(self, value: str | list[str]):
        self.scope = "mine" if value == "mine" else "all"
        await self._reload()

    @rx.event
    async def set_status(self, value: str):
        self.f_status = value if value in TASK_STATUSES else ANY
        await self._reload()

    @rx.event
    def set_field(self, name: str, value: str):
        # never cut what was typed: the counters show the limits, saving says what is too long
        if name in FORM_FIELDS:
            form, _, key = name.partition("_")
            target = "draft" if form == "c" else "change"
            setattr(self, target, replace(getattr(self, target), **{key: str(value or "")}))

    def _too_long(self, fields: dict[str, str]) -> str:
        """The message for the first field over its limit ('' when all fit)."""
        found = (fmt.too_long(c, t, mc.TITLE_MAX if c == "Title" else mc.NOTE_MAX) for c, t in fields.items())
        return next((message for message in found if message), "")

    @rx.event
    def open_create(self):
        self.create_open, self.error, self.notice, self.draft = True, "", "", TaskDraft()

    @rx.event
    def close_create(self):
        self.create_open = False

    @rx.event
    async def submit_create(self):
        ctx = await self._require(WRITE)
        if ctx is None:
            self.error = "Your role may not create tasks."
            return
        draft = self.draft
        if not draft.title.strip() or not self.create_open:
            return
        too_long = self._too_long({"Title": draft.title.strip(), "Notes": draft.notes.strip()})
        if too_long:
            self.error = too_long
            return
        try:
            await write(create_task, ctx, draft)
        except (DomainError, ValidationError, ValueError) as exc:
            self.error = fmt.error_text(exc)
            return
        self.create_open, self.error, self.notice = False, "", "Task created."
        await self._reload(ctx)

    def _row(self, task_id: str) -> TaskRow | None:
        return next((r for r in self.rows if r.id == str(task_id)), None)

    @rx.event
    async def open_edit(self, task_id: str):
        ctx = await self._require(WRITE)
        row = self._row(task_id)
        if ctx is None or row is None:
            return
        ok, edit_actions = await call(self, task_actions, ctx, row.id)
        if not ok:
            return
        self.edit_actions = edit_actions
        self._edit_id, self.edit = row.id, row
        self.change = TaskDraft(assignee=row.assignee_id, due=row.due, notes=row.notes)
        self.edit_members = self.members + (
            [Option(row.assignee_id, f"{row.assignee} (read-only role)")]
            if row.assignee_id != NONE and all(m.id != row.assignee_id for m in self.members)
            else []
        )
        self.e_pending, self.error, self.notice = "", "", ""
        self.edit_open = True

    @rx.event
    def close_edit(self):
        self.edit_open, self._edit_id, self.e_pending = False, "", ""

    async def _patch(self, fields: dict[str, Any], done: str) -> None:
        ctx = await self._require(WRITE)
        if ctx is None or not self._edit_id:
            self.error = "Your role may not change tasks."
            return
        self.busy = True
        try:
            await write(patch_task, ctx, self._edit_id, fields)
        except (DomainError, ValidationError, ValueError) as exc:
            self.error, self.busy = fmt.error_text(exc), False
            return
        self.busy, self.edit_open, self._edit_id, self.e_pending = False, False, "", ""
        self.error, self.notice = "", done
        await self._reload(ctx)

    @rx.event
    async def save_edit(self):
        if not self._edit_id:
            return
        fields: dict[str, Any] = {
            "assignee_user_id": None if self.change.assignee in ("", NONE) else self.change.assignee,
            "notes": self.change.notes.strip() or None,
        }
        too_long = self._too_long({"Notes": self.change.notes.strip()})
        if too_long:
            self.error = too_long
            return
        try:
            fields["due_at"] = due_at(self.change.due)
        except ValueError:
            self.error = "pick a due date"
            return
        await self._patch(fields, "Task saved.")

    @rx.event
    async def task_action(self, action: str):
        chosen = next((a for a in self.edit_actions if a.action == str(action)), None)
        if chosen is None or not self._edit_id:
            return
        if chosen.reason and not self.change.reason.strip():
            self.e_pending = chosen.action
            self.error = f"{chosen.label}: write a reason first."
            return
        # the status shown: a task someone else moved meanwhile is refused (409), not moved twice
        fields: dict[str, Any] = {"action": chosen.action, "expected_status": self.edit.status or None}
        if chosen.reason:
            fields["reason"] = self.change.reason.strip()
            too_long = self._too_long({"Reason": fields["reason"]})
            if too_long:
                self.error = too_long
                return
        await self._patch(fields, DONE_NOTICES.get(chosen.action, "Task updated."))

    @rx.event
    async def quick_done(self, task_id: str):
        ctx = await self._require(WRITE)
        row = self._row(task_id)
        if ctx is None or row is None or not row.closable:
            return
        ok, _ = await call(
            self, patch_task, ctx, row.id, {"action": "complete", "expected_status": row.status or None}, writes=True
        )
        if not ok:
            return
        self.error, self.notice = "", "Task marked done."
        await self._reload(ctx)


def _task_cell(row: Var) -> rx.Component:
    return rx.vstack(
        rx.text(row["title"], weight="medium", size="2", data_testid="task-title", **controls.WRAP),
        rx.cond(
            row["notes"] != "",
            rx.text(row["notes"], size="1", color_scheme="gray", trim="end", white_space="pre-wrap", **controls.WRAP),
        ),
        spacing="0",
        max_width="26rem",
        min_width="12rem",
    )


def _row_buttons(row: Var) -> rx.Component:
    s = TasksState
    done = controls.soft_button(
        rx.icon("check", size=14), "Done", on_click=s.quick_done(row["id"]), testid="task-done", color="green", size="1"
    )
    edit = controls.soft_button("Edit", on_click=s.open_edit(row["id"]), testid="task-edit", size="1")
    return rx.cond(s.can_write, rx.hstack(rx.cond(row["closable"].to(bool), done), edit, spacing="2"))


TASK_COLUMNS = [
    col("Task", _task_cell),
    col(
        "Alert",
        lambda r: rx.cond(
            r["alert_id"] != "",
            rx.link(r["alert"], href="/alert/" + r["alert_id"].to(str), size="2"),
            rx.text("—", color_scheme="gray"),
        ),
    ),
    col("Dealer", lambda r: rx.text(r["dealer"], size="2")),
    col("Assignee", lambda r: rx.text(r["assignee"], size="2")),
    col(
        "Due",
        lambda r: rx.text(
            r["due"], size="2", color=rx.cond(r["overdue"].to(bool), rx.color("red", 11), rx.color("gray", 12))
        ),
        white_space="nowrap",
    ),
    col("Status", lambda r: badges.status_badge(r["status"], data_testid="task-status")),
    col("", _row_buttons),
]


def _value(field: str) -> Var:
    """The form field `c_…` (create) or `e_…` (edit) as a Var."""
    form, _, key = field.partition("_")
    return (TasksState.draft if form == "c" else TasksState.change)[key].to(str)


def _select(options: Var, field: str, aria: str, first: tuple[str, str]) -> rx.Component:
    return controls.select(
        options,
        _value(field),
        lambda v: TasksState.set_field(field, v),
        aria,
        first=first,
        trigger={"width": "100%"},
    )


def _text(field: str, caption: str, limit: int, counter: str, control: Any = rx.text_area, **props) -> rx.Component:
    """A captioned text field of a task form with its character counter."""
    value = _value(field)
    box = control(value=value, on_change=lambda v: TasksState.set_field(field, v), width="100%", **props)
    return controls.field(caption, box, controls.char_counter(value, limit, counter), width="100%")


def _notes(prefix: str) -> rx.Component:
    return _text(f"{prefix}_notes", "Notes", mc.NOTE_MAX, "task-notes-counter", rows="3", aria_label="Notes")


def _form_error() -> rx.Component:
    return rx.cond(
        TasksState.error != "", rx.callout(TasksState.error, icon="triangle-alert", color_scheme="red", width="100%")
    )


def _assignee_and_due(prefix: str) -> rx.Component:
    """Assignee and due date of the create (`c_…`) or edit (`e_…`) form."""
    s = TasksState
    due = f"{prefix}_due"
    members = s.edit_members if prefix == "e" else s.members
    return rx.hstack(
        controls.field("Assignee", _select(members, f"{prefix}_assignee", "Assignee", (NONE, "Unassigned")), flex="1"),
        controls.field(
            "Due",
            rx.input(
                type="date",
                value=_value(due),
                on_change=lambda v: TasksState.set_field(due, v),
                aria_label="Due date",
            ),
        ),
        width="100%",
    )


def _task_dialog(title: Any, *top: rx.Component, body: list[rx.Component], open_: Var, on_close: Any, gap: str):
    """A task form's dialog: `top` under the title, then the form's fields and buttons."""
    return controls.dialog(
        title,
        *top,
        rx.vstack(*body, spacing="3", width="100%", margin_top=gap),
        open_=open_,
        on_close=on_close,
        max_width="34rem",
    )


def create_dialog() -> rx.Component:
    s = TasksState
    title = rx.form(
        # a one-field form: Enter in the title submits (Reflex forms preventDefault)
        rx.input(
            value=s.draft.title,
            on_change=lambda v: TasksState.set_field("c_title", v),
            width="100%",
            data_testid="task-new-title",
            aria_label="Title",
        ),
        on_submit=lambda _form: TasksState.submit_create(),
        width="100%",
    )
    too_long = (s.draft.title.length() > mc.TITLE_MAX) | (s.draft.notes.length() > mc.NOTE_MAX)
    create = rx.button(
        "Create task",
        on_click=s.submit_create,
        disabled=(s.draft.title.strip() == "") | too_long,
        data_testid="task-create-submit",
    )
    alert = _select(s.alert_options, "c_alert", "Alert", (NONE, "No alert"))
    return _task_dialog(
        "New task",
        body=[
            controls.field(
                "Title", title, controls.char_counter(s.draft.title, mc.TITLE_MAX, "task-title-counter"), width="100%"
            ),
            controls.field("Alert (optional)", alert, width="100%"),
            _assignee_and_due("c"),
            _notes("c"),
            _form_error(),
            controls.dialog_footer(create, on_cancel=s.close_create, width="100%"),
        ],
        open_=s.create_open,
        on_close=TasksState.close_create,
        gap="0.5rem",
    )


def edit_dialog() -> rx.Component:
    s = TasksState
    save = rx.button("Save", on_click=s.save_edit, disabled=s.busy, data_testid="task-save")
    reason = _text(
        "e_reason",
        "Reason (needed to cancel or reopen the task)",
        mc.NOTE_MAX,
        "task-reason-counter",
        rx.input,
        aria_label="Reason",
    )
    return _task_dialog(
        s.edit["title"],
        rx.hstack(
            badges.status_badge(s.edit["status"]),
            rx.text(s.edit["dealer"], size="2", color_scheme="gray"),
            align="center",
        ),
        body=[
            _assignee_and_due("e"),
            _notes("e"),
            controls.dialog_footer(save, on_cancel=s.close_edit, cancel="Close", width="100%"),
            rx.divider(),
            rx.text("Status", weight="bold", size="2"),
            reason,
            decision_buttons(s.edit_actions, TasksState.task_action, "task-action", disabled=s.busy),
            _form_error(),
        ],
        open_=s.edit_open,
        on_close=TasksState.close_edit,
        gap="0.75rem",
    )


def _toolbar() -> rx.Component:
    s = TasksState
    return rx.flex(
        rx.segmented_control.root(
            rx.segmented_control.item("All tasks", value="all"),
            rx.segmented_control.item("Mine", value="mine"),
            value=s.scope,
            on_change=s.set_scope,
            data_testid="task-scope",
        ),
        controls.choice(
            [(v, fmt.label(v)) for v in TASK_STATUSES], s.f_status, s.set_status, "Status", every="All statuses"
        ),
        rx.spacer(),
        rx.cond(
            s.can_write,
            rx.button(rx.icon("plus", size=16), "New task", on_click=s.open_create, data_testid="task-new"),
        ),
        gap="0.75rem",
        align="center",
        wrap="wrap",
        width="100%",
    )


@app_page("/tasks", "Tasks", permission=READ, nav="Tasks", icon="list-checks", order=12, on_load=TasksState.load)
def tasks_page() -> rx.Component:
    s = TasksState
    return rx.vstack(
        _toolbar(),
        rx.cond(~s.create_open & ~s.edit_open, feedback.messages(s.error, s.notice)),
        tables.paged_table(
            s,
            TASK_COLUMNS,
            "tasks-table",
            "No tasks here.",
            "list-checks",
            row_testid="task-row",
            more_testid="tasks-load-more",
        ),
        create_dialog(),
        edit_dialog(),
        spacing="4",
        width="100%",
    )
