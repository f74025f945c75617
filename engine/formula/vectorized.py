"""Vectorized engine: the validated AST compiled to one lazy Polars query over Decimal(38,10) columns.

Byte-identical to the reference engine. Where Polars' Decimal arithmetic differs from the semantics it
is handled here, explicitly (see docs/formula-language.md, "Polars special handling"):
- literals are built as Decimal(38,10) (a float literal would turn the column into Float64; a bare
  Decimal literal keeps its own scale, so 0.5 * 0.5 would round to one decimal);
- `%` in Polars takes the sign of the divisor; the language takes the dividend's: sign(a)·(|a| % |b|);
- there is no pow on Decimal: a^n is n multiplications, each rounded, as the semantics say;
- division, remainder and pct_change by zero raise for the whole batch: the divisor's zeros are
  replaced by 1 before dividing (a bare when/then is not enough once Polars folds constants), the
  result is masked back to null and the row is flagged;
- overflow (> 28 integer digits) raises for the whole batch: the query first runs without overflow
  guards (the fast path); if Polars raises, it runs again with exact per-row guards (the slow path),
  where rows that cannot overflow use Polars and the rest Python Decimal;
- booleans are not castable to Decimal: when/then to 1/0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from engine.formula import decimals as dec
from engine.formula.errors import RowError
from engine.formula.nodes import Binary, Call, Compare, DateLit, If, Logic, Name, Node, Num, Str, Unary
from engine.formula.result import DECIMAL, RunResult, result_schema
from engine.formula.validator import CompiledPlan

_ERR_PREFIX = "__err__"


def lit(value: Decimal) -> pl.Expr:
    """A Decimal(38,10) literal: never a float, never another scale."""
    return pl.lit(value, dtype=DECIMAL)


ZERO, ONE, HUNDRED = lit(dec.ZERO), lit(dec.ONE), lit(dec.HUNDRED)


@dataclass
class _Val:
    """A compiled sub-expression: its value and, in evaluation order, the conditions under which it fails."""

    expr: pl.Expr
    kind: str  # "num", "bool", "text", "date"
    errs: list[tuple[pl.Expr, str]] = field(default_factory=list)


def _num(v: _Val) -> pl.Expr:
    return pl.when(v.expr).then(ONE).otherwise(ZERO) if v.kind == "bool" else v.expr


def _bool(v: _Val) -> pl.Expr:
    return v.expr if v.kind == "bool" else v.expr != ZERO


def _nonzero(b: pl.Expr) -> pl.Expr:
    """The divisor with 0 replaced by 1: Polars raises for the whole batch on a zero divisor, even in
    rows a when/then masks out when it can fold constants, so the zero never reaches the division."""
    return pl.when(b != ZERO).then(b).otherwise(ONE)


def _and(a: pl.Expr | None, b: pl.Expr) -> pl.Expr:
    return b if a is None else a & b


# ---- exact per-row overflow guards (slow path only) -------------------------------------------

_BIG = {
    k: lit(Decimal(v)) for k, v in {"5e27": "5e27", "1e27": "1e27", "1e17": "1e17", "1e14": "1e14", "1": "1"}.items()
}


def _safe_zone(op: str, a: pl.Expr, b: pl.Expr | None) -> pl.Expr:
    """Rows where Polars' result provably fits 28 integer digits, so Polars cannot raise."""
    if op == "round2":
        return a.abs() < _BIG["1e27"]
    assert b is not None, f"operator {op} takes two operands"
    if op in ("+", "-"):
        return (a.abs() < _BIG["5e27"]) & (b.abs() < _BIG["5e27"])
    if op == "*":
        return ((a.abs() < _BIG["1e14"]) & (b.abs() < _BIG["1e14"])) | (a.abs() <= _BIG["1"]) | (b.abs() <= _BIG["1"])
    if op == "/":
        return (b != ZERO) & ((b.abs() >= _BIG["1"]) | (a.abs() < _BIG["1e17"]))
    raise AssertionError(op)


