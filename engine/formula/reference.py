"""Reference engine: every row evaluated with Python Decimal, exactly as the semantics page says.

It is the executable specification the vectorized engine is tested against, and it produces the
calculation tape. The AST is compiled once into closures (no eval, no Python source), then evaluated
step by step over the rows (step-major, so total() can sum a step's argument over the whole run).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from engine.formula import decimals as dec
from engine.formula.errors import RowError
from engine.formula.nodes import Binary, Call, Compare, DateLit, If, Logic, Name, Node, Num, Str, Unary, walk
from engine.formula.result import RunResult, result_schema
from engine.formula.validator import CompiledPlan

Fn = Callable[[int], Any]

_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_ARITH = {"+": dec.add, "-": dec.sub, "*": dec.mul, "/": dec.div, "%": dec.mod}


@dataclass
class Trace:
    """What one row's evaluation of one step touched (filled only when tracing)."""

    refs: dict[str, Any] = field(default_factory=dict)
    branches: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Total:
    value: Decimal | None  # None: the sum overflowed
    failures: dict[int, str]  # row → message of its failing argument


class _Compiler:
    """Turns a validated AST into closures over the run's columns."""

    def __init__(self, columns: dict[str, list], fund: dict[str, Decimal], totals: dict[int, _Total]):
        self.columns = columns
        self.fund = fund
        self.totals = totals
        self.trace: Trace | None = None
        self.trace_row = -1

    def compile(self, node: Node) -> Fn:
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    def _Num(self, node: Num) -> Fn:
        v = node.value
        return lambda i: v

    def _Str(self, node: Str) -> Fn:
        v = node.value
        return lambda i: v

    def _DateLit(self, node: DateLit) -> Fn:
        v = node.value
        return lambda i: v

    def _Name(self, node: Name) -> Fn:
        key = node.id
        if key in self.fund:
            v = self.fund[key]
            get: Fn = lambda i: v  # noqa: E731
        else:
            col = self.columns[key]
            get = col.__getitem__
        if self.trace is None:
            return get
        trace, row = self.trace, self.trace_row

        def traced(i: int) -> Any:
            value = get(i)
            if i == row:
                trace.refs[key] = value
            return value

        return traced

    def _Unary(self, node: Unary) -> Fn:
        f = self.compile(node.operand)
        if node.op == "+":
            return f
        return lambda i: dec.neg(f(i))

    def _Binary(self, node: Binary) -> Fn:
        a = self.compile(node.left)
        if node.op == "^":
            assert isinstance(node.right, Num)
            n = int(node.right.value)
            return lambda i: dec.power(a(i), n)
        b = self.compile(node.right)
        op = _ARITH[node.op]
        return lambda i: op(a(i), b(i))

    def _Compare(self, node: Compare) -> Fn:
        a, b, op = self.compile(node.left), self.compile(node.right), _CMP[node.op]
        one, zero = dec.ONE, dec.ZERO
        return lambda i: one if op(a(i), b(i)) else zero

    def _Logic(self, node: Logic) -> Fn:
        a, b = self.compile(node.left), self.compile(node.right)
        one, zero = dec.ONE, dec.ZERO
        if node.op == "&&":

            def both(i: int) -> Decimal:
                x, y = a(i), b(i)  # both sides always evaluated: an error on either side counts
                return one if (x and y) else zero

            return both

        def either(i: int) -> Decimal:
            x, y = a(i), b(i)
            return one if (x or y) else zero

        return either

    def _If(self, node: If) -> Fn:
        c, t, e = self.compile(node.cond), self.compile(node.then), self.compile(node.else_)
        if self.trace is None:
            return lambda i: t(i) if c(i) else e(i)
        trace, row, where = self.trace, self.trace_row, (node.pos.line, node.pos.column)

        def traced(i: int) -> Any:
            taken = bool(c(i))
            if i == row:
                trace.branches.append({"line": where[0], "column": where[1], "branch": "then" if taken else "else"})
            return t(i) if taken else e(i)

        return traced

    def _Call(self, node: Call) -> Fn:
        if node.func == "total":
            return self._total(node)
        fs = [self.compile(a) for a in node.args]
        name = node.func
        if name in ("min", "max"):
            pick = min if name == "min" else max
            return lambda i: pick([f(i) for f in fs])
        if name == "round2":
            (x,) = fs
            return lambda i: dec.round2(x(i))
        if name == "pct":
            (x,) = fs
            return lambda i: dec.pct(x(i))
        if name == "pct_change":
            cur, prev = fs
            return lambda i: _pct_change(cur(i), prev(i))
        if name == "clip":
            x, lo, hi = fs
            return lambda i: _clip(x(i), lo(i), hi(i))
        if name == "cap_floor":
            x, cap, floor = fs
            return lambda i: _clip(x(i), floor(i), cap(i))
        if name == "hurdle":
            perf, rate = fs
            return lambda i: _hurdle(perf(i), rate(i))
        raise AssertionError(f"function {name} passed validation but has no implementation")

    def _total(self, node: Call) -> Fn:
        slot = self.totals[id(node)]
        failures = slot.failures
        trace, row, label = self.trace, self.trace_row, "total(…)"

        def get(i: int) -> Decimal:
            if i in failures:
                raise RowError(failures[i])
            if slot.value is None:
                raise RowError(dec.MSG_TOTAL_OVERFLOW)
            if trace is not None and i == row:
                trace.refs[label] = slot.value
            return slot.value

        return get


