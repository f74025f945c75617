"""Golden cases for every operator, function and rounding edge of the semantics page, on all engines."""

from __future__ import annotations

import pytest

from engine.formula import decimals as dec

from .helpers import assert_engines_agree, evaluate, frame, plan

GOLDEN = [
    # the semantics page's own examples
    ("round2(2.345)", "2.3400000000"),
    ("round2(2.355)", "2.3600000000"),
    ("round2(-2.345)", "-2.3400000000"),
    ("round2(2.3450000001)", "2.3500000000"),
    ("-2^2", "-4.0000000000"),
    ("2^3^2", "512.0000000000"),
    ("(2^3)^2", "64.0000000000"),
    ("2^-2", "0.2500000000"),
    ("2^0", "1.0000000000"),
    ("0^0", "1.0000000000"),
    ("7 % -3", "1.0000000000"),
    ("-7 % 3", "-1.0000000000"),
    ("-7 % -3", "-1.0000000000"),
    ("7 % 3", "1.0000000000"),
    ("7.5 % 2", "1.5000000000"),
    ("1 / 3", "0.3333333333"),
    ("2 / 3", "0.6666666667"),
    ("-2 / 3", "-0.6666666667"),
    ("0.0000000001 / 2", "0.0000000000"),  # half-even: tie to even (0)
    ("0.0000000003 / 2", "0.0000000002"),  # half-even: tie to even (2)
    ("-0.0000000003 / 2", "-0.0000000002"),
    ("0.0000000001 * 0.5", "0.0000000000"),
    ("0.0000000003 * 0.5", "0.0000000002"),
    ("0.00001 * 0.00001", "0.0000000001"),
    ("0.00001 * 0.000005", "0.0000000000"),  # 5e-11 exactly: ties to even
    ("0.00003 * 0.000005", "0.0000000002"),  # 1.5e-10: ties to even
    ("(1 / 3) * 3", "0.9999999999"),  # rounding after every operation, not only at the end
    ("1 / 3 * 3", "0.9999999999"),
    ("10 - 2 - 3", "5.0000000000"),
    ("12 / 2 / 3", "2.0000000000"),
    ("2 * 3 + 4", "10.0000000000"),
    ("2 + 3 * 4", "14.0000000000"),
    ("-0", "0.0000000000"),
    ("-(1 - 1)", "0.0000000000"),
    ("0 * -1", "0.0000000000"),
    ("+5", "5.0000000000"),
    ("1 < 2", "1.0000000000"),
    ("2 < 1", "0.0000000000"),
    ("2 <= 2", "1.0000000000"),
    ("2 >= 3", "0.0000000000"),
    ("3 > 2", "1.0000000000"),
    ("2 == 2.0", "1.0000000000"),
    ("2 != 2", "0.0000000000"),
    ("1 + 1 == 2", "1.0000000000"),
    ("2 && 0.5", "1.0000000000"),
    ("2 && 0", "0.0000000000"),
    ("0 || 0", "0.0000000000"),
    ("0 || -3", "1.0000000000"),
    ("1 || 0 && 0", "1.0000000000"),  # && binds tighter than ||
    ("(1 < 2) * 10", "10.0000000000"),
    ("if (1) then 2 else 3", "2.0000000000"),
    ("if (0) then 2 else 3", "3.0000000000"),
    ("if (0.0000000001) then 2 else 3", "2.0000000000"),
    ("min(3, 1, 2)", "1.0000000000"),
    ("max(3, 1, 2)", "3.0000000000"),
    ("min(-1, -1.5)", "-1.5000000000"),
    ("clip(5, 0, 3)", "3.0000000000"),
    ("clip(-5, 0, 3)", "0.0000000000"),
    ("clip(2, 0, 3)", "2.0000000000"),
    ("clip(2, 5, 3)", "3.0000000000"),  # lo > hi: hi wins (min is applied last)
    ("cap_floor(5, 3, 0)", "3.0000000000"),
    ("cap_floor(-5, 3, 0)", "0.0000000000"),
    ("cap_floor(2, 1, 5)", "1.0000000000"),  # floor > cap: cap wins
    ("hurdle(0.05, 0.08)", "0.0000000000"),
    ("hurdle(0.08, 0.08)", "0.0800000000"),
    ("hurdle(0.12, 0.08)", "0.1200000000"),
    ("pct(12.5)", "0.1250000000"),
    ("pct(0.000000001)", "0.0000000000"),
    ("pct(0.000000015)", "0.0000000002"),
    ("pct_change(110, 100)", "0.1000000000"),
    ("pct_change(100, 300)", "-0.6666666667"),
    ("pct_change(0, -4)", "-1.0000000000"),
    ("9999999999999999999999999999.9999999999 - 1", "9999999999999999999999999998.9999999999"),
    ("99999999999999 * 99999999999999", "9999999999999800000000000001.0000000000"),
    ("1 / 0.0000000003", "3333333333.3333333333"),
]


@pytest.mark.parametrize(("expr", "expected"), GOLDEN)
def test_golden(expr, expected):
    assert evaluate(expr) == expected