_POLARS_OP: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "round2": lambda a, b: a.round(2),
}
_EXACT_OP: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": dec.add,
    "-": dec.sub,
    "*": dec.mul,
    "/": dec.div,
    "round2": lambda a, b: dec.round2(a),
}


def _guarded_batch(op: str) -> Callable[[pl.Series], pl.Series]:
    def apply(s: pl.Series) -> pl.Series:
        frame = s.struct.unnest()
        a, b = pl.col("a"), pl.col("b")
        zone = _safe_zone(op, a, b).fill_null(False)
        out = frame.select(pl.when(zone).then(_POLARS_OP[op](a, b)).alias("v"), zone.alias("z"))
        values = out["v"]
        outside = (~out["z"] & frame["a"].is_not_null() & frame["b"].is_not_null()).arg_true()
        if op == "/":
            outside = outside.filter(frame["b"].gather(outside) != 0) if len(outside) else outside
        if len(outside):
            exact = []
            for x, y in zip(frame["a"].gather(outside).to_list(), frame["b"].gather(outside).to_list(), strict=True):
                try:
                    exact.append(_EXACT_OP[op](x, y))
                except RowError:
                    exact.append(None)
            values = values.scatter(outside, pl.Series(exact, dtype=DECIMAL))
        return values

    return apply


def _exact_sum(s: pl.Series) -> pl.Series:
    """total() on the slow path: an exact Python sum, null when it overflows."""
    try:
        value = s.sum()
    except pl.exceptions.PolarsError:
        acc = Decimal(0)
        for x in s.drop_nulls().to_list():
            acc = dec.CTX.add(acc, x)
        try:
            value = dec.fix(acc)
        except RowError:
            value = None
    return pl.Series([value], dtype=DECIMAL)


