"""The plan builder's "Test vectors" and "Compare" tabs: run the plan on a few typed or pasted
employees (every step's value and the calculation tape), the diff of two versions (steps added,
removed, changed, with a word diff of each expression), and the impact preview of this version
against another on a pasted sample (count changed, total and pool delta, top movers explained).

Reads only (comp.read): nothing here changes a plan. The plan's id is read from the URL by `load`
into the backend var `_plan_id`; a version to compare with must be one of the plan's own versions
(the list the server computed), never any id a client sends.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

import reflex as rx

from app.web.comp import views
from app.web.comp.rows import (
    DiffSummary,
    FieldChangeRow,
    ImpactSummary,
    InputDiffRow,
    MoverRow,
    PlanInputRow,
    StepDiffRow,
    TapeLine,
    VectorRow,
    VersionRow,
)
from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.upload import IDLE, STORED, UploadMixin
from app.web.shell.auth import AuthState
from engine.comp.import_targets import SAMPLE
from engine.comp.permissions import READ, UPLOADS_WRITE
from engine.context import TenantContext
from models.comp import queries

MAX_TEXT = views.MAX_PASTE_CHARS


def _versions(ctx: TenantContext, plan_id: str) -> tuple[list[VersionRow], str, list[Any]]:
    """The family's versions, the default one to compare with (the one this was made from, else the
    one before), and the plan's inputs (for the test-vector template)."""
    pid = uuid.UUID(plan_id)
    detail = queries.plan_detail(ctx, pid)
    p = detail.plan
    rows = [
        VersionRow(str(v.id), f"v{v.version} · {v.status}", str(v.version), v.status, v.id == p.id)
        for v in detail.versions
    ]
    older = [v for v in detail.versions if v.version < p.version]
    base = str(p.based_on_id) if p.based_on_id else (str(older[-1].id) if older else "")
    inputs = sorted(detail.inputs, key=lambda i: (i.position, i.key))
    return (
        rows,
        base,
        [
            PlanInputRow(
                i.key,
                i.label,
                i.dtype,
                i.required,
                i.default_value or "",
                i.effective_default or "",
                i.transform,
                i.source_column or "",
            )
            for i in inputs
        ],
    )


