"""Rows to a typed frame (defaults, rules, transforms), test vectors and the impact preview, with
every figure computed here independently in plain Decimal arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.comp.data import SampleError, rows_from_table, sample_frame
from engine.comp.runs import Version, impact, run_vectors
from engine.comp.spec import InputSpec, PlanSpec, StepSpec
from engine.comp.validation import validate_plan
from engine.formula.reference import run as reference_run
from engine.formula.validator import CompiledPlan

INPUTS = (
    InputSpec("salary", "decimal", rules={"min": "0"}),
    InputSpec("perf", "decimal", rules={"min": "1", "max": "5"}),
    InputSpec("bonus_pct", "decimal", default="15", transform="percent_to_ratio"),
    InputSpec("dept", "text", default="research", transform="lower", rules={"choices": ["research", "trading"]}),
)
BASE = PlanSpec(
    "p",
    1,
    INPUTS,
    (
        StepSpec(10, "target", "salary * bonus_pct"),
        StepSpec(20, "mult", "if (perf >= 4) then 1.5 else 1"),
        StepSpec(30, "bonus", "round2(target * mult)", 'dept != "trading"'),
    ),
)
NEW = PlanSpec(
    "p",
    2,
    INPUTS,
    (
        StepSpec(10, "target", "salary * bonus_pct"),
        StepSpec(20, "mult", "if (perf >= 4) then 1.6 else 1"),
        StepSpec(30, "bonus", "round2(target * mult)", 'dept != "trading"'),
    ),
)
ROWS = [
    {"employee_ref": "A", "salary": "100000", "perf": "4.5"},
    {"employee_ref": "B", "salary": 80000, "perf": "3"},
    {"employee_ref": "C", "salary": "120000.55", "perf": "5", "bonus_pct": "20"},
    {"employee_ref": "D", "salary": "90000", "perf": "4", "dept": "trading"},
]


def compiled(spec) -> CompiledPlan:
    result = validate_plan(spec)
    assert result.ok and result.compiled is not None, result.issues
    return result.compiled


def expected_bonus(salary: str, perf: str, pct: str = "15", dept: str = "research", top: str = "1.5") -> Decimal:
    if dept == "trading":
        return Decimal(0)
    target = Decimal(salary) * Decimal(pct) / 100
    mult = Decimal(top) if Decimal(perf) >= 4 else Decimal(1)
    return (target * mult).quantize(Decimal("0.01"))


def test_frame_applies_defaults_transforms_and_keeps_exact_decimals():
    frame = sample_frame(INPUTS, ROWS, compiled(BASE))
    assert frame["bonus_pct"].to_list() == [Decimal("0.15"), Decimal("0.15"), Decimal("0.2"), Decimal("0.15")]
    assert frame["dept"].to_list() == ["research", "research", "research", "trading"]
    assert frame["salary"].to_list()[2] == Decimal("120000.55")
    assert str(frame["salary"].dtype) == "Decimal(precision=38, scale=10)"


@pytest.mark.parametrize(
    ("row", "column", "text"),
    [
        ({"salary": "1e5", "perf": "3"}, "salary", "is not a decimal number"),
        ({"salary": "100", "perf": "7"}, "perf", "above the maximum 5"),
        ({"salary": "-1", "perf": "3"}, "salary", "below the minimum 0"),
        ({"salary": "100"}, "perf", "no default"),
        ({"salary": "100", "perf": "3", "dept": "sales"}, "dept", "not one of"),
        ({"salary": 1.5, "perf": "3"}, "salary", "never decimals in JSON"),
    ],
)
def test_bad_values_name_the_row_and_input(row, column, text):
    with pytest.raises(SampleError) as refused:
        sample_frame(INPUTS, [{"employee_ref": "OK", "salary": "1", "perf": "1"}, row], compiled(BASE))
    assert (refused.value.row, refused.value.column) == (2, column)
    assert text in refused.value.message
    assert refused.value.field == f"rows.2.{column}"


def test_duplicate_employee_refs_are_refused():
    with pytest.raises(SampleError, match="also row 1"):
        sample_frame(INPUTS, [{"employee_ref": "A", "salary": "1", "perf": "1"}] * 2, compiled(BASE))


def test_test_vectors_equal_the_reference_engine_and_carry_tapes():
    plan = compiled(BASE)
    vectors = run_vectors(BASE, plan, ROWS)
    reference = reference_run(plan, sample_frame(INPUTS, ROWS, plan)).frame
    assert vectors.steps == ["target", "mult", "bonus"] and vectors.order == ["target", "mult", "bonus"]
    for row, ref_row in zip(vectors.rows, reference.iter_rows(named=True), strict=True):
        assert row.employee_ref == ref_row["employee_ref"]
        assert row.values == {k: format(ref_row[k], "f") for k in ("target", "mult", "bonus")}
        assert row.tape["steps"][-1]["result"] == row.values["bonus"]
    by_ref = {r.employee_ref: r for r in vectors.rows}
    assert Decimal(by_ref["A"].values["bonus"] or "") == expected_bonus("100000", "4.5")
    assert Decimal(by_ref["C"].values["bonus"] or "") == expected_bonus("120000.55", "5", "20")
    assert by_ref["D"].tape["steps"][-1]["status"] == "skipped"


def test_impact_counts_totals_pool_and_movers_explained_by_the_tape():
    result = impact(
        Version(BASE, compiled(BASE), Decimal("50000"), "USD"),
        Version(NEW, compiled(NEW), Decimal("60000"), "USD"),
        ROWS,
        movers=5,
    )
    base = {r["employee_ref"]: expected_bonus(r["salary"] if isinstance(r["salary"], str) else str(r["salary"]),
                                              r["perf"], r.get("bonus_pct", "15"), r.get("dept", "research").lower())
            for r in ROWS}  # fmt: skip
    new = {r["employee_ref"]: expected_bonus(str(r["salary"]), r["perf"], r.get("bonus_pct", "15"),
                                             r.get("dept", "research").lower(), top="1.6")
           for r in ROWS}  # fmt: skip
    changed = [k for k in base if base[k] != new[k]]
    assert result.changed == len(changed) == 2 and result.increased == 2 and result.decreased == 0
    assert result.base_total == sum(base.values()) and result.new_total == sum(new.values())
    assert result.total_delta == sum(new.values()) - sum(base.values())
    assert result.pool_delta == Decimal("10000") and result.base_pool == Decimal("50000")
    assert result.base_pool_share == (sum(base.values()) / Decimal("50000")).quantize(Decimal("1E-10"))
    top = result.movers[0]
    assert top.employee_ref == max(changed, key=lambda k: new[k] - base[k])
    assert Decimal(top.delta or "0") == new[top.employee_ref] - base[top.employee_ref]
    assert top.why.startswith("starts at step 'mult' (its rule changed)")
    assert [m.name for m in top.steps] == ["mult", "bonus"]
    assert (
        top.base_tape["steps"][1]["result"] == "1.5000000000" and top.new_tape["steps"][1]["result"] == "1.6000000000"
    )


def test_impact_notes_different_currencies_and_rows_from_a_file():
    rows = rows_from_table(
        ("Emp", "salary", "perf", "extra"), [("A", "100", "4", "x"), ("B", "200", "2", "y")], INPUTS, ref_column="Emp"
    )
    assert rows[0] == {"employee_ref": "A", "salary": "100", "perf": "4", "bonus_pct": None, "dept": None}
    result = impact(
        Version(BASE, compiled(BASE), Decimal("1"), "USD"), Version(NEW, compiled(NEW), Decimal("1"), "EUR"), rows
    )
    assert result.pool_delta is None and "different currencies" in result.notes[0]
    with pytest.raises(SampleError, match="lacks the column"):
        rows_from_table(("employee_ref", "salary"), [], INPUTS)
