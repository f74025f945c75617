"""Stored employee rows typed for a run (vectorized) agree with the plan builder's row reader
(engine.comp.data.sample_frame) on usable rows, and unusable rows become row errors naming the input."""

from __future__ import annotations

import polars as pl

from engine.comp.data import sample_frame
from engine.comp.run_frame import typed_rows
from engine.comp.spec import InputSpec, PlanSpec, StepSpec
from engine.formula.validator import validate

INPUTS = (
    InputSpec("salary", "decimal", rules={"min": "0"}),
    InputSpec("perf", "decimal", transform="percent_to_ratio", rules={"min": "0", "max": "100"}),
    InputSpec("years", "int", default="0"),
    InputSpec("dept", "text", transform="lower", rules={"choices": ["research", "risk"]}),
    InputSpec("hired", "date", rules={"min": "2000-01-01"}),
    InputSpec("breach", "bool", default="false"),
)
SPEC = PlanSpec("t", 1, INPUTS, (StepSpec(10, "x", "salary * perf + years + breach"),))
ROWS = [
    {"employee_ref": "A", "salary": "1000.5", "perf": "12.5", "years": "3", "dept": "research", "hired": "2010-05-01"},
    {"employee_ref": "B", "salary": "2000", "perf": "80", "years": None, "dept": "risk", "hired": "2020-01-31",
     "breach": "TRUE"},
]  # fmt: skip


def _raw(rows: list[dict]) -> pl.DataFrame:
    keys = [i.key for i in INPUTS]
    data = {"row_no": list(range(2, len(rows) + 2)), "employee_ref": [r["employee_ref"] for r in rows]}
    data |= {k: [r.get(k) for r in rows] for k in keys}
    return pl.DataFrame(data, schema={"row_no": pl.Int64, "employee_ref": pl.String, **dict.fromkeys(keys, pl.String)})


def test_usable_rows_type_exactly_as_the_plan_builder_reads_them():
    compiled = validate(SPEC.formula_plan())
    typed = typed_rows(INPUTS, _raw(ROWS))
    assert typed.refused.height == 0
    expected = sample_frame(INPUTS, [{k: v for k, v in r.items() if v is not None} for r in ROWS], compiled)
    assert typed.frame.drop("row_no").to_dicts() == expected.to_dicts()


def test_unusable_rows_are_refused_with_the_input_named_and_the_rest_kept():
    bad = [
        *ROWS,
        {"employee_ref": "C", "salary": None, "perf": "1", "dept": "risk", "hired": "2010-01-01"},
        {"employee_ref": "D", "salary": "-5", "perf": "1", "dept": "risk", "hired": "2010-01-01"},
        {"employee_ref": "E", "salary": "5", "perf": "1", "dept": "sales", "hired": "2010-01-01"},
        {"employee_ref": "F", "salary": "5", "perf": "1", "dept": "risk", "hired": "2010-13-01"},
        {"employee_ref": "G", "salary": "5", "perf": "1", "dept": "risk", "hired": "2010-01-01", "breach": "yes"},
        {"employee_ref": "H", "salary": "5x", "perf": "1", "dept": "risk", "hired": "2010-01-01"},
    ]
    typed = typed_rows(INPUTS, _raw(bad))
    assert typed.frame["employee_ref"].to_list() == ["A", "B"]
    assert dict(zip(typed.refused["employee_ref"], typed.refused["error"], strict=True)) == {
        "C": "inputs: input 'salary': no value, and the plan gives no default",
        "D": "inputs: input 'salary': the value is below the minimum 0",
        "E": "inputs: input 'dept': not one of: research, risk",
        "F": "inputs: input 'hired': '2010-13-01' is not a date (YYYY-MM-DD)",
        "G": "inputs: input 'breach': 'yes' is not a boolean (true, false, 1 or 0)",
        "H": "inputs: input 'salary': '5x' is not a decimal number",
    }
