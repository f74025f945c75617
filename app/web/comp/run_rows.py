"""Display rows of the run pages (frozen dataclasses of display strings and real bools; money as
exact Decimal text shaped by kit.format; chart figures in whole currency units)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.web.kit import format as fmt
from models.comp.runs.views import ResultRow, RunView, TapeView


@dataclass(frozen=True)
class RunRow:
    id: str = ""
    href: str = ""
    plan: str = ""
    scenario: str = ""
    status: str = ""
    phase: str = ""
    employees: str = ""
    errors: str = ""
    payout_total: str = ""
    created: str = ""


@dataclass(frozen=True)
class RunHeader:
    id: str = ""
    plan: str = ""
    plan_href: str = ""
    scenario: str = ""
    upload: str = ""
    status: str = ""
    phase: str = ""
    percent: int = 0
    progress_text: str = ""
    computed: bool = False
    failed: bool = False
    error: str = ""
    employees: str = ""
    errors: str = ""
    payout_total: str = ""
    currency: str = ""
    pool: str = ""
    allocated: str = ""
    unallocated: str = ""
    snapshot_hash: str = ""
    frozen_hash: str = ""
    csv_href: str = ""
    xlsx_href: str = ""
    pdf_href: str = ""


@dataclass(frozen=True)
class ChartBar:
    name: str = ""
    amount: int = 0


@dataclass(frozen=True)
class ApprovalRow:
    action: str = ""
    status: str = ""
    role: str = ""
    at: str = ""
    verification: str = ""


@dataclass(frozen=True)
class ResultLine:
    employee_ref: str = ""
    name: str = ""
    team: str = ""
    payout: str = ""
    allocated: str = ""
    error: str = ""
    failed: bool = False


@dataclass(frozen=True)
class TapeLine:
    name: str = ""
    order: str = ""
    expr: str = ""
    condition: str = ""
    status: str = ""
    value: str = ""
    reads: str = ""
    error: str = ""


@dataclass(frozen=True)
class InputLine:
    key: str = ""
    value: str = ""


def _whole(value: str | None) -> int:
    return int(Decimal(value).to_integral_value()) if value else 0


def run_row(view: RunView) -> RunRow:
    return RunRow(
        id=str(view.id),
        href=f"/comp/runs/{view.id}",
        plan=f"{view.plan_name} v{view.plan_version}",
        scenario=view.scenario_name,
        status=view.status,
        phase=view.progress.phase,
        employees=str(view.employees) if view.computed else "",
        errors=str(view.errors) if view.computed else "",
        payout_total=fmt.money(view.totals.get("payout_total")) if view.computed else "",
        created=fmt.when(view.created_at),
    )


def header(view: RunView) -> RunHeader:
    totals, pool = view.totals, view.totals.get("pool") or {}
    prog = view.progress
    text = {
        "queued": "Waiting for a worker",
        "loading": f"Loading {prog.total:,} employees",
        "evaluating": f"Evaluating {prog.total:,} employees",
        "persisting": f"Saving results: {prog.done:,} of {prog.total:,}",
        "computed": f"Computed: {view.employees:,} employees",
        "failed": "The run failed",
    }.get(prog.phase, prog.phase)
    base = f"/api/v1/runs/{view.id}/export"
    return RunHeader(
        id=str(view.id),
        plan=f"{view.plan_name} v{view.plan_version}",
        plan_href=f"/comp/plans/{view.plan_id}",
        scenario=view.scenario_name,
        upload=view.upload_filename,
        status=view.status,
        phase=prog.phase,
        percent=prog.percent,
        progress_text=text,
        computed=view.computed,
        failed=prog.phase == "failed",
        error=view.error or "",
        employees=f"{view.employees:,}",
        errors=f"{view.errors:,}",
        payout_total=fmt.money(totals.get("payout_total")),
        currency=str(pool.get("currency") or ""),
        pool=fmt.money(pool.get("amount")) if pool else "",
        allocated=fmt.money(pool.get("allocated")) if pool else "",
        unallocated=fmt.money(pool.get("unallocated")) if pool else "",
        snapshot_hash=view.snapshot_hash or "",
        frozen_hash=view.frozen_hash or "",
        csv_href=f"{base}.csv",
        xlsx_href=f"{base}.xlsx",
        pdf_href=f"{base}.pdf",
    )


def chart(view: RunView) -> list[dict[str, str | int]]:
    """Pool vs target as rx.recharts data: its `data` prop takes plain dicts (of ChartBar's fields)."""
    if not view.computed:
        return []
    pool = view.totals.get("pool") or {}
    bars = [ChartBar("Payouts (plan)", _whole(view.totals.get("payout_total")))]
    if pool:
        bars = [
            ChartBar("Pool (target)", _whole(pool.get("amount"))),
            *bars,
            ChartBar("Allocated", _whole(pool.get("allocated"))),
        ]
    return [{"name": b.name, "amount": b.amount} for b in bars]


def approval_rows(view: RunView) -> list[ApprovalRow]:
    return [
        ApprovalRow(fmt.label(a.action), fmt.label(a.status), a.role, fmt.stamp(a.at), a.verification)
        for a in view.approvals
    ]


def result_line(row: ResultRow) -> ResultLine:
    return ResultLine(
        employee_ref=row.employee_ref,
        name=row.employee_name or "",
        team=row.team or "",
        payout=fmt.money(row.payout) if row.payout is not None else "",
        allocated=fmt.money(row.allocated) if row.allocated is not None else "",
        error=row.error or "",
        failed=row.error is not None,
    )


def tape_lines(tape: TapeView) -> list[TapeLine]:
    return [
        TapeLine(
            name=s.name,
            order=str(s.order),
            expr=s.expr,
            condition=s.condition or "",
            status=s.status,
            value=s.value or "",
            reads=", ".join(f"{k} = {v}" for k, v in s.refs.items()),
            error=s.error or "",
        )
        for s in tape.steps
    ]


def input_lines(tape: TapeView) -> list[InputLine]:
    return [InputLine(k, v) for k, v in (tape.used or tape.inputs).items()]