ROW_ERRORS = [
    ("1 / 0", dec.MSG_DIV_ZERO),
    ("1 / (2 - 2)", dec.MSG_DIV_ZERO),
    ("5 % 0", dec.MSG_MOD_ZERO),
    ("0^-1", dec.MSG_DIV_ZERO),
    ("0.00001^-3", dec.MSG_DIV_ZERO),  # 0.00001^3 rounds to 0 at scale 10, then 1 / 0
    ("pct_change(1, 0)", dec.MSG_PCT_ZERO),
    ("100000000000000 * 100000000000000", dec.MSG_OVERFLOW),
    ("9999999999999999999999999999.9999999999 + 0.0000000001", dec.MSG_OVERFLOW),
    ("-9999999999999999999999999999.9999999999 - 1", dec.MSG_OVERFLOW),
    ("1000000000000000000 / 0.0000000001", dec.MSG_OVERFLOW),
    ("round2(9999999999999999999999999999.995)", dec.MSG_OVERFLOW),
    ("10^16 * 10^16", dec.MSG_OVERFLOW),
    ("pct_change(9999999999999999999999999999, -9999999999999999999999999999)", dec.MSG_OVERFLOW),
    ("0 && 1 / 0", dec.MSG_DIV_ZERO),  # && and || evaluate both sides
    ("1 || 1 / 0", dec.MSG_DIV_ZERO),
    (
        "1 / 0 + 100000000000000000000 * 100000000000000000000",
        dec.MSG_DIV_ZERO,
    ),  # first failure in evaluation order wins
    ("100000000000000000000 * 100000000000000000000 + 1 / 0", dec.MSG_OVERFLOW),
    ("if (1 / 0) then 1 else 2", dec.MSG_DIV_ZERO),
    ("min(1, 1 / 0)", dec.MSG_DIV_ZERO),
]


@pytest.mark.parametrize(("expr", "message"), ROW_ERRORS)
def test_row_errors(expr, message):
    assert evaluate(expr) == "error: " + message


@pytest.mark.parametrize(
    "expr",
    [
        "if (1) then 2 else 1 / 0",
        "if (0) then 1 / 0 else 2",
        "if (0) then 100000000000000000000 * 100000000000000000000 else 2",
        "if (1) then 2 else pct_change(1, 0)",
        "if (0) then 5 % 0 else 2",
        "if (1) then 2 else if (1 / 0) then 3 else 4",
    ],
)
def test_if_is_lazy(expr):
    assert evaluate(expr) == "2.0000000000"


def test_inputs_text_date_bool():
    inputs = {"dept": "text", "start": "date", "active": "bool", "n": "int", "v": "decimal"}
    row = {"dept": "sales", "start": "2024-06-30", "active": 1, "n": 3, "v": "2.5"}
    import datetime

    row["start"] = datetime.date(2024, 6, 30)
    assert evaluate('dept == "sales"', inputs, row) == "1.0000000000"
    assert evaluate('dept != "sales"', inputs, row) == "0.0000000000"
    assert evaluate('dept == "Sales"', inputs, row) == "0.0000000000"
    assert evaluate('start < date("2025-01-01")', inputs, row) == "1.0000000000"
    assert evaluate('start >= date("2024-06-30")', inputs, row) == "1.0000000000"
    assert evaluate('start > date("2024-06-30")', inputs, row) == "0.0000000000"
    assert evaluate('start == date("2024-06-30") && dept == "sales"', inputs, row) == "1.0000000000"
    assert evaluate("active * n * v", inputs, row) == "7.5000000000"
    assert evaluate("if (active) then n else v", inputs, row) == "3.0000000000"


def test_fund_inputs():
    assert evaluate("fund_return * 100", fund={"fund_return": "0.12"}) == "12.0000000000"
    # fund inputs are quantized half-even to scale 10 like every other input
    assert evaluate("f * 1", fund={"f": "0.00000000005"}) == "0.0000000000"
    assert evaluate("f * 1", fund={"f": "0.00000000015"}) == "0.0000000002"


def test_condition_zero_gives_zero():
    compiled = plan([("x", "a * 2", "a > 1")], {"a": "decimal"})
    result = assert_engines_agree(compiled, frame(compiled, [{"a": 5}, {"a": 1}, {"a": 0}]))
    assert [format(v, "f") for v in result.frame["x"]] == ["10.0000000000", "0.0000000000", "0.0000000000"]
    assert result.error_count == 0


def test_condition_is_lazy_and_its_errors_count():
    compiled = plan([("x", "1 / a", "a != 0"), ("y", "1", "1 / a")], {"a": "decimal"})
    result = assert_engines_agree(compiled, frame(compiled, [{"a": 2}, {"a": 0}]))
    assert result.frame["x"][0] is not None and result.frame["error"][0] is None
    assert result.frame["error"][1] == "y: division by zero"


