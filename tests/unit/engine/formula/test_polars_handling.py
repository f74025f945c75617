"""Each place where Polars' Decimal behaviour differs from the semantics, pinned by a test.

If a Polars upgrade changes one of these behaviours, the matching test says which workaround to revisit.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from engine.formula import vectorized
from engine.formula.result import DECIMAL
from engine.formula.vectorized import lit

from .helpers import assert_engines_agree, evaluate, frame, plan


def test_float_literal_would_turn_decimal_into_float64_so_literals_are_decimal():
    df = pl.DataFrame({"a": [Decimal("2.5")]}, schema={"a": DECIMAL})
    assert df.select(pl.col("a") * 1.5).dtypes == [pl.Float64]  # the trap
    assert df.select(pl.col("a") * lit(Decimal("1.5"))).dtypes == [DECIMAL]  # what the engine builds
    assert evaluate("0.5 * 0.5") == "0.2500000000"  # literals at scale 10, not scale 1
    assert evaluate("0.1 + 0.2") == "0.3000000000"


def test_bare_decimal_literals_keep_their_own_scale():
    out = pl.select(pl.lit(Decimal("0.5")) * pl.lit(Decimal("0.5")))
    assert out.dtypes[0] != DECIMAL  # scale 1: would round 0.25 to one decimal


def test_polars_remainder_follows_the_divisor_the_language_the_dividend():
    df = pl.DataFrame({"a": [Decimal(7)], "b": [Decimal(-3)]}, schema={"a": DECIMAL, "b": DECIMAL})
    assert df.select(pl.col("a") % pl.col("b")).item() == Decimal(-2)
    assert evaluate("7 % -3") == "1.0000000000"
    compiled = plan([("r", "a % b")], {"a": "decimal", "b": "decimal"})
    rows = [{"a": a, "b": b} for a in (7, -7, 7.5, 0) for b in (3, -3, 2.5)]
    result = assert_engines_agree(compiled, frame(compiled, rows))
    assert [format(v, "f") for v in result.frame["r"]] == [
        "1.0000000000",
        "1.0000000000",
        "2.0000000000",
        "-1.0000000000",
        "-1.0000000000",
        "-2.0000000000",
        "1.5000000000",
        "1.5000000000",
        "0.0000000000",
        "0.0000000000",
        "0.0000000000",
        "0.0000000000",
    ]


def test_no_pow_on_decimal_so_power_is_repeated_rounded_multiplication():
    compiled = plan([("p", "a ^ 3"), ("q", "a ^ -2")], {"a": "decimal"})
    result = assert_engines_agree(compiled, frame(compiled, [{"a": "1.0000100001"}, {"a": "-3"}, {"a": 0}]))
    # (1.0000100001^2 rounded) * 1.0000100001, rounded: not the exact cube 1.000030000600...
    assert format(result.frame["p"][0], "f") == "1.0000300006"
    assert format(result.frame["q"][1], "f") == "0.1111111111"
    assert result.frame["error"][2] == "q: division by zero"


@pytest.mark.parametrize("expr", ["a / b", "a % b", "pct_change(a, b)", "if (1) then a / b else 0"])
def test_division_by_zero_would_fail_the_batch_so_divisors_are_guarded(expr):
    df = pl.DataFrame(
        {"a": [Decimal(1), Decimal(1)], "b": [Decimal(1), Decimal(0)]}, schema={"a": DECIMAL, "b": DECIMAL}
    )
    with pytest.raises(pl.exceptions.ComputeError):
        df.select(pl.col("a") / pl.col("b"))
    compiled = plan([("x", expr)], {"a": "decimal", "b": "decimal"})
    result = vectorized.run(compiled, frame(compiled, [{"a": 1, "b": 1}, {"a": 1, "b": 0}]), mode="fast")
    assert result.frame["error"][0] is None and result.frame["error"][1].startswith("x: ")


def test_overflow_fails_the_batch_so_auto_mode_reruns_with_exact_guards():
    df = pl.DataFrame({"a": [Decimal(10**15)]}, schema={"a": DECIMAL})
    with pytest.raises(pl.exceptions.ComputeError, match="overflow"):
        df.select(pl.col("a") * pl.col("a"))
    compiled = plan([("x", "a * a"), ("y", "a + 1")], {"a": "decimal"})
    data = frame(compiled, [{"a": 3}, {"a": 10**15}])
    with pytest.raises(pl.exceptions.ComputeError):
        vectorized.run(compiled, data, mode="fast")
    result = assert_engines_agree(compiled, data)
    auto = vectorized.run(compiled, data)
    assert auto.guarded and not vectorized.run(compiled, frame(compiled, [{"a": 3}])).guarded
    assert result.frame["error"].to_list() == [None, "x: overflow (more than 28 digits before the decimal point)"]


@pytest.mark.parametrize(
    ("expr", "a", "expected"),
    [
        ("a + a", "5000000000000000000000000000", "error"),
        ("a + a", "4999999999999999999999999999.9999999999", "9999999999999999999999999999.9999999998"),
        ("a * 2", "4999999999999999999999999999.9999999999", "9999999999999999999999999999.9999999998"),
        ("a * a", "99999999999999.99999", "9999999999999999998000000000.0000000001"),
        ("a / 0.5", "5000000000000000000000000000", "error"),
        ("a / 0.5", "4999999999999999999999999999.9999999999", "9999999999999999999999999999.9999999998"),
        ("a / 0.0000000001", "1000000000000000000", "error"),
        ("a / 0.0000000001", "999999999999999999", "9999999999999999990000000000.0000000000"),
        ("a / 0.0000000001", "99999999999999999", "999999999999999990000000000.0000000000"),
        ("round2(a)", "9999999999999999999999999999.9949999999", "9999999999999999999999999999.9900000000"),
        ("round2(a)", "9999999999999999999999999999.995", "error"),
        ("a - (-a)", "5000000000000000000000000000", "error"),
    ],
)
def test_guarded_path_is_exact_at_the_limit(expr, a, expected):
    compiled = plan([("x", expr)], {"a": "decimal"})
    result = assert_engines_agree(compiled, frame(compiled, [{"a": a}, {"a": 1}]))
    value = result.frame["x"][0]
    assert ("error" if value is None else format(value, "f")) == expected


def test_booleans_cannot_be_cast_to_decimal_so_they_become_one_or_zero():
    with pytest.raises(pl.exceptions.InvalidOperationError):
        pl.select(pl.lit(True).cast(DECIMAL))
    assert evaluate("(1 < 2) + (2 < 1) * 5 + (1 && 1)") == "2.0000000000"


def test_result_scale_is_ten_for_every_operation():
    compiled = plan(
        [("m", "a * b"), ("d", "a / b"), ("r", "round2(a)"), ("t", "total(a)"), ("n", "min(a, b)")],
        {"a": "decimal", "b": "decimal"},
    )
    result = vectorized.run(compiled, frame(compiled, [{"a": "1.23456789", "b": "3"}]))
    assert all(dtype == DECIMAL for dtype in result.frame.select("m", "d", "r", "t", "n").dtypes)


def test_total_sum_overflow_fails_the_batch_so_it_is_guarded():
    big = Decimal("9" * 28)
    with pytest.raises(pl.exceptions.ComputeError):
        pl.DataFrame({"a": [big, big]}, schema={"a": DECIMAL}).select(pl.col("a").sum())
    compiled = plan([("t", "total(a)")], {"a": "decimal"})
    result = assert_engines_agree(compiled, frame(compiled, [{"a": "9" * 28}, {"a": "-" + "9" * 28}, {"a": 5}]))
    assert format(result.frame["t"][0], "f") == "5.0000000000"  # the final sum fits


def test_operands_folded_to_literals_stay_one_row_per_employee_on_the_guarded_path():
    """hurdle(0, x) is 0 on both branches, so Polars folds it to a one-row literal; the guarded
    arithmetic anchors its operands on a column (found by the property test: a ShapeError)."""
    compiled = plan([("s", "(hurdle(0, if (a) then 0 else a))^-1")], {"a": "decimal"})
    rows = [{"a": a} for a in ("1", "1", "0")]
    for mode in ("fast", "guarded"):
        result = vectorized.run(compiled, frame(compiled, rows), mode)
        assert result.frame["s"].to_list() == [None, None, None]
        assert result.frame["error"].to_list() == ["s: division by zero"] * 3
    assert_engines_agree(compiled, frame(compiled, rows))
