"""The plan builder's state (/comp/plans/[id], "Build" tab): the plan, its inputs, steps, lock guards,
pool and step graph; the step editor with completions and live lint; the decisions.

Every handler re-checks the permission (`_require`), the plan's id is the backend var `_record_id`
(from the URL, via DecisionDialogMixin.load), and a step or input named by an event is looked up in
the plan as loaded (an unknown id does nothing). Writes go through `kit.calls.write` and the
module's actions; after each, the plan is read again, so the page always shows the stored plan.
Live lint runs the engine's validator (engine.formula.assist) on the plan as loaded with the step
as typed: no database round trip per keystroke, and the same rules as the API at save.
"""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from pydantic import ValidationError

from app.web.comp import views, writes
from app.web.comp.rows import GuardRow, IssueRow, PlanHeader, PlanInputRow, PoolRow, StepRow, VersionRow
from app.web.kit import format as fmt
from app.web.kit.calls import write
from app.web.kit.code_editor import EditorCompletion, EditorDiagnostic
from app.web.kit.dag import DagLayout
from app.web.kit.decisions import Decision, DecisionDialogMixin
from app.web.kit.rows import Option
from app.web.shell.auth import AuthState
from engine.comp.permissions import PLANS_WRITE, READ
from engine.comp.spec import TRANSFORMS
from engine.context import TenantContext
from engine.errors import DomainError
from engine.formula import limits

TRANSFORM_OPTIONS = [(k, f"{k.replace('_', ' ')}: {doc}") for k, (_types, doc) in TRANSFORMS.items()]
INPUT_FIELDS = ("key", "default_value", "transform", "source_column", "required")
HEADER_FIELDS = ("name", "effective_from", "effective_to", "notes")
MAX_NAME = 63
MAX_NOTES = 4000