def test_row_error_stops_only_that_row_and_first_step_wins():
    compiled = plan(
        [("a", "100 / d"), ("b", "10 / (d - 1)"), ("c", "a + b")],
        {"d": "decimal"},
    )
    result = assert_engines_agree(compiled, frame(compiled, [{"d": 2}, {"d": 0}, {"d": 1}]))
    assert result.frame["error"].to_list() == [None, "a: division by zero", "b: division by zero"]
    assert result.frame.row(1)[1:4] == (None, None, None)
    assert result.frame.row(2)[1:4] == (None, None, None)
    assert format(result.frame["c"][0], "f") == "60.0000000000"


def test_error_order_is_evaluation_order_not_display_order():
    # `late` is displayed first (order 10) but evaluated after `early`, which it references.
    from engine.formula.plan import from_dict
    from engine.formula.validator import validate

    compiled = validate(
        from_dict(
            {
                "name": "t",
                "version": "1",
                "inputs": [{"key": "d", "dtype": "decimal"}],
                "steps": [
                    {"order": 10, "name": "late", "expr": "early / d"},
                    {"order": 20, "name": "early", "expr": "1 / d"},
                ],
            }
        )
    )
    assert [s.name for s in compiled.steps] == ["early", "late"]
    assert compiled.display == ("late", "early")
    result = assert_engines_agree(compiled, frame(compiled, [{"d": 0}]))
    assert result.frame["error"][0] == "early: division by zero"


def test_total_excludes_error_rows_and_repeats_on_every_row():
    compiled = plan(
        [("base", "100 / d"), ("share", "base / total(base)")],
        {"d": "decimal"},
    )
    result = assert_engines_agree(compiled, frame(compiled, [{"d": 1}, {"d": 0}, {"d": 4}]))
    assert result.frame["error"].to_list() == [None, "base: division by zero", None]
    assert [format(v, "f") if v is not None else None for v in result.frame["share"]] == [
        "0.8000000000",
        None,
        "0.2000000000",
    ]


def test_total_excludes_rows_failing_at_any_earlier_step():
    # the failing step is unrelated to the total's argument; the row is still left out.
    compiled = plan(
        [("guard", "1 / d"), ("t", "total(v)")],
        {"d": "decimal", "v": "decimal"},
    )
    result = assert_engines_agree(compiled, frame(compiled, [{"d": 1, "v": 1}, {"d": 0, "v": 10}, {"d": 1, "v": 100}]))
    assert [format(v, "f") if v is not None else None for v in result.frame["t"]] == [
        "101.0000000000",
        None,
        "101.0000000000",
    ]


def test_total_argument_failure_is_that_rows_error():
    compiled = plan([("t", "total(1 / d) + 0")], {"d": "decimal"})
    result = assert_engines_agree(compiled, frame(compiled, [{"d": 1}, {"d": 0}, {"d": 4}]))
    assert result.frame["error"].to_list() == [None, "t: division by zero", None]
    assert format(result.frame["t"][0], "f") == "1.2500000000"


def test_total_argument_failure_in_untaken_branch_is_left_out_but_not_an_error():
    compiled = plan([("t", "if (d > 0) then total(1 / d) else 7")], {"d": "decimal"})
    result = assert_engines_agree(compiled, frame(compiled, [{"d": 1}, {"d": 0}, {"d": 4}]))
    assert result.frame["error"].to_list() == [None, None, None]
    assert [format(v, "f") for v in result.frame["t"]] == ["1.2500000000", "7.0000000000", "1.2500000000"]


def test_total_overflow_is_a_row_error_for_rows_using_it():
    compiled = plan([("t", "total(v)"), ("u", "v")], {"v": "decimal"})
    big = "9" * 28
    result = assert_engines_agree(compiled, frame(compiled, [{"v": big}, {"v": big}]))
    assert result.frame["error"].to_list() == ["t: " + dec.MSG_TOTAL_OVERFLOW] * 2


def test_total_of_no_rows_is_zero():
    compiled = plan([("a", "1 / d"), ("t", "total(a)")], {"d": "decimal"})
    result = assert_engines_agree(compiled, frame(compiled, [{"d": 0}]))
    assert result.frame["error"][0] == "a: division by zero"


def test_overflow_in_one_row_does_not_stop_the_others():
    compiled = plan([("x", "v * v")], {"v": "decimal"})
    result = assert_engines_agree(compiled, frame(compiled, [{"v": 3}, {"v": "1e15"}, {"v": -4}]))
    assert result.frame["error"].to_list() == [None, "x: " + dec.MSG_OVERFLOW, None]
    assert [format(v, "f") if v is not None else None for v in result.frame["x"]] == [
        "9.0000000000",
        None,
        "16.0000000000",
    ]


def test_empty_run():
    compiled = plan([("x", "v * 2 + total(v)")], {"v": "decimal"})
    result = assert_engines_agree(compiled, frame(compiled, []))
    assert result.frame.height == 0


def test_total_of_a_constant_counts_rows():
    compiled = plan([("n", "total(1)"), ("m", "total(2 * 3) + a * 0")], {"a": "decimal"})
    result = assert_engines_agree(compiled, frame(compiled, [{"a": 1}, {"a": 2}, {"a": 3}]))
    assert [format(v, "f") for v in result.frame["n"]] == ["3.0000000000"] * 3
    assert [format(v, "f") for v in result.frame["m"]] == ["18.0000000000"] * 3
