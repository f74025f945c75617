"""Running a plan on a few rows: test vectors (every step's value and the calculation tape per row)
and the impact of a new version against a base version on a sample (count changed, total and pool
delta, the top movers each explained by the tape).

Values are computed by the vectorized engine (exact Decimal(38,10)); tapes come from
engine.formula.tape (the reference engine traced for one row), so a tape always agrees with the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from engine.comp.data import sample_frame
from engine.comp.spec import PlanSpec
from engine.formula import decimals as dec
from engine.formula.nodes import Call, walk
from engine.formula.tape import Tape, build_tape
from engine.formula.validator import CompiledPlan
from engine.formula.vectorized import run

DEFAULT_MOVERS = 10
MAX_MOVERS = 50


def _text(value: Decimal | None) -> str | None:
    return None if value is None else dec.to_text(value)


def uses_total(compiled: CompiledPlan) -> bool:
    return any(
        isinstance(n, Call) and n.func == "total"
        for s in compiled.steps
        for root in (s.expr, s.condition)
        if root is not None
        for n in walk(root)
    )


def tape_for(
    compiled: CompiledPlan,
    frame: pl.DataFrame,
    employee_ref: str,
    totals: Mapping[str, Decimal | None] | None = None,
) -> Tape:
    """The row's tape; a plan without total(), or with the run's total() sums given
    (engine.formula.reference.aggregates), is traced on that row alone (same result, faster)."""
    if totals is None and not uses_total(compiled):
        frame = frame.filter(pl.col("employee_ref") == employee_ref)
    return build_tape(compiled, frame, employee_ref, totals)


@dataclass(frozen=True)
class VectorRow:
    employee_ref: str
    inputs: dict[str, str]  # as the plan read them (defaults and transforms applied)
    values: dict[str, str | None]  # step → value (10 decimals), None where the row failed
    error: str | None
    tape: dict[str, Any]  # engine.formula.tape.Tape.to_dict()


@dataclass(frozen=True)
class Vectors:
    steps: list[str]  # display order
    order: list[str]  # evaluation order
    rows: list[VectorRow]


def run_vectors(spec: PlanSpec, compiled: CompiledPlan, rows: Sequence[Mapping[str, Any]]) -> Vectors:
    frame = sample_frame(spec.inputs, rows, compiled)
    result = run(compiled, frame).frame
    out: list[VectorRow] = []
    for record in result.iter_rows(named=True):
        ref = record["employee_ref"]
        tape = tape_for(compiled, frame, ref)
        out.append(
            VectorRow(
                employee_ref=ref,
                inputs=tape.inputs,
                values={name: _text(record[name]) for name in compiled.display},
                error=record["error"],
                tape=tape.to_dict(),
            )
        )
    return Vectors(list(compiled.display), [s.name for s in compiled.steps], out)


@dataclass(frozen=True)
class StepMove:
    name: str
    base: str | None  # the step's value under the base version (None: absent or failed)
    new: str | None
    change: str  # "value" (same rule, different inputs upstream) | "rule" (expr/condition edited) | "added" | "removed"


@dataclass(frozen=True)
class Mover:
    employee_ref: str
    base: str | None  # payout under the base version (None: the row failed)
    new: str | None
    delta: str | None
    why: str  # one line: where the payout's change starts
    steps: list[StepMove]  # every step whose value differs, in the new version's evaluation order
    base_tape: dict[str, Any]
    new_tape: dict[str, Any]


@dataclass(frozen=True)
class Impact:
    rows: int
    base_payout_step: str
    new_payout_step: str
    changed: int
    increased: int
    decreased: int
    base_total: Decimal
    new_total: Decimal
    total_delta: Decimal
    base_errors: int
    new_errors: int
    base_pool: Decimal | None
    new_pool: Decimal | None
    pool_delta: Decimal | None  # new pool amount − base pool amount (same currency only)
    base_pool_share: Decimal | None  # total payout / pool amount
    new_pool_share: Decimal | None
    movers: list[Mover]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Version:
    """One side of an impact preview: the plan, its compiled form and its pool (amount, currency)."""

    spec: PlanSpec
    compiled: CompiledPlan
    pool_amount: Decimal | None = None
    pool_currency: str | None = None


def _rule_changed(base: PlanSpec, new: PlanSpec) -> set[str]:
    old = {s.name: (s.expr, s.condition or None) for s in base.steps}
    return {s.name for s in new.steps if s.name in old and old[s.name] != (s.expr, s.condition or None)}


def _share(total: Decimal, pool: Decimal | None) -> Decimal | None:
    if pool is None or not pool:
        return None
    return dec.div(total, pool)


def impact(base: Version, new: Version, rows: Sequence[Mapping[str, Any]], movers: int = DEFAULT_MOVERS) -> Impact:
    """Both versions over the same rows (each reads them with its own inputs) and what changed."""
    base_frame = sample_frame(base.spec.inputs, rows, base.compiled)
    new_frame = sample_frame(new.spec.inputs, rows, new.compiled)
    base_out = run(base.compiled, base_frame).frame
    new_out = run(new.compiled, new_frame).frame
    b_step, n_step = base.spec.payout_step or "", new.spec.payout_step or ""
    edited = _rule_changed(base.spec, new.spec)
    base_names, new_names = set(base.compiled.display), set(new.compiled.display)
    notes: list[str] = []
    if b_step != n_step:
        notes.append(f"the payout step is '{b_step}' in the base version and '{n_step}' in the new one")

    base_rows = {r["employee_ref"]: r for r in base_out.iter_rows(named=True)}
    base_total = new_total = dec.ZERO
    changed = increased = decreased = 0
    candidates: list[tuple[int, Decimal, str]] = []  # (failed first, -|delta|, ref)
    for record in new_out.iter_rows(named=True):
        ref = record["employee_ref"]
        old = base_rows[ref]
        b, n = old[b_step] if old["error"] is None else None, record[n_step] if record["error"] is None else None
        if b is not None:
            base_total = dec.add(base_total, b)
        if n is not None:
            new_total = dec.add(new_total, n)
        if b == n and (old["error"] is None) == (record["error"] is None):
            continue
        changed += 1
        if b is not None and n is not None:
            delta = dec.sub(n, b)
            increased += delta > 0
            decreased += delta < 0
            candidates.append((1, -abs(delta), ref))
        else:
            candidates.append((0, dec.ZERO, ref))
    candidates.sort()

    chosen: list[Mover] = []
    for _, _, ref in candidates[: max(0, min(movers, MAX_MOVERS))]:
        old, record = base_rows[ref], new_out.row(by_predicate=pl.col("employee_ref") == ref, named=True)
        b = old[b_step] if old["error"] is None else None
        n = record[n_step] if record["error"] is None else None
        moves: list[StepMove] = []
        for name in [s.name for s in new.compiled.steps]:
            nv = record[name]
            if name not in base_names:
                moves.append(StepMove(name, None, _text(nv), "added"))
            elif old[name] != nv:
                moves.append(StepMove(name, _text(old[name]), _text(nv), "rule" if name in edited else "value"))
        moves += [
            StepMove(name, _text(old[name]), None, "removed") for name in base.compiled.display if name not in new_names
        ]
        chosen.append(
            Mover(
                employee_ref=ref,
                base=_text(b),
                new=_text(n),
                delta=_text(dec.sub(n, b)) if b is not None and n is not None else None,
                why=_why(moves, old["error"], record["error"]),
                steps=moves,
                base_tape=tape_for(base.compiled, base_frame, ref).to_dict(),
                new_tape=tape_for(new.compiled, new_frame, ref).to_dict(),
            )
        )

    pool_delta = None
    if base.pool_amount is not None and new.pool_amount is not None:
        if base.pool_currency == new.pool_currency:
            pool_delta = dec.sub(dec.fix(new.pool_amount), dec.fix(base.pool_amount))
        else:
            notes.append(f"the pools are in different currencies ({base.pool_currency} and {new.pool_currency})")
    return Impact(
        rows=new_out.height,
        base_payout_step=b_step,
        new_payout_step=n_step,
        changed=changed,
        increased=increased,
        decreased=decreased,
        base_total=base_total,
        new_total=new_total,
        total_delta=dec.sub(new_total, base_total),
        base_errors=int(base_out["error"].is_not_null().sum()),
        new_errors=int(new_out["error"].is_not_null().sum()),
        base_pool=None if base.pool_amount is None else dec.fix(base.pool_amount),
        new_pool=None if new.pool_amount is None else dec.fix(new.pool_amount),
        pool_delta=pool_delta,
        base_pool_share=_share(base_total, base.pool_amount),
        new_pool_share=_share(new_total, new.pool_amount),
        movers=chosen,
        notes=notes,
    )


def _why(moves: list[StepMove], base_error: str | None, new_error: str | None) -> str:
    if new_error and not base_error:
        return f"the new version fails for this row: {new_error}"
    if base_error and not new_error:
        return f"the base version failed for this row ({base_error}); the new one computes it"
    edited = [m for m in moves if m.change in ("rule", "added", "removed")]
    first = edited[0] if edited else (moves[0] if moves else None)
    if first is None:
        return "no step value differs"
    what = {
        "rule": "its rule changed",
        "added": "a new step",
        "removed": "a removed step",
        "value": "its inputs changed",
    }
    return f"starts at step '{first.name}' ({what[first.change]}): {first.base or '—'} → {first.new or '—'}"