class _Compiler:
    """AST → (_Val) for one step; `ok_before` is the 'no row error yet' flag total() needs."""

    def __init__(self, compiled: CompiledPlan, guarded: bool, ok_before: pl.Expr | None):
        self.fund = compiled.fund
        self.kinds = {k: t if t in ("text", "date") else "num" for k, t in compiled.input_types.items()}
        self.guarded = guarded
        self.ok_before = ok_before

    def compile(self, node: Node, mask: pl.Expr | None) -> _Val:
        return getattr(self, "_" + type(node).__name__)(node, mask)

    def flag(self, cond: pl.Expr, mask: pl.Expr | None, message: str) -> tuple[pl.Expr, str]:
        return (_and(mask, cond), message)

    # leaves
    def _Num(self, node: Num, mask: pl.Expr | None) -> _Val:
        return _Val(lit(node.value), "num")

    def _Str(self, node: Str, mask: pl.Expr | None) -> _Val:
        return _Val(pl.lit(node.value, dtype=pl.String), "text")

    def _DateLit(self, node: DateLit, mask: pl.Expr | None) -> _Val:
        return _Val(pl.lit(node.value, dtype=pl.Date), "date")

    def _Name(self, node: Name, mask: pl.Expr | None) -> _Val:
        if node.id in self.fund:
            return _Val(lit(self.fund[node.id]), "num")
        return _Val(pl.col(node.id), self.kinds.get(node.id, "num"))

    # arithmetic with overflow guards on the slow path
    def arith(self, op: str, a: pl.Expr, b: pl.Expr, mask: pl.Expr | None, errs: list) -> pl.Expr:
        if not self.guarded:
            return _POLARS_OP[op](a, b)
        # anchored on a column: operands that Polars folds to literals (hurdle(0, x) is 0 on both
        # branches) would make a one-row struct that cannot be zipped with the frame's columns
        anchor = pl.col("employee_ref").is_null().alias("_anchor")
        value = pl.struct(a.alias("a"), b.alias("b"), anchor).map_batches(_guarded_batch(op), return_dtype=DECIMAL)
        failed = value.is_null() & a.is_not_null() & b.is_not_null()
        if op == "/":
            failed = failed & (b != ZERO)
        errs.append(self.flag(failed, mask, dec.MSG_OVERFLOW))
        return value

    def divide(self, a: pl.Expr, b: pl.Expr, mask: pl.Expr | None, errs: list, message: str) -> pl.Expr:
        errs.append(self.flag(b == ZERO, mask, message))
        if self.guarded:
            return self.arith("/", a, b, mask, errs)
        return pl.when(b != ZERO).then(a / _nonzero(b))

    def _Unary(self, node: Unary, mask: pl.Expr | None) -> _Val:
        v = self.compile(node.operand, mask)
        return _Val(-_num(v) if node.op == "-" else _num(v), "num", v.errs)

    def _Binary(self, node: Binary, mask: pl.Expr | None) -> _Val:
        left = self.compile(node.left, mask)
        a = _num(left)
        errs = list(left.errs)
        if node.op == "^":
            return _Val(self.power(a, int(node.right.value), mask, errs), "num", errs)  # type: ignore[union-attr]
        right = self.compile(node.right, mask)
        b = _num(right)
        errs.extend(right.errs)
        if node.op in ("+", "-", "*"):
            return _Val(self.arith(node.op, a, b, mask, errs), "num", errs)
        if node.op == "/":
            return _Val(self.divide(a, b, mask, errs, dec.MSG_DIV_ZERO), "num", errs)
        # "%": the sign of the dividend (truncated division); Polars' own % follows the divisor.
        errs.append(self.flag(b == ZERO, mask, dec.MSG_MOD_ZERO))
        magnitude = a.abs() % _nonzero(b).abs()
        value = pl.when(b != ZERO).then(pl.when(a < ZERO).then(-magnitude).otherwise(magnitude))
        return _Val(value, "num", errs)

    def power(self, a: pl.Expr, n: int, mask: pl.Expr | None, errs: list) -> pl.Expr:
        if n == 0:
            return ONE
        r = a
        for _ in range(abs(n) - 1):
            r = self.arith("*", r, a, mask, errs)
        return self.divide(ONE, r, mask, errs, dec.MSG_DIV_ZERO) if n < 0 else r

    def _Compare(self, node: Compare, mask: pl.Expr | None) -> _Val:
        left, right = self.compile(node.left, mask), self.compile(node.right, mask)
        a = left.expr if left.kind in ("text", "date") else _num(left)
        b = right.expr if right.kind in ("text", "date") else _num(right)
        value = {"==": a.__eq__, "!=": a.__ne__, "<": a.__lt__, "<=": a.__le__, ">": a.__gt__, ">=": a.__ge__}[node.op](
            b
        )
        return _Val(value, "bool", left.errs + right.errs)

    def _Logic(self, node: Logic, mask: pl.Expr | None) -> _Val:
        left, right = self.compile(node.left, mask), self.compile(node.right, mask)
        a, b = _bool(left), _bool(right)
        return _Val(a & b if node.op == "&&" else a | b, "bool", left.errs + right.errs)

    def _If(self, node: If, mask: pl.Expr | None) -> _Val:
        cond = self.compile(node.cond, mask)
        c = _bool(cond)
        then = self.compile(node.then, _and(mask, c))
        other = self.compile(node.else_, _and(mask, ~c))
        value = pl.when(c).then(_num(then)).otherwise(_num(other))
        return _Val(value, "num", cond.errs + then.errs + other.errs)

    def _Call(self, node: Call, mask: pl.Expr | None) -> _Val:
        if node.func == "total":
            return self.total(node, mask)
        args = [self.compile(a, mask) for a in node.args]
        errs = [e for a in args for e in a.errs]
        xs = [_num(a) for a in args]
        f = node.func
        if f == "min":
            value = pl.min_horizontal(xs)
        elif f == "max":
            value = pl.max_horizontal(xs)
        elif f == "round2":
            value = self.arith("round2", xs[0], xs[0], mask, errs) if self.guarded else xs[0].round(2)
        elif f == "clip":
            value = pl.min_horizontal(pl.max_horizontal(xs[0], xs[1]), xs[2])
        elif f == "cap_floor":
            value = pl.min_horizontal(pl.max_horizontal(xs[0], xs[2]), xs[1])
        elif f == "hurdle":
            value = pl.when(xs[0] < xs[1]).then(ZERO).otherwise(xs[0])
        elif f == "pct":
            value = xs[0] / HUNDRED  # |x| / 100 cannot overflow and 100 is never zero
        elif f == "pct_change":
            cur, prev = xs
            errs.append(self.flag(prev == ZERO, mask, dec.MSG_PCT_ZERO))
            diff = self.arith("-", cur, prev, mask, errs)
            if self.guarded:
                value = self.arith("/", diff, prev, mask, errs)
            else:
                value = pl.when(prev != ZERO).then(diff / _nonzero(prev))
        else:
            raise AssertionError(f"function {f} passed validation but has no implementation")
        return _Val(value, "num", errs)

    def total(self, node: Call, mask: pl.Expr | None) -> _Val:
        arg = self.compile(node.args[0], None)
        failed = pl.any_horizontal([f for f, _ in arg.errs]).fill_null(False) if arg.errs else pl.lit(False)
        # anchor on a column so a constant argument (total(1)) is summed once per row, not once
        include = pl.col("employee_ref").is_not_null() & ~failed
        if self.ok_before is not None:
            include = include & self.ok_before
        contributions = pl.when(include).then(_num(arg))
        if self.guarded:
            value = contributions.map_batches(_exact_sum, return_dtype=DECIMAL, returns_scalar=True)
        else:
            value = contributions.sum()
        errs = [self.flag(f, mask, m) for f, m in arg.errs]
        if self.guarded:
            errs.append(self.flag(value.is_null(), mask, dec.MSG_TOTAL_OVERFLOW))
        return _Val(value, "num", errs)


