"""`/tasks`: the tenant's margin tasks (mine / all, status filter), create, and edit (assignee, due
date, notes) with status changes through TASK_MACHINE. Sales, Ops and Owner work tasks; Viewer
reads them."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import reflex as rx
from pydantic import ValidationError
from reflex.vars import Var

from app.web.kit import badges, controls, feedback
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.calls import call, write
from app.web.kit.controls import ANY
from app.web.kit.lists import KeysetListMixin
from app.web.margin import components as mc
from app.web.margin.task_rows import (
    NONE,
    TASK_STATUSES,
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
    members: list[dict[str, str]] = []
    edit_members: list[dict[str, str]] = []
    alert_options: list[dict[str, str]] = []
    # create dialog
    create_open: bool = False
    c_title: str = ""
    c_alert: str = NONE
    c_assignee: str = NONE
    c_due: str = ""
    c_notes: str = ""
    # edit dialog
    edit_open: bool = False
    edit: dict[str, str] = {}
    edit_actions: list[dict[str, str]] = []
    e_assignee: str = NONE
    e_due: str = ""
    e_notes: str = ""
    e_reason: str = ""
    e_pending: str = ""
    busy: bool = False
    _edit_id: str = ""

    _list_permission: ClassVar[str] = READ

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[dict[str, str]], str | None]:
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
        if name in (
            "c_title",
            "c_alert",
            "c_assignee",
            "c_due",
            "c_notes",
            "e_assignee",
            "e_due",
            "e_notes",
            "e_reason",
        ):
            setattr(self, name, str(value or ""))

    def _too_long(self, fields: dict[str, str]) -> str:
        """The message for the first field over its limit ('' when all fit)."""
        for caption, text in fields.items():
            limit = mc.TITLE_MAX if caption == "Title" else mc.NOTE_MAX
            if len(text) > limit:
                return f"{caption} is {len(text):,} characters long; at most {limit:,} can be saved."
        return ""

    @rx.event
    def open_create(self):
        self.create_open, self.error, self.notice = True, "", ""
        self.c_title, self.c_alert, self.c_assignee, self.c_due, self.c_notes = "", NONE, NONE, "", ""

    @rx.event
    def close_create(self):
        self.create_open = False

    @rx.event
    async def submit_create(self):
        ctx = await self._require(WRITE)
        if ctx is None:
            self.error = "Your role may not create tasks."
            return
        form = {
            "title": self.c_title.strip(),
            "alert": self.c_alert,
            "assignee": self.c_assignee,
            "due": self.c_due,
            "notes": self.c_notes.strip(),
        }
        if not form["title"] or not self.create_open:
            return
        too_long = self._too_long({"Title": form["title"], "Notes": form["notes"]})
        if too_long:
            self.error = too_long
            return
        try:
            await write(create_task, ctx, form)
        except (DomainError, ValidationError, ValueError) as exc:
            self.error = fmt.error_text(exc)
            return
        self.create_open, self.error, self.notice = False, "", "Task created."
        await self._reload(ctx)

    @rx.event
    async def open_edit(self, task_id: str):
        ctx = await self._require(WRITE)
        row = next((r for r in self.rows if r["id"] == str(task_id)), None)
        if ctx is None or row is None:
            return
        ok, edit_actions = await call(self, task_actions, ctx, row["id"])
        if not ok:
            return
        self.edit_actions = edit_actions
        self._edit_id, self.edit = row["id"], row
        self.e_assignee, self.e_due, self.e_notes = row["assignee_id"], row["due"], row["notes"]
        self.edit_members = self.members + (
            [{"value": row["assignee_id"], "label": f"{row['assignee']} (read-only role)"}]
            if row["assignee_id"] != NONE and all(m["value"] != row["assignee_id"] for m in self.members)
            else []
        )
        self.e_reason, self.e_pending, self.error, self.notice = "", "", "", ""
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
            "assignee_user_id": None if self.e_assignee in ("", NONE) else self.e_assignee,
            "notes": self.e_notes.strip() or None,
        }
        too_long = self._too_long({"Notes": self.e_notes.strip()})
        if too_long:
            self.error = too_long
            return
        try:
            fields["due_at"] = due_at(self.e_due)
        except ValueError:
            self.error = "pick a due date"
            return
        await self._patch(fields, "Task saved.")

    @rx.event
    async def task_action(self, action: str):
        chosen = next((a for a in self.edit_actions if a["action"] == str(action)), None)
        if chosen is None or not self._edit_id:
            return
        if chosen["reason"] and not self.e_reason.strip():
            self.e_pending = chosen["action"]
            self.error = f"{chosen['label']}: write a reason first."
            return
        # the status shown: a task someone else moved meanwhile is refused (409), not moved twice
        fields: dict[str, Any] = {"action": chosen["action"], "expected_status": self.edit.get("status") or None}
        if chosen["reason"]:
            fields["reason"] = self.e_reason.strip()
            too_long = self._too_long({"Reason": fields["reason"]})
            if too_long:
                self.error = too_long
                return
        await self._patch(fields, DONE_NOTICES.get(chosen["action"], "Task updated."))

    @rx.event
    async def quick_done(self, task_id: str):
        ctx = await self._require(WRITE)
        row = next((r for r in self.rows if r["id"] == str(task_id)), None)
        if ctx is None or row is None or not row["closable"]:
            return
        ok, _ = await call(
            self,
            patch_task,
            ctx,
            row["id"],
            {"action": "complete", "expected_status": row["status"] or None},
            writes=True,
        )
        if not ok:
            return
        self.error, self.notice = "", "Task marked done."
        await self._reload(ctx)


def _task_row(row: Var) -> rx.Component:
    s = TasksState
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(row["title"], weight="medium", size="2", data_testid="task-title", **controls.WRAP),
                rx.cond(
                    row["notes"] != "",
                    rx.text(
                        row["notes"], size="1", color_scheme="gray", trim="end", white_space="pre-wrap", **controls.WRAP
                    ),
                ),
                spacing="0",
                max_width="26rem",
                min_width="12rem",
            )
        ),
        rx.table.cell(
            rx.cond(
                row["alert_id"] != "",
                rx.link(row["alert"], href="/alert/" + row["alert_id"].to(str), size="2"),
                rx.text("—", color_scheme="gray"),
            )
        ),
        rx.table.cell(rx.text(row["dealer"], size="2")),
        rx.table.cell(rx.text(row["assignee"], size="2")),
        rx.table.cell(
            rx.text(
                row["due"], size="2", color=rx.cond(row["overdue"] != "", rx.color("red", 11), rx.color("gray", 12))
            ),
            white_space="nowrap",
        ),
        rx.table.cell(badges.status_badge(row["status"], data_testid="task-status")),
        rx.table.cell(
            rx.cond(
                s.can_write,
                rx.hstack(
                    rx.cond(
                        row["closable"] != "",
                        rx.button(
                            rx.icon("check", size=14),
                            "Done",
                            size="1",
                            variant="soft",
                            color_scheme="green",
                            on_click=TasksState.quick_done(row["id"]),
                            data_testid="task-done",
                        ),
                    ),
                    rx.button(
                        "Edit",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=TasksState.open_edit(row["id"]),
                        data_testid="task-edit",
                    ),
                    spacing="2",
                ),
            )
        ),
        data_testid="task-row",
    )


def _member_select(value: Var, field: str) -> rx.Component:
    members = TasksState.edit_members if field.startswith("e_") else TasksState.members
    return controls.select(
        members,
        value,
        lambda v: TasksState.set_field(field, v),
        "Assignee",
        first=(NONE, "Unassigned"),
        trigger={"width": "100%"},
    )


def _form_error() -> rx.Component:
    return rx.cond(
        TasksState.error != "", rx.callout(TasksState.error, icon="triangle-alert", color_scheme="red", width="100%")
    )


def _assignee_anddue_at(prefix: str) -> rx.Component:
    """Assignee and due date of the create (`c_…`) or edit (`e_…`) form."""
    s = TasksState
    due = f"{prefix}_due"
    return rx.hstack(
        controls.field("Assignee", _member_select(getattr(s, f"{prefix}_assignee"), f"{prefix}_assignee"), flex="1"),
        controls.field(
            "Due",
            rx.input(
                type="date",
                value=getattr(s, due),
                on_change=lambda v: TasksState.set_field(due, v),
                aria_label="Due date",
            ),
        ),
        width="100%",
    )


def create_dialog() -> rx.Component:
    s = TasksState
    return controls.dialog(
        "New task",
        rx.vstack(
            controls.field(
                "Title",
                rx.form(
                    # a one-field form: Enter in the title submits (Reflex forms preventDefault)
                    rx.input(
                        value=s.c_title,
                        on_change=lambda v: TasksState.set_field("c_title", v),
                        width="100%",
                        data_testid="task-new-title",
                        aria_label="Title",
                    ),
                    on_submit=lambda _form: TasksState.submit_create(),
                    width="100%",
                ),
                controls.char_counter(s.c_title, mc.TITLE_MAX, "task-title-counter"),
                width="100%",
            ),
            controls.field(
                "Alert (optional)",
                controls.select(
                    s.alert_options,
                    s.c_alert,
                    lambda v: TasksState.set_field("c_alert", v),
                    "Alert",
                    first=(NONE, "No alert"),
                    trigger={"width": "100%"},
                ),
                width="100%",
            ),
            _assignee_anddue_at("c"),
            controls.field(
                "Notes",
                rx.text_area(
                    value=s.c_notes,
                    on_change=lambda v: TasksState.set_field("c_notes", v),
                    rows="3",
                    width="100%",
                    aria_label="Notes",
                ),
                controls.char_counter(s.c_notes, mc.NOTE_MAX, "task-notes-counter"),
                width="100%",
            ),
            _form_error(),
            rx.hstack(
                rx.button("Cancel", variant="soft", color_scheme="gray", on_click=s.close_create),
                rx.button(
                    "Create task",
                    on_click=s.submit_create,
                    disabled=(s.c_title.strip() == "")
                    | (s.c_title.length() > mc.TITLE_MAX)
                    | (s.c_notes.length() > mc.NOTE_MAX),
                    data_testid="task-create-submit",
                ),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
            margin_top="0.5rem",
        ),
        open_=s.create_open,
        on_close=TasksState.close_create,
        max_width="34rem",
    )


def edit_dialog() -> rx.Component:
    s = TasksState
    return controls.dialog(
        s.edit["title"],
        rx.hstack(
            badges.status_badge(s.edit["status"]),
            rx.text(s.edit["dealer"], size="2", color_scheme="gray"),
            align="center",
        ),
        rx.vstack(
            _assignee_anddue_at("e"),
            controls.field(
                "Notes",
                rx.text_area(
                    value=s.e_notes,
                    on_change=lambda v: TasksState.set_field("e_notes", v),
                    rows="3",
                    width="100%",
                    aria_label="Notes",
                ),
                controls.char_counter(s.e_notes, mc.NOTE_MAX, "task-notes-counter"),
                width="100%",
            ),
            rx.hstack(
                rx.button("Close", variant="soft", color_scheme="gray", on_click=s.close_edit),
                rx.button("Save", on_click=s.save_edit, disabled=s.busy, data_testid="task-save"),
                justify="end",
                width="100%",
            ),
            rx.divider(),
            rx.text("Status", weight="bold", size="2"),
            controls.field(
                "Reason (needed to cancel or reopen the task)",
                rx.input(
                    value=s.e_reason,
                    on_change=lambda v: TasksState.set_field("e_reason", v),
                    width="100%",
                    aria_label="Reason",
                ),
                controls.char_counter(s.e_reason, mc.NOTE_MAX, "task-reason-counter"),
                width="100%",
            ),
            rx.hstack(
                rx.foreach(
                    s.edit_actions,
                    lambda a: rx.button(
                        a["label"],
                        variant="soft",
                        disabled=s.busy,
                        on_click=TasksState.task_action(a["action"]),
                        data_testid="task-action",
                    ),
                ),
                wrap="wrap",
                spacing="2",
            ),
            _form_error(),
            spacing="3",
            width="100%",
            margin_top="0.75rem",
        ),
        open_=s.edit_open,
        on_close=TasksState.close_edit,
        max_width="34rem",
    )


@app_page("/tasks", "Tasks", permission=READ, nav="Tasks", icon="list-checks", order=12, on_load=TasksState.load)
def tasks_page() -> rx.Component:
    s = TasksState
    return rx.vstack(
        rx.flex(
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
        ),
        rx.cond(~s.create_open & ~s.edit_open, feedback.messages(s.error, s.notice)),
        rx.cond(
            s.loading & (s.rows.length() == 0),
            feedback.spinner_block(),
            tables.table_or_empty(
                s.rows,
                ["Task", "Alert", "Dealer", "Assignee", "Due", "Status", ""],
                _task_row,
                "tasks-table",
                "No tasks here.",
                "list-checks",
            ),
        ),
        tables.load_more(s.has_more, s.loading, s.load_more, "tasks-load-more"),
        create_dialog(),
        edit_dialog(),
        spacing="4",
        width="100%",
    )
