"""A tape traced on its one row with the run's total() sums (`reference.aggregates`) equals the tape
traced over the whole run, field for field and digit for digit, for every kind of row."""

from __future__ import annotations

from decimal import Decimal

from engine.formula.reference import aggregates, total_key
from engine.formula.tape import build_tape

from .helpers import frame, plan
from .test_tape_snapshot import FUND, INPUTS, STEPS


def _compiled():
    rank = ("rank", "if (total(1 / (score - 2)) > 0) then share else 0", "total(score) > 3")
    return plan([*STEPS, rank], INPUTS, FUND)


ROWS = [
    {"salary": 1000, "score": 5, "prev": 500},  # ok everywhere
    {"salary": 3000, "score": 1, "prev": 1},  # bonus skipped (condition 0)
    {"salary": 2000, "score": 3, "prev": 0},  # fails at growth (division by zero): left out of the sums
    {"salary": 500, "score": 4, "prev": 1},
    {"salary": 700, "score": 2, "prev": 7},  # fails inside rank's total() argument (1 / 0)
    {"salary": "123.4567891234", "score": "4.5", "prev": "99.99"},
]


def test_sums_are_named_by_step_and_place():
    compiled = _compiled()
    sums = aggregates(compiled, frame(compiled, ROWS))
    assert list(sums) == [total_key("share", 0), total_key("rank", 0), total_key("rank", 1)]
    # e3 failed before share; e2's bonus is 0: 150 + 0 + 75 + 70 + round2(12.34567891234 * 1.5)
    assert sums["share#0"] == Decimal("313.5200000000")


def test_each_rows_tape_equals_the_whole_runs_tape():
    compiled = _compiled()
    df = frame(compiled, ROWS)
    sums = aggregates(compiled, df)
    statuses = set()
    for ref in df["employee_ref"].to_list():
        whole = build_tape(compiled, df, ref)
        alone = build_tape(compiled, df, ref, sums)
        assert alone == whole, ref
        assert alone.to_dict() == whole.to_dict()
        statuses |= {s.status for s in whole.steps}
    assert statuses == {"ok", "skipped", "failed", "not_run"}


def test_an_overflowing_sum_is_the_same_row_error_alone():
    compiled = plan([("big", "x * 1"), ("t", "total(big)")], {"x": "decimal"})
    huge = "9" * 27
    df = frame(compiled, [{"x": huge}, {"x": huge}, {"x": huge}, {"x": huge}, {"x": huge}, {"x": huge}, {"x": huge},
                          {"x": huge}, {"x": huge}, {"x": huge}, {"x": huge}])  # fmt: skip
    sums = aggregates(compiled, df)
    assert sums["t#0"] is None
    for ref in ("e1", "e11"):
        whole = build_tape(compiled, df, ref)
        assert whole.error is not None
        assert build_tape(compiled, df, ref, sums) == whole
