"""Calculation tapes of a run's employees, from the stored inputs and results: one employee's
(`queries.tape`, the run page and the statement) or every employee's in row order (`run_tapes`, the
statements bundle), both built by `tape_view` the same way.

A plan with total() reads the run's sums once (models.comp.runs.aggregates) and each tape traces
its one row with them (engine.formula.tape), so a tape never re-evaluates the run. The whole run's
rows are read and typed once for `run_tapes`; typing is row by row, so a row typed with the run is
typed as it is alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

import polars as pl
from sqlmodel import Session, col

from engine.comp.run_frame import INPUT_STEP, ROW, typed_rows
from engine.comp.runs import tape_for, uses_total
from engine.comp.spec import PlanSpec
from engine.comp.validation import validate_plan
from engine.context import TenantContext
from engine.formula import decimals as dec
from engine.formula.validator import CompiledPlan
from models.comp import plans
from models.comp.runs import aggregates, runs, store
from models.comp.runs.tables import CompRun, EmployeeRow, RunResult
from models.comp.runs.views import TapeStepView, TapeView

Sums = Mapping[str, Decimal | None] | None


def _text(value: object) -> str | None:
    return None if value is None else dec.to_text(value)  # type: ignore[arg-type]


def plan_of(session: Session, ctx: TenantContext, run: CompRun) -> tuple[PlanSpec, CompiledPlan, Sums]:
    """The run's plan, compiled, and its total() sums (None when the plan has none)."""
    spec = plans.spec_of(session, ctx, plans.get_plan(session, ctx, run.plan_id))
    compiled = validate_plan(spec).compiled
    assert compiled is not None, "a computed run's locked plan validates"
    sums = aggregates.run_sums(session, ctx, run, spec, compiled) if uses_total(compiled) else None
    return spec, compiled, sums


def tape_view(
    run: CompRun,
    found: RunResult,
    employee: EmployeeRow | None,
    compiled: CompiledPlan,
    typed: pl.DataFrame,
    sums: Sums,
) -> TapeView:
    """The employee's tape; `typed`: typed input rows holding the employee's (engine.comp.run_frame)."""
    steps_shown = list(run.steps or [])
    values = dict(zip(steps_shown, found.vals, strict=True)) if found.vals else {}
    inputs = {k: v for k, v in (employee.raw if employee else {}).items() if v is not None}
    steps: list[TapeStepView]
    used: dict[str, str] = {}
    if found.error_step == INPUT_STEP:
        steps = [
            TapeStepView(s.name, s.order, s.expr_text, s.condition_text, "not_run", None, {}, [], None)
            for s in compiled.steps
        ]
    else:
        trace = tape_for(compiled, typed, found.employee_ref, sums)
        used = dict(trace.inputs)
        steps = [
            TapeStepView(
                s.name,
                s.order,
                s.expr,
                s.condition,
                s.status,
                values.get(s.name),
                dict(s.refs),
                list(s.branches),
                s.error,
            )  # fmt: skip
            for s in trace.steps
        ]
    return TapeView(
        run_id=run.id,
        employee_ref=found.employee_ref,
        employee_name=employee.employee_name if employee else None,
        team=employee.team if employee else None,
        fund=employee.fund if employee else None,
        role=employee.role if employee else None,
        inputs=inputs,
        used=used,
        steps=steps,
        payout_step=run.payout_step,
        payout=_text(found.payout),
        allocated=_text(found.allocated),
        error=found.error,
        error_step=found.error_step,
        snapshot_hash=run.snapshot_hash,
    )


def one_tape(session: Session, ctx: TenantContext, run: CompRun, found: RunResult) -> TapeView:
    """One employee's tape: only that employee's row is read and traced."""
    employee = session.get(EmployeeRow, (run.upload_id, found.row_no))
    spec, compiled, sums = plan_of(session, ctx, run)
    raw = store.read_employee_rows(
        session, ctx, run.upload_id, [i.key for i in spec.inputs], employee_ref=found.employee_ref
    )
    return tape_view(run, found, employee, compiled, typed_rows(spec.inputs, raw).frame.drop(ROW), sums)


def run_tapes(session: Session, ctx: TenantContext, run: CompRun) -> tuple[int, Iterator[TapeView]]:
    """Every employee's tape in row order: the count, and the tapes (built as they are taken, from
    what is read here at once: the results, the employees and their typed inputs)."""
    spec, compiled, sums = plan_of(session, ctx, run)
    rows = list(session.exec(runs.results_query(ctx, run).order_by(col(RunResult.row_no))).all())
    raw = store.read_employee_rows(session, ctx, run.upload_id, [i.key for i in spec.inputs])
    typed = typed_rows(spec.inputs, raw).frame
    at = {r: i for i, r in enumerate(typed[ROW].to_list())}
    frame = typed.drop(ROW)

    def tapes() -> Iterator[TapeView]:
        for found, employee in rows:
            i = at.get(found.row_no)
            one = frame.slice(i, 1) if i is not None else frame.clear()
            yield tape_view(run, found, employee, compiled, one, sums if sums is not None else {})

    return len(rows), tapes()
