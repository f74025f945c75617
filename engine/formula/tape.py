"""Calculation tape: for one employee, what each step read, which branch it took, and what it gave.

This is the data behind the statement page. It is produced by the reference engine (the executable
specification) with tracing on for that one row, so a tape always agrees with the engines' result.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from engine.formula import decimals as dec
from engine.formula.reference import _run
from engine.formula.validator import CompiledPlan


@dataclass(frozen=True)
class TapeStep:
    name: str
    order: int
    expr: str
    condition: str | None
    status: str  # ok | skipped (condition was 0) | failed | not_run (the row failed at an earlier step)
    condition_value: str | None
    refs: dict[str, str]  # every name the step read, with its value (total(…) included)
    branches: list[dict[str, Any]]  # each if reached: line, column, branch ("then"/"else")
    result: str | None
    error: str | None


@dataclass(frozen=True)
class Tape:
    employee_ref: str
    inputs: dict[str, str]
    steps: list[TapeStep]
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "employee_ref": self.employee_ref,
            "inputs": self.inputs,
            "steps": [s.__dict__ for s in self.steps],
            "error": self.error,
        }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return dec.to_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def build_tape(
    compiled: CompiledPlan,
    frame: pl.DataFrame,
    employee_ref: str,
    totals: Mapping[str, Decimal | None] | None = None,
) -> Tape:
    """Tape for one employee of a run. total() sums over every row: either the frame is the whole run,
    or `totals` holds the run's sums (engine.formula.reference.aggregates) and only that row is traced."""
    if totals is not None:
        frame = frame.filter(pl.col("employee_ref") == employee_ref)
    matches = frame["employee_ref"].eq(employee_ref).arg_true()
    if not len(matches):
        raise KeyError(f"no employee_ref {employee_ref!r} in the run")
    row = int(matches[0])
    result, outcomes = _run(compiled, frame, trace_row=row, totals=totals)
    inputs = {k: _text(frame[k][row]) or "" for k in compiled.input_dtypes}
    inputs.update({k: dec.to_text(v) for k, v in compiled.fund.items()})
    steps = []
    for step in compiled.steps:
        out = outcomes[step.name]
        steps.append(
            TapeStep(
                name=step.name,
                order=step.order,
                expr=step.expr_text,
                condition=step.condition_text,
                status=out.status,
                condition_value=_text(out.condition),
                refs={k: _text(v) or "" for k, v in out.trace.refs.items()},
                branches=list(out.trace.branches),
                result=_text(out.value),
                error=out.error,
            )
        )
    return Tape(employee_ref, inputs, steps, result.frame["error"][row])