def _pct_change(cur: Decimal, prev: Decimal) -> Decimal:
    return dec.pct_change(cur, prev)


def _clip(x: Decimal, lo: Decimal, hi: Decimal) -> Decimal:
    return min(max(x, lo), hi)


def _hurdle(perf: Decimal, rate: Decimal) -> Decimal:
    return dec.ZERO if perf < rate else perf


@dataclass
class StepOutcome:
    """Per-row outcome of one step, for tapes: status is ok, skipped, failed or not_run."""

    status: str
    value: Decimal | None
    error: str | None
    condition: Decimal | None
    trace: Trace


def run(compiled: CompiledPlan, frame: pl.DataFrame, trace_row: int | None = None) -> RunResult:
    """Evaluate the plan for every row of the typed input frame."""
    result, _ = _run(compiled, frame, trace_row)
    return result


def aggregates(compiled: CompiledPlan, frame: pl.DataFrame) -> dict[str, Decimal | None]:
    """Every total() of the plan summed over the whole run, keyed by step and place (`total_key`).

    Computed once per run, they let a tape trace one row alone (`_run(..., totals=…)`) and still read
    the same sums the whole run read: a row's own evaluation depends on other rows only through them.
    None: that sum overflowed.
    """
    found: dict[str, Decimal | None] = {}
    _run(compiled, frame, None, collect=found)
    return found


def total_key(step: str, index: int) -> str:
    """The name of a step's index-th total() (walk order over its condition, then its expression)."""
    return f"{step}#{index}"


def _run(
    compiled: CompiledPlan,
    frame: pl.DataFrame,
    trace_row: int | None,
    *,
    totals: Mapping[str, Decimal | None] | None = None,
    collect: dict[str, Decimal | None] | None = None,
) -> tuple[RunResult, dict[str, StepOutcome]]:
    """The run; `totals` (from `aggregates`) replaces each total()'s sum over these rows (which are then
    only some of the run's rows); `collect` receives each sum as it is computed."""
    n = frame.height
    columns: dict[str, list] = {k: frame[k].to_list() for k in compiled.input_dtypes}
    outputs: dict[str, list] = {s.name: [None] * n for s in compiled.steps}
    columns.update(outputs)
    errors: list[str | None] = [None] * n
    alive = list(range(n))
    outcomes: dict[str, StepOutcome] = {}

    for step in compiled.steps:
        slots: dict[int, _Total] = {}
        compiler = _Compiler(columns, compiled.fund, slots)
        index = 0
        for tree in (step.condition, step.expr):
            for node in walk(tree) if tree is not None else ():
                if isinstance(node, Call) and node.func == "total":
                    key, index = total_key(step.name, index), index + 1
                    slot = _sum_total(compiler.compile(node.args[0]), alive)
                    if totals is not None:  # the run's sum; these rows' failures still found here
                        slot = _Total(totals[key], slot.failures)
                    if collect is not None:
                        collect[key] = slot.value
                    slots[id(node)] = slot
        trace = Trace()
        if trace_row is not None:
            compiler.trace, compiler.trace_row = trace, trace_row
        cond = compiler.compile(step.condition) if step.condition is not None else None
        expr = compiler.compile(step.expr)
        out = outputs[step.name]
        failed: list[int] = []
        for i in alive:
            c = None
            try:
                if cond is not None:
                    c = cond(i)
                    if not c:
                        out[i] = dec.ZERO
                        if i == trace_row:
                            outcomes[step.name] = StepOutcome("skipped", dec.ZERO, None, c, trace)
                        continue
                out[i] = expr(i)
                if i == trace_row:
                    outcomes[step.name] = StepOutcome("ok", out[i], None, c, trace)
            except RowError as exc:
                errors[i] = f"{step.name}: {exc.message}"
                failed.append(i)
                if i == trace_row:
                    outcomes[step.name] = StepOutcome("failed", None, exc.message, c, trace)
        if failed:
            dead = set(failed)
            alive = [i for i in alive if i not in dead]
        if trace_row is not None and step.name not in outcomes:
            outcomes[step.name] = StepOutcome("not_run", None, None, None, trace)

    for i, err in enumerate(errors):
        if err is not None:
            for out in outputs.values():
                out[i] = None
    data = {
        "employee_ref": frame["employee_ref"],
        **{name: outputs[name] for name in compiled.display},
        "error": errors,
    }
    result = RunResult(pl.DataFrame(data, schema=result_schema(compiled.display)), "reference")
    return result, outcomes


def _sum_total(arg: Fn, rows: list[int]) -> _Total:
    """Sum the argument over the rows alive before this step; rows whose argument fails are left out."""
    acc = Decimal(0)
    failures: dict[int, str] = {}
    for i in rows:
        try:
            acc = dec.CTX.add(acc, arg(i))
        except RowError as exc:
            failures[i] = exc.message
    try:
        return _Total(dec.fix(acc), failures)
    except RowError:
        return _Total(None, failures)