def build_query(compiled: CompiledPlan, frame: pl.LazyFrame, guarded: bool) -> pl.LazyFrame:
    """The whole plan as one lazy query: a value and an error column per step, then the result shape."""
    err_cols: list[str] = []
    query = frame
    for step in compiled.steps:
        ok_before = pl.all_horizontal([pl.col(c).is_null() for c in err_cols]) if err_cols else None
        comp = _Compiler(compiled, guarded, ok_before)
        errs: list[tuple[pl.Expr, str]] = []
        cond_bool = None
        if step.condition is not None:
            cond = comp.compile(step.condition, None)
            errs.extend(cond.errs)
            cond_bool = _bool(cond)
        body = comp.compile(step.expr, cond_bool)
        errs.extend(body.errs)
        value = _num(body)
        if cond_bool is not None:
            value = pl.when(cond_bool).then(value).otherwise(ZERO)
        columns = [value.alias(step.name)]
        if errs:
            err_name = f"{_ERR_PREFIX}{len(err_cols)}"
            messages = [pl.when(f).then(pl.lit(f"{step.name}: {m}", dtype=pl.String)) for f, m in errs]
            columns.append((pl.coalesce(messages) if len(messages) > 1 else messages[0]).alias(err_name))
            err_cols.append(err_name)
        query = query.with_columns(columns)
    error = pl.coalesce([pl.col(c) for c in err_cols]) if err_cols else pl.lit(None, dtype=pl.String)
    ok = pl.col("error").is_null()
    return query.with_columns(error.alias("error")).select(
        pl.col("employee_ref"),
        *[pl.when(ok).then(pl.col(name)).otherwise(None).alias(name) for name in compiled.display],
        pl.col("error").cast(pl.String),
    )


def run(compiled: CompiledPlan, frame: pl.DataFrame, mode: str = "auto") -> RunResult:
    """Evaluate the plan; mode "auto" tries the fast path and falls back to guards on batch errors.

    "fast" and "guarded" force one path (tests use both to prove each agrees with the reference).
    """
    if mode not in ("auto", "fast", "guarded"):
        raise ValueError(f"unknown mode {mode!r}")
    if mode != "guarded":
        try:
            out = build_query(compiled, frame.lazy(), guarded=False).collect()
            return RunResult(out.cast(result_schema(compiled.display)), "vectorized", guarded=False)  # type: ignore[arg-type]
        except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):
            if mode == "fast":
                raise
    out = build_query(compiled, frame.lazy(), guarded=True).collect()
    return RunResult(out.cast(result_schema(compiled.display)), "vectorized", guarded=True)  # type: ignore[arg-type]
