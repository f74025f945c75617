"""Shared test helpers: build plans tersely and run every engine path, asserting byte-identical output."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from engine.formula import reference, table, vectorized
from engine.formula.plan import from_dict
from engine.formula.result import RunResult
from engine.formula.validator import CompiledPlan, validate


def plan(steps, inputs=None, fund=None) -> CompiledPlan:
    """steps: list of (name, expr) or (name, expr, condition); orders 10, 20, … in list order."""
    inputs = inputs or {}
    raw_steps = []
    for n, step in enumerate(steps, 1):
        name, expr, *rest = step
        raw_steps.append({"order": n * 10, "name": name, "expr": expr, "condition": rest[0] if rest else None})
    return validate(
        from_dict(
            {
                "name": "test",
                "version": "1",
                "inputs": [{"key": k, "dtype": d} for k, d in inputs.items()],
                "fund_inputs": {k: str(v) for k, v in (fund or {}).items()},
                "steps": raw_steps,
            }
        )
    )


def frame(compiled: CompiledPlan, rows: list[dict]) -> pl.DataFrame:
    """Typed input frame from Python rows (numbers as str/int/Decimal); employee_ref defaults to e1, e2…"""
    data = {"employee_ref": [r.get("employee_ref", f"e{i}") for i, r in enumerate(rows, 1)]}
    for key, dtype in compiled.input_dtypes.items():
        values = [r[key] for r in rows]
        if dtype in ("decimal", "int", "bool"):
            values = [Decimal(str(v)) for v in values]
        data[key] = values
    return pl.DataFrame(data, schema=table.input_schema(compiled))


def assert_engines_agree(compiled: CompiledPlan, df: pl.DataFrame) -> RunResult:
    """Run reference, vectorized auto and vectorized guarded; assert identical CSV bytes; return reference."""
    ref = reference.run(compiled, df)
    expected = table.to_csv_bytes(ref)
    for mode in ("auto", "guarded"):
        got = table.to_csv_bytes(vectorized.run(compiled, df, mode=mode))
        assert got == expected, f"vectorized[{mode}] differs:\n{got.decode()}\nreference:\n{expected.decode()}"
    return ref


def evaluate(expr: str, inputs=None, row=None, fund=None, condition=None):
    """Value (as text with 10 decimals) or the row error of a one-step plan, checked on all engines."""
    compiled = plan([("x", expr, condition)] if condition else [("x", expr)], inputs, fund)
    result = assert_engines_agree(compiled, frame(compiled, [row or {}]))
    err = result.frame["error"][0]
    if err is not None:
        return "error: " + err.split(": ", 1)[1]
    return format(result.frame["x"][0], "f")
