"""The run page's "Compare with" panel: the shown run against a baseline run (another computed run
of the tenant: a scenario over the same employees, last year's run…) — the totals and their deltas,
the count of added, removed, failed, changed and unchanged employees, and the employees whose payout
moved most (models.comp.runs.deltas; every figure exact, shaped by kit.format).

Its own state, loaded with the run page: the run's id is read from the URL into the backend var
`_run_id`; a baseline must be one of the options the server listed, never any id a client sends."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import reflex as rx

from app.web.comp.widgets import figures
from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.controls import field, section, select
from app.web.kit.rows import Option
from app.web.kit.table import col, num, table_or_empty
from app.web.shell.auth import AuthState
from engine.comp.permissions import READ
from engine.context import TenantContext
from models.comp.runs import deltas, queries

ROWS = 50


@dataclass(frozen=True)
class DeltaSummary:
    baseline: str = ""
    payout: str = ""
    baseline_payout: str = ""
    delta: str = ""
    allocated_delta: str = ""
    counts: str = ""


@dataclass(frozen=True)
class DeltaLine:
    employee_ref: str = ""
    name: str = ""
    team: str = ""
    kind: str = ""
    baseline_payout: str = ""
    payout: str = ""
    delta: str = ""
    allocated_delta: str = ""


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + fmt.money(value)


def _options(ctx: TenantContext, run_id: str) -> list[Option]:
    """The tenant's other computed runs, newest first."""
    return [
        Option(str(v.id), f"{v.scenario_name} · {v.plan_name} v{v.plan_version} · {fmt.when(v.created_at)}")
        for v in queries.run_page(ctx, limit=100).items
        if v.computed and str(v.id) != run_id
    ]


def _compare(
    ctx: TenantContext, run_id: str, baseline: str, changed_only: bool
) -> tuple[DeltaSummary, list[DeltaLine]]:
    run, base = fmt.parse_uuid(run_id), fmt.parse_uuid(baseline)
    assert run is not None and base is not None, "ids the server listed"
    found = deltas.run_deltas(ctx, run, base, changed_only=changed_only, limit=ROWS)
    t = found.totals
    counts = ", ".join(f"{n} {kind}" for kind, n in t.counts.items() if n)
    summary = DeltaSummary(
        found.baseline_scenario,
        fmt.money(t.payout),
        fmt.money(t.baseline_payout),
        _signed(t.delta),
        _signed(t.allocated_delta),
        counts,
    )
    lines = [
        DeltaLine(
            r.employee_ref,
            r.employee_name or "",
            r.team or "",
            r.kind,
            fmt.money(r.baseline_payout),
            fmt.money(r.payout),
            _signed(r.delta),
            _signed(r.allocated_delta),
        )
        for r in found.items
    ]
    return summary, lines


class RunCompareState(AuthState):
    options: list[Option] = []
    baseline: str = ""
    changed_only: bool = True
    summary: DeltaSummary = DeltaSummary()
    lines: list[DeltaLine] = []
    error: str = ""  # kit.calls.call writes a refusal here
    _run_id: str = ""

    async def _refresh(self) -> None:
        ctx = await self._require(READ)
        if ctx is None or not self._run_id or not any(o.id == self.baseline for o in self.options):
            return
        self.error = ""
        ok, found = await call(self, _compare, ctx, self._run_id, self.baseline, self.changed_only)
        self.summary, self.lines = found if ok else (DeltaSummary(), [])

    @rx.event
    async def load(self):
        self.options, self.baseline, self.summary, self.lines, self.error = [], "", DeltaSummary(), [], ""
        ctx = await self._require(READ)
        run_id = fmt.parse_uuid(fmt.last_segment(self.router.url.path))
        self._run_id = str(run_id) if run_id else ""
        if ctx is None or not self._run_id:
            return
        ok, options = await call(self, _options, ctx, self._run_id)
        if ok:
            self.options = options

    @rx.event
    async def set_baseline(self, value: str):
        self.baseline = str(value or "")
        await self._refresh()

    @rx.event
    async def set_changed_only(self, value: bool):
        self.changed_only = bool(value)
        await self._refresh()


DELTA_COLUMNS = [
    col("Employee", "employee_ref"),
    col("Name", "name"),
    col("Team", "team"),
    col("Change", "kind"),
    num("Baseline payout", "baseline_payout"),
    num("Payout", "payout"),
    num("Delta", lambda r: rx.text(r["delta"], data_testid="delta-value")),
    num("Pool share delta", "allocated_delta"),
]


def compare_section() -> rx.Component:
    s = RunCompareState
    shown = figures(
        [
            ("Baseline payout", s.summary.baseline_payout, "delta-baseline-total"),
            ("This run", s.summary.payout, "delta-run-total"),
            ("Delta", s.summary.delta, "delta-total"),
            ("Pool share delta", s.summary.allocated_delta, "delta-allocated"),
        ]
    )
    return section(
        "Compare with another run",
        rx.flex(
            field(
                "Baseline run",
                select(
                    s.options,
                    s.baseline,
                    s.set_baseline,
                    "Baseline run",
                    keys=("id", "label"),
                    trigger={"data_testid": "delta-baseline", "placeholder": "Choose a run"},
                ),  # fmt: skip
            ),
            rx.checkbox(
                "Changed employees only",
                checked=s.changed_only,
                on_change=s.set_changed_only,
                data_testid="delta-changed",
            ),
            gap="1rem",
            wrap="wrap",
            align="end",
        ),
        rx.cond(s.error != "", rx.callout(s.error, icon="triangle-alert", color_scheme="red")),
        rx.cond(
            s.summary.baseline != "",
            rx.vstack(
                shown,
                rx.text(s.summary.counts, size="2", color_scheme="gray", data_testid="delta-counts"),
                table_or_empty(s.lines, DELTA_COLUMNS, "delta-table", "No employee changed.", row_testid="delta-row"),
                rx.text(f"The {ROWS} largest changes; the totals cover everyone.", size="1", color_scheme="gray"),
                spacing="3",
                width="100%",
            ),
        ),
    )