class PlanRunState(UploadMixin, AuthState):
    """Also an upload form: a sample file for the impact preview goes to the upload storage as
    `comp.sample` (comp.uploads.write) and the preview reads it from there by its id."""

    _upload_target: ClassVar[str] = SAMPLE
    _upload_permission: ClassVar[str] = UPLOADS_WRITE

    tab: str = "build"
    # test vectors
    vectors_text: str = ""
    vector_steps: list[str] = []
    vector_rows: list[VectorRow] = []
    tape: list[TapeLine] = []
    tape_ref: str = ""
    vectors_error: str = ""
    running: bool = False
    # compare
    versions: list[VersionRow] = []
    against: str = ""
    diff: DiffSummary = DiffSummary()
    diff_header: list[FieldChangeRow] = []
    diff_inputs: list[InputDiffRow] = []
    diff_steps: list[StepDiffRow] = []
    diff_error: str = ""
    # impact
    impact_text: str = ""
    impact: ImpactSummary = ImpactSummary()
    movers: list[MoverRow] = []
    mover_tape: list[TapeLine] = []
    mover_ref: str = ""
    impact_error: str = ""
    impacting: bool = False

    error: str = ""
    _plan_id: str = ""
    _tapes: dict[str, list[TapeLine]] = {}
    _mover_tapes: dict[str, list[TapeLine]] = {}
    _template: str = ""

    def _reset_run(self) -> None:
        self.vector_steps, self.vector_rows, self.tape, self.tape_ref, self.vectors_error = [], [], [], "", ""
        self.versions, self.against, self.diff_error, self.impact_error, self.error = [], "", "", "", ""
        self._clear_diff()
        self.impact, self.movers, self.mover_tape, self.mover_ref = ImpactSummary(), [], [], ""
        self._tapes, self._mover_tapes, self._plan_id, self._template = {}, {}, "", ""
        self.running = self.impacting = False
        self.upload_phase, self.upload_result, self.upload_message, self.upload_percent = IDLE, "", "", 0

    def _clear_diff(self) -> None:
        self.diff, self.diff_header, self.diff_inputs, self.diff_steps = DiffSummary(), [], [], []

    async def _reader(self) -> TenantContext | None:
        ctx = await self._require(READ)
        return ctx if ctx is not None and self._plan_id else None

    async def _refresh_versions(self, ctx: TenantContext) -> None:
        ok, found = await call(self, _versions, ctx, self._plan_id)
        if not ok:
            return
        self.versions, base, inputs = found
        if not any(v.id == self.against for v in self.versions if not v.current):
            self.against = base
        self._template = views.template(inputs)
        if not self.vectors_text.strip():
            self.vectors_text = self._template

    @rx.event
    async def load(self):
        self._reset_run()
        self.tab, self.vectors_text, self.impact_text = "build", "", ""
        ctx = await self._require(READ)
        plan_id = fmt.parse_uuid(fmt.last_segment(self.router.url.path))
        if ctx is None or plan_id is None:
            return
        self._plan_id = str(plan_id)
        await self._refresh_versions(ctx)

    @rx.event
    async def set_tab(self, value: str):
        value = str(value or "")
        if value not in ("build", "test", "compare"):
            return
        self.tab = value
        ctx = await self._reader()
        if ctx is None or value == "build":
            return
        # the Build tab may have changed the plan: versions and template read again, the diff redone
        await self._refresh_versions(ctx)
        if value == "compare" and self.against:
            await self._compare(ctx)

    # --- test vectors ----------------------------------------------------------------------------------

    @rx.event
    def set_vectors_text(self, value: str):
        self.vectors_text = str(value or "")[:MAX_TEXT]

    @rx.event
    def fill_template(self):
        self.vectors_text = self._template

    @rx.event
    async def run_vectors(self, form: dict[str, Any] | None = None):
        """Run the saved plan on the rows in the box (the form sends the box's text as shown)."""
        if isinstance(form, dict) and isinstance(form.get("rows"), str):
            self.vectors_text = form["rows"][:MAX_TEXT]
        ctx = await self._reader()
        if ctx is None or self.running:
            return
        self.running, self.vectors_error = True, ""
        yield
        try:
            ok, found = await call(self, views.run_vectors, ctx, self._plan_id, self.vectors_text)
        finally:
            self.running = False
        if not ok:
            self.vectors_error, self.error = self.error, ""
            self.vector_rows, self.vector_steps, self.tape, self.tape_ref = [], [], [], ""
            return
        self.vector_steps, self.vector_rows, self._tapes = found.steps, found.rows, found.tapes
        first = found.rows[0].employee_ref if found.rows else ""
        self.tape_ref, self.tape = first, found.tapes.get(first, [])

    @rx.event
    def show_tape(self, ref: str):
        ref = str(ref or "")
        if ref in self._tapes:
            self.tape_ref, self.tape = ref, self._tapes[ref]

    # --- compare ---------------------------------------------------------------------------------------

    async def _compare(self, ctx: TenantContext) -> None:
        self.diff_error = ""
        ok, found = await call(self, views.plan_diff, ctx, self._plan_id, self.against)
        if not ok:
            self.diff_error, self.error = self.error, ""
            self._clear_diff()
            return
        self.diff, self.diff_header, self.diff_inputs, self.diff_steps = (
            found.summary,
            found.header,
            found.inputs,
            found.steps,
        )

    @rx.event
    async def set_against(self, version_id: str):
        ctx = await self._reader()
        version_id = str(version_id or "")
        if ctx is None or not any(v.id == version_id and not v.current for v in self.versions):
            return
        self.against = version_id
        self.impact, self.movers, self.mover_tape, self.mover_ref = ImpactSummary(), [], [], ""
        await self._compare(ctx)

    @rx.event
    def set_impact_text(self, value: str):
        self.impact_text = str(value or "")[:MAX_TEXT]

    @rx.event
    def impact_from_vectors(self):
        """Use the test-vector rows as the sample."""
        self.impact_text = self.vectors_text

    @rx.event
    async def run_impact(self, form: dict[str, Any] | None = None):
        if isinstance(form, dict) and isinstance(form.get("rows"), str):
            self.impact_text = form["rows"][:MAX_TEXT]
        ctx = await self._reader()
        if ctx is None or self.impacting or not self.against:
            return
        self.impacting, self.impact_error = True, ""
        yield
        try:
            upload = self.upload_result if self.upload_phase == STORED else ""
            ok, found = await call(self, views.impact, ctx, self._plan_id, self.against, self.impact_text, upload)
        finally:
            self.impacting = False
        if not ok:
            self.impact_error, self.error = self.error, ""
            self.impact, self.movers, self.mover_tape, self.mover_ref = ImpactSummary(), [], [], ""
            return
        self.impact, self.movers, self._mover_tapes = found
        first = self.movers[0].employee_ref if self.movers else ""
        self.mover_ref, self.mover_tape = first, self._mover_tapes.get(first, [])

    @rx.event
    def forget_upload(self):
        """Preview on the pasted rows only again."""
        self.upload_phase, self.upload_result, self.upload_message, self.upload_percent = IDLE, "", "", 0

    @rx.event
    def show_mover(self, ref: str):
        ref = str(ref or "")
        if ref in self._mover_tapes:
            self.mover_ref, self.mover_tape = ref, self._mover_tapes[ref]