class PlanBuilderState(DecisionDialogMixin, AuthState):
    plan: PlanHeader = PlanHeader()
    can_write: bool = False
    editable: bool = False
    can_lock: bool = False
    valid: bool = False
    inputs: list[PlanInputRow] = []
    catalog_options: list[Option] = []
    steps: list[StepRow] = []
    guards: list[GuardRow] = []
    issues: list[IssueRow] = []
    pool: PoolRow = PoolRow()
    versions: list[VersionRow] = []
    graph: DagLayout = DagLayout()
    completions: list[EditorCompletion] = []
    previous_id: str = ""

    # the step editor
    editor_open: bool = False
    editor_new: bool = False
    selected_step: str = ""
    editor_key: str = "0"
    edit_name: str = ""
    edit_expr: str = ""
    edit_condition: str = ""
    edit_notes: str = ""
    expr_lint: list[EditorDiagnostic] = []
    expr_lint_for: str = ""
    cond_lint: list[EditorDiagnostic] = []
    cond_lint_for: str = ""
    step_lint: list[str] = []
    editor_error: str = ""
    step_busy: bool = False
    confirm_delete: bool = False

    # the plan-input, pool and header forms
    input_open: bool = False
    input_editing: bool = False
    input_form: dict[str, str] = {}
    input_error: str = ""
    pool_open: bool = False
    pool_currency: str = ""
    pool_amount: str = ""
    pool_error: str = ""
    header_open: bool = False
    header_form: dict[str, str] = {}
    header_error: str = ""
    busy_version: bool = False

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = PLANS_WRITE
    _missing_text: ClassVar[str] = "This plan was not found."
    _denied_text: ClassVar[str] = "Your role may not change this plan."
    _keep_dialog_on_error: ClassVar[bool] = True

    _dtypes: dict[str, str] = {}
    _draft: list[views.DraftStep] = []
    _edit_id: str = ""
    _editor_seq: int = 0

    # --- DecisionDialogMixin hooks -------------------------------------------------------------------

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        found = views.builder(ctx, record_id)
        return {"builder": found, "actions": found.actions}

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        b: views.Builder = data["builder"]
        self.plan, self.editable, self.can_lock, self.valid = b.header, b.editable, b.can_lock, b.valid
        self.can_write = ctx.can(PLANS_WRITE)
        self.inputs, self.steps, self.guards, self.issues = b.inputs, b.steps, b.guards, b.issues
        self.pool, self.versions, self.graph, self.completions = b.pool, b.versions, b.graph, b.completions
        self.catalog_options = [Option(k, label) for k, label in b.catalog]
        self.previous_id = b.previous_id
        self._dtypes, self._draft = b.dtypes, b.draft
        if self._edit_id and not any(s.id == self._edit_id for s in b.draft):
            self._close_editor()
        elif self.editor_open:
            self._lint()
        return b.header.id

    def _blank_record(self) -> None:
        self.plan, self.inputs, self.steps, self.guards, self.issues = PlanHeader(), [], [], [], []
        self.pool, self.versions, self.graph, self.completions = PoolRow(), [], DagLayout(), []
        self.catalog_options, self._dtypes, self._draft = [], {}, []
        self.editable = self.can_lock = self.valid = self.can_write = False
        self.input_open = self.pool_open = self.header_open = False
        self._close_editor()

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["builder"].header.status

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        writes.decide(ctx, record_id, decision.action or "", decision.reason, decision.expected_status)

    def _done_notice(self, action: str | None) -> str:
        done = {"lock": "Locked", "approve": "Approved", "reopen": "Back to draft:", "archive": "Archived"}
        return f"{done.get(action or '', 'Done:')} {self.plan.name} v{self.plan.version}."

    # --- helpers ---------------------------------------------------------------------------------------

    async def _writer(self) -> TenantContext | None:
        """The context for a change of this plan: comp.plans.write and a plan on screen."""
        ctx = await self._require(PLANS_WRITE)
        return ctx if ctx is not None and self._record_id else None

    async def _reload(self, ctx: TenantContext) -> None:
        await self._show(ctx, self._record_id)

    def _close_editor(self) -> None:
        self.editor_open, self.editor_new, self.selected_step, self._edit_id = False, False, "", ""
        self.edit_name = self.edit_expr = self.edit_condition = self.edit_notes = ""
        self.expr_lint, self.cond_lint, self.step_lint = [], [], []
        self.expr_lint_for = self.cond_lint_for = self.editor_error = ""
        self.confirm_delete = self.step_busy = False

    def _open_editor(self, step: views.DraftStep | None, notes: str = "") -> None:
        self._editor_seq += 1
        self.editor_key = str(self._editor_seq)
        self.editor_open, self.editor_new = True, step is None
        self._edit_id = step.id if step else ""
        self.selected_step = self._edit_id
        self.edit_name = step.name if step else self._fresh_name()
        self.edit_expr = step.expr if step else ""
        self.edit_condition = step.condition if step else ""
        self.edit_notes = notes
        self.editor_error, self.confirm_delete = "", False
        self._lint()

    def _fresh_name(self) -> str:
        taken = {s.name for s in self._draft}
        n = len(self._draft) + 1
        while f"step_{n}" in taken:
            n += 1
        return f"step_{n}"

    def _lint(self) -> None:
        found = views.lint(
            self._dtypes, self._draft, self._edit_id, self.edit_name, self.edit_expr, self.edit_condition
        )
        self.expr_lint, self.expr_lint_for = found.expr, self.edit_expr
        self.cond_lint, self.cond_lint_for = found.condition, self.edit_condition
        self.step_lint = found.step

    def _step(self, step_id: Any) -> views.DraftStep | None:
        return next((s for s in self._draft if s.id == str(step_id or "")), None)

    def _refused(self, exc: Exception) -> str:
        return fmt.error_text(exc)

    # --- the step editor -----------------------------------------------------------------------------

    @rx.event
    async def select_step(self, step_id: str):
        if await self._require(READ) is None:
            return
        step = self._step(step_id)
        if step is None:
            return
        notes = next((r.notes for r in self.steps if r.id == step.id), "")
        self._open_editor(step, notes)

    @rx.event
    async def select_node(self, name: str):
        """A click on the graph: a step opens in the editor (an input does nothing)."""
        step = next((s for s in self._draft if s.name == str(name or "")), None)
        if step is not None and await self._require(READ) is not None:
            notes = next((r.notes for r in self.steps if r.id == step.id), "")
            self._open_editor(step, notes)

    @rx.event
    async def new_step(self):
        if await self._writer() is None or not self.editable:
            return
        self._open_editor(None)

    @rx.event
    def close_editor(self):
        self._close_editor()

    @rx.event
    def set_edit_name(self, value: str):
        if not self.editor_open:
            return
        self.edit_name = str(value or "")[:MAX_NAME]
        self._lint()

    @rx.event
    def set_edit_notes(self, value: str):
        if self.editor_open:
            self.edit_notes = str(value or "")[:MAX_NOTES]

    @rx.event
    def expr_changed(self, text: str):
        if not self.editor_open:
            return
        self.edit_expr = str(text or "")[: limits.MAX_EXPR_CHARS + 1]
        self._lint()

    @rx.event
    def condition_changed(self, text: str):
        if not self.editor_open:
            return
        self.edit_condition = str(text or "")[: limits.MAX_EXPR_CHARS + 1]
        self._lint()

    @rx.event
    async def save_expr(self, text: str):
        """Mod-Enter in the expression editor: take its text and save the step."""
        self.expr_changed(text)
        await self._save_step()

    @rx.event
    async def save_condition(self, text: str):
        self.condition_changed(text)
        await self._save_step()

    @rx.event
    async def save_step(self):
        await self._save_step()

    async def _save_step(self) -> None:
        ctx = await self._writer()
        if ctx is None or not self.editor_open or self.step_busy:
            return
        mine = self._step(self._edit_id)
        if self._edit_id and mine is None:
            return
        order = mine.order if mine else max((s.order for s in self._draft), default=0) + 10
        self.step_busy, self.editor_error, self.notice, self.error = True, "", "", ""
        try:
            saved = await write(
                writes.save_step,
                ctx,
                self._record_id,
                self._edit_id,
                order,
                self.edit_name,
                self.edit_expr,
                self.edit_condition,
                self.edit_notes,
            )
        except (DomainError, ValidationError) as exc:
            self.editor_error, self.step_busy = self._refused(exc), False
            return
        name = self.edit_name.strip()
        self.step_busy = False
        self._edit_id, self.selected_step, self.editor_new = saved, saved, False
        await self._reload(ctx)
        self.notice = f"Saved step {name}."

    @rx.event
    def ask_delete(self):
        if self.editor_open and self._edit_id and self.editable:
            self.confirm_delete = True

    @rx.event
    def keep_step(self):
        self.confirm_delete = False

    @rx.event
    async def delete_step(self):
        ctx = await self._writer()
        if ctx is None or not self._edit_id or not self.confirm_delete:
            return
        name, self.confirm_delete = self.edit_name, False
        try:
            await write(writes.delete_step, ctx, self._record_id, self._edit_id)
        except DomainError as exc:
            self.editor_error = self._refused(exc)
            return
        self._close_editor()
        await self._reload(ctx)
        self.notice = f"Deleted step {name}."

    async def _reorder(self, ids: list[str]) -> None:
        ctx = await self._writer()
        if ctx is None or not self.editable:
            return
        self.notice = self.error = ""
        try:
            await write(writes.reorder_steps, ctx, self._record_id, ids)
        except DomainError as exc:
            self.error = self._refused(exc)
            return
        await self._reload(ctx)

    @rx.event
    async def move_step(self, step_id: str, delta: int):
        """Keyboard reorder: the step one place up (delta -1) or down (+1)."""
        ids = [s.id for s in sorted(self._draft, key=lambda s: (s.order, s.name))]
        step_id = str(step_id or "")
        if step_id not in ids or delta not in (-1, 1):
            return
        i = ids.index(step_id)
        j = i + delta
        if not 0 <= j < len(ids):
            return
        ids[i], ids[j] = ids[j], ids[i]
        await self._reorder(ids)

    @rx.event
    async def drop_step(self, dragged: str, target: str):
        """Drag and drop: the dragged step takes the target's place."""
        ids = [s.id for s in sorted(self._draft, key=lambda s: (s.order, s.name))]
        dragged, target = str(dragged or ""), str(target or "")
        if dragged not in ids or target not in ids or dragged == target:
            return
        to = ids.index(target)
        ids.remove(dragged)
        ids.insert(to, dragged)  # down: lands after the target; up: before it
        await self._reorder(ids)

    # --- plan inputs ------------------------------------------------------------------------------------

    @rx.event
    async def open_add_input(self):
        if await self._writer() is None or not self.editable:
            return
        first = self.catalog_options[0].id if self.catalog_options else ""
        self.input_form = {
            "key": first,
            "default_value": "",
            "transform": "none",
            "source_column": "",
            "required": "yes",
        }
        self.input_open, self.input_editing, self.input_error = True, False, ""

    @rx.event
    async def open_edit_input(self, key: str):
        if await self._writer() is None or not self.editable:
            return
        row = next((i for i in self.inputs if i.key == str(key or "")), None)
        if row is None:
            return
        self.input_form = {
            "key": row.key,
            "default_value": row.default,
            "transform": row.transform,
            "source_column": row.source_column,
            "required": "yes" if row.required else "",
        }
        self.input_open, self.input_editing, self.input_error = True, True, ""

    @rx.event
    def set_input_field(self, name: str, value: Any):
        if not self.input_open or name not in INPUT_FIELDS or (self.input_editing and name == "key"):
            return
        text = ("yes" if value else "") if isinstance(value, bool) else str(value or "")[:200]
        self.input_form = {**self.input_form, name: text}

    @rx.event
    def close_input(self):
        self.input_open, self.input_error = False, ""

    @rx.event
    async def save_input(self):
        ctx = await self._writer()
        if ctx is None or not self.input_open:
            return
        self.input_error = ""
        try:
            key = await write(writes.save_plan_input, ctx, self._record_id, self.input_editing, dict(self.input_form))
        except (DomainError, ValidationError) as exc:
            self.input_error = self._refused(exc)
            return
        self.input_open = False
        await self._reload(ctx)
        self.notice = f"Saved input {key}."

    @rx.event
    async def remove_input(self, key: str):
        ctx = await self._writer()
        key = str(key or "")
        if ctx is None or not any(i.key == key for i in self.inputs):
            return
        self.notice = self.error = ""
        try:
            await write(writes.remove_plan_input, ctx, self._record_id, key)
        except DomainError as exc:
            self.error = self._refused(exc)
            return
        await self._reload(ctx)
        self.notice = f"Removed input {key}."

    # --- pool -------------------------------------------------------------------------------------------

    @rx.event
    async def open_pool(self):
        if await self._writer() is None or not self.editable:
            return
        self.pool_currency, self.pool_amount = self.pool.currency or "USD", self.pool.amount
        self.pool_open, self.pool_error = True, ""

    @rx.event
    def set_pool_currency(self, value: str):
        self.pool_currency = str(value or "")[:3].upper()

    @rx.event
    def set_pool_amount(self, value: str):
        self.pool_amount = str(value or "")[:40]

    @rx.event
    def close_pool(self):
        self.pool_open, self.pool_error = False, ""

    @rx.event
    async def save_pool(self):
        ctx = await self._writer()
        if ctx is None or not self.pool_open:
            return
        try:
            await write(writes.set_pool, ctx, self._record_id, self.pool_currency, self.pool_amount)
        except (DomainError, ValidationError) as exc:
            self.pool_error = self._refused(exc)
            return
        self.pool_open = False
        await self._reload(ctx)
        self.notice = "Saved the pool."

    @rx.event
    async def remove_pool(self):
        ctx = await self._writer()
        if ctx is None or not self.pool.present:
            return
        try:
            await write(writes.remove_pool, ctx, self._record_id)
        except DomainError as exc:
            self.error = self._refused(exc)
            return
        self.pool_open = False
        await self._reload(ctx)
        self.notice = "Removed the pool."

    # --- header and versions ----------------------------------------------------------------------------

    @rx.event
    async def open_header(self):
        if await self._writer() is None or not self.editable:
            return
        p = self.plan
        self.header_form = {
            "name": p.name,
            "effective_from": p.effective_from,
            "effective_to": p.effective_to,
            "notes": p.notes,
        }
        self.header_open, self.header_error = True, ""

    @rx.event
    def set_header_field(self, name: str, value: str):
        if self.header_open and name in HEADER_FIELDS:
            self.header_form = {**self.header_form, name: str(value or "")[:MAX_NOTES]}

    @rx.event
    def close_header(self):
        self.header_open, self.header_error = False, ""

    @rx.event
    async def save_header(self):
        ctx = await self._writer()
        if ctx is None or not self.header_open:
            return
        try:
            await write(writes.update_header, ctx, self._record_id, dict(self.header_form))
        except (DomainError, ValidationError) as exc:
            self.header_error = self._refused(exc)
            return
        self.header_open = False
        await self._reload(ctx)
        self.notice = "Saved the plan's details."

    @rx.event
    async def new_version(self):
        """A draft copy of this locked version: opens it."""
        ctx = await self._writer()
        if ctx is None or self.plan.status not in ("locked", "archived") or self.busy_version:
            return
        self.busy_version, self.error = True, ""
        yield
        try:
            created = await write(writes.new_version, ctx, self._record_id)
        except DomainError as exc:
            self.error, self.busy_version = self._refused(exc), False
            return
        self.busy_version = False
        yield rx.redirect(f"/comp/plans/{created}")
