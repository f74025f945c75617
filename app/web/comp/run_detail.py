"""`/comp/runs/[id]`: one run — its computation followed live (JobWatchMixin: load, evaluate,
persist N of M), totals, pool vs target (rx.recharts), the results with a search and each
employee's calculation tape, the approvals timeline with the buttons the role may press (at most
four, from the run's machine), exports, the statement download and all statements as one ZIP
(app.web.comp.run_bundle)."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from app.web.comp.run_bundle import RunBundleState, bundle_section
from app.web.comp.run_compare import RunCompareState, compare_section
from app.web.comp.run_rows import (
    ApprovalRow,
    InputLine,
    ResultLine,
    RunHeader,
    TapeLine,
    approval_rows,
    chart,
    header,
    input_lines,
    result_line,
    tape_lines,
)
from app.web.comp.widgets import figures
from app.web.kit import format as fmt
from app.web.kit.badges import status_badge
from app.web.kit.calls import call
from app.web.kit.charts import Series, bar_chart
from app.web.kit.controls import section
from app.web.kit.decisions import (
    Action,
    Decision,
    DecisionDialogMixin,
    action_buttons,
    as_action,
    decision_page,
    record_header,
)
from app.web.kit.jobs import JobWatchMixin
from app.web.kit.table import col, table_or_empty
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.comp.permissions import EXPORT, READ
from engine.context import TenantContext
from models.comp.runs import actions, queries


def _fetch(ctx: TenantContext, run_id: str) -> dict[str, Any]:
    view = queries.run_detail(ctx, fmt.parse_uuid(run_id))  # type: ignore[arg-type]
    return {
        "view": view,
        "header": header(view),
        "chart": chart(view),
        "approvals": approval_rows(view),
        "actions": [Action(a.action, a.label, a.reason_required) for a in view.actions],
        "job_id": str(view.job_id or ""),
        "results": _result_lines(ctx, run_id, "") if view.computed else [],
    }


def _result_lines(ctx: TenantContext, run_id: str, q: str) -> list[ResultLine]:
    page = queries.results_page(ctx, fmt.parse_uuid(run_id), q=q or None, limit=50)  # type: ignore[arg-type]
    return [result_line(r) for r in page.items]


class CompRunState(DecisionDialogMixin, JobWatchMixin, AuthState):
    run: RunHeader = RunHeader()
    bars: list[dict[str, str | int]] = []  # rx.recharts data: plain dicts
    approvals: list[ApprovalRow] = []
    results: list[ResultLine] = []
    search: str = ""
    tape_ref: str = ""
    tape_name: str = ""
    tape_payout: str = ""
    tape_error: str = ""
    tape: list[TapeLine] = []
    tape_inputs: list[InputLine] = []
    can_export: bool = False
    _job: str = ""
    # the run whose employee the tape shows: a reload of that run (the on_load `load` after the
    # computation, a browser reload) keeps the tape; showing another run clears it
    _tape_run: str = ""
    # the run whose results the table shows (a search's included): kept the same way
    _results_run: str = ""

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = READ
    _missing_text: ClassVar[str] = "Run not found."
    _denied_text: ClassVar[str] = "Your role may not approve this run."
    _watch_permission: ClassVar[str] = READ

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        return _fetch(ctx, record_id)

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.run, self.bars, self.approvals = data["header"], data["chart"], data["approvals"]
        same = self._results_run == self.run.id
        if not same:
            self.search = ""
        if not (same and self.search):  # a search's results stay
            self.results = data["results"]
        self._results_run = self.run.id
        self._job = data["job_id"]
        self.can_export = ctx.can(EXPORT)
        if self._tape_run != self.run.id or not self.run.computed:
            self._clear_tape()
        return self.run.id

    def _blank_record(self) -> None:
        """The tape and the results (searched or not) stay: `_fill_record` keeps them for the same
        run (a computed run's results never change) and replaces them for any other. They are not
        shown meanwhile (only a computed run shows them)."""
        self.run, self.bars, self.approvals = RunHeader(), [], []

    def _clear_tape(self) -> None:
        self.tape, self.tape_inputs, self.tape_ref, self._tape_run = [], [], "", ""
        self.tape_name = self.tape_payout = self.tape_error = ""

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["header"].status

    def _needs_reason(self, chosen: Any) -> bool:
        return False

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        run_id = fmt.parse_uuid(record_id)
        assert run_id is not None and decision.action is not None
        if decision.action == "finalize":
            actions.finalize(ctx, run_id, decision.expected_status)
        else:
            actions.approve(ctx, run_id, decision.action, decision.expected_status)

    def _done_notice(self, action: str | None) -> str:
        last = self.approvals[-1].verification if self.approvals else ""
        return f"{fmt.label(action)}: done. {last}".strip()

    def _watch_fetch(self, ctx: TenantContext, key: str) -> dict[str, Any]:
        return _fetch(ctx, key)

    def _watch_apply(self, ctx: TenantContext, data: dict[str, Any]) -> None:
        self._fill_record(ctx, data)
        self.actions = [as_action(a) for a in data["actions"]]
        self._shown_status = data["header"].status

    def _watch_failed(self, message: str) -> None:
        self.error = message

    @rx.event
    async def follow(self) -> Any:
        """After load: follow the computation while it runs, else show the first results."""
        if not self.found:
            return None
        if not self.run.computed and not self.run.failed and self._job:
            return self._start_watch(self.run.id, self._job)
        return None

    @rx.event
    async def load_results(self):
        ctx = await self._require(READ)
        if ctx is None or not self.run.computed:
            return
        ok, rows = await call(self, _result_lines, ctx, self.run.id, self.search)
        if ok:
            self.results, self._results_run = rows, self.run.id

    @rx.event
    def set_search(self, value: str):
        self.search = str(value or "")[:200]

    @rx.event
    async def show_tape(self, employee_ref: str):
        ctx = await self._require(READ)
        if ctx is None or not self.run.computed:
            return
        ref = str(employee_ref)[:200]
        ok, tape = await call(self, queries.tape, ctx, fmt.parse_uuid(self.run.id), ref)
        if not ok:
            return
        self.tape_ref, self.tape_name, self._tape_run = ref, tape.employee_name or "", self.run.id
        self.tape_payout, self.tape_error = tape.payout or "", tape.error or ""
        self.tape, self.tape_inputs = tape_lines(tape), input_lines(tape)


RESULT_COLUMNS = [
    col(
        "Employee",
        lambda r: rx.link(
            r["employee_ref"], on_click=CompRunState.show_tape(r["employee_ref"]), data_testid="result-employee"
        ),
    ),
    col("Name", "name"),
    col("Team", "team"),
    col("Payout", "payout"),
    col("Pool share", "allocated"),
    col("Row error", lambda r: rx.text(r["error"], color_scheme="red", size="2")),
]
TAPE_COLUMNS = [
    col("#", "order"),
    col("Step", "name"),
    col("Rule", lambda r: rx.code(r["expr"], size="1")),
    col("Value", lambda r: rx.text(r["value"], data_testid="tape-value")),
    col("Status", "status"),
    col("Read", lambda r: rx.text(r["reads"], size="1", color_scheme="gray")),
]
APPROVAL_COLUMNS = [
    col("Step", "action"),
    col("Now", "status"),
    col("Role", "role"),
    col("When", "at"),
    col("Verified", "verification"),
]


def _progress() -> rx.Component:
    s = CompRunState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(s.run.progress_text, weight="medium", data_testid="run-progress-text"),
                rx.spacer(),
                rx.cond(s.live, rx.badge("live", color_scheme="green")),
                width="100%",
            ),
            rx.progress(value=s.run.percent, max=100, width="100%", data_testid="run-progress"),
            rx.cond(s.run.failed, rx.callout(s.run.error, icon="triangle-alert", color_scheme="red", size="1")),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _totals() -> rx.Component:
    s = CompRunState
    return section(
        "Totals",
        figures(
            [
                ("Employees", s.run.employees, "run-employees"),
                ("Row errors", s.run.errors, "run-errors"),
                ("Payout total", s.run.payout_total, "run-payout-total"),
                ("Pool", s.run.pool, "run-pool"),
                ("Allocated (largest remainder)", s.run.allocated, "run-allocated"),
                ("Unallocated", s.run.unallocated, "run-unallocated"),
            ],
            size="4",
        ),
        bar_chart(s.bars, "name", [Series("amount", "Amount")], testid="run-pool-chart", height=220, width="560px"),
        rx.text("Snapshot: ", rx.code(s.run.snapshot_hash, data_testid="run-hash"), size="1"),
        rx.cond(
            s.run.frozen_hash != "", rx.text("Frozen at the first approval: ", rx.code(s.run.frozen_hash), size="1")
        ),
    )


def _results_section() -> rx.Component:
    s = CompRunState
    return section(
        "Results",
        rx.hstack(
            rx.input(
                value=s.search,
                on_change=s.set_search,
                placeholder="Employee reference starts with…",
                data_testid="results-search",
            ),
            rx.button("Search", on_click=s.load_results, variant="soft", data_testid="results-search-go"),
        ),
        table_or_empty(s.results, RESULT_COLUMNS, "results-table", "No results.", "users", row_testid="result-row"),
        rx.cond(
            s.tape_ref != "",
            rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.heading(s.tape_ref, size="4", data_testid="tape-ref"),
                        rx.text(s.tape_name),
                        rx.spacer(),
                        rx.cond(
                            s.can_export,
                            rx.link(
                                "Statement (PDF)",
                                href=f"/api/v1/runs/{s.run.id}/statements/{s.tape_ref}.pdf",
                                is_external=True,
                                data_testid="statement-download",
                            ),
                        ),
                        width="100%",
                    ),
                    rx.text("Payout: ", rx.code(s.tape_payout, data_testid="tape-payout")),
                    rx.cond(s.tape_error != "", rx.text(s.tape_error, color_scheme="red")),
                    table_or_empty(s.tape_inputs, [col("Input", "key"), col("Value used", "value")], "tape-inputs", ""),
                    table_or_empty(s.tape, TAPE_COLUMNS, "tape-table", "", row_testid="tape-step"),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
        ),
    )


@app_page(
    "/comp/runs/[id]",
    "Compensation run",
    permission=READ,
    on_load=[CompRunState.load, CompRunState.follow, RunCompareState.load, RunBundleState.load],
)
def run_page() -> rx.Component:
    s = CompRunState
    head = record_header(
        rx.heading(s.run.scenario, size="6", data_testid="run-title"),
        status_badge(s.run.status, data_testid="run-status"),
        sub=rx.text(s.run.plan, " · ", s.run.upload, size="2", color_scheme="gray"),
        aside=action_buttons(s, "run-action", disable_while_busy=True),
    )
    exports = rx.cond(
        s.run.computed & s.can_export,
        rx.hstack(
            rx.text("Export:", size="2"),
            rx.link("CSV", href=s.run.csv_href, is_external=True, data_testid="export-csv"),
            rx.link("XLSX", href=s.run.xlsx_href, is_external=True, data_testid="export-xlsx"),
            rx.link("PDF", href=s.run.pdf_href, is_external=True, data_testid="export-pdf"),
            spacing="3",
        ),
    )
    body = rx.vstack(
        head,
        _progress(),
        rx.cond(
            s.run.computed,
            rx.vstack(
                _totals(),
                exports,
                rx.cond(s.can_export, bundle_section()),
                _results_section(),
                compare_section(),
                spacing="4",
                width="100%",
            ),
        ),
        section(
            "Approvals",
            table_or_empty(
                s.approvals,
                APPROVAL_COLUMNS,
                "approvals-table",
                "Not approved yet.",
                "stamp",
                row_testid="approval-row",
            ),
        ),
        spacing="4",
        width="100%",
    )
    return decision_page(
        s, body, href="/comp/runs", back="runs", missing="Run not found.", missing_testid="run-missing"
    )
