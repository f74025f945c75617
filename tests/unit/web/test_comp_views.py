"""The plan builder's pure helpers: live lint of the step being edited inside its plan (the engine's
own issues), pasted samples, numbers for people, the test-vector template."""

from __future__ import annotations

import pytest

from app.web.comp.rows import PlanInputRow
from app.web.comp.views import DraftStep, lint, num_text, parse_sample, template
from engine.errors import ValidationFailed

DTYPES = {"salary": "decimal", "perf": "decimal", "dept": "text"}
DRAFT = [
    DraftStep("s1", 10, "target", "salary * 0.1", ""),
    DraftStep("s2", 20, "bonus", "target * perf", ""),
]


def test_a_clean_edit_has_no_problems():
    found = lint(DTYPES, DRAFT, "s2", "bonus", "target * min(perf, 2)", 'dept == "sales"')
    assert (found.expr, found.condition, found.step) == ([], [], [])


def test_problems_are_placed_on_the_edited_field_at_the_parsers_position():
    found = lint(DTYPES, DRAFT, "s2", "bonus", "target *\n  mim(perf, 2)", "dept > 1")
    (d,) = found.expr
    assert (d.from_line, d.from_col, d.to_line, d.to_col) == (2, 3, 2, 6)
    assert d.message == "unknown function 'mim'" and d.hint.startswith("did you mean 'min'?")
    (c,) = found.condition
    assert c.message == "cannot compare a text with a number"


def test_a_step_that_would_close_a_cycle_is_told_so():
    found = lint(DTYPES, DRAFT, "s1", "target", "bonus + 1", "")
    assert found.expr == []
    assert found.step == ["steps form a cycle: target -> bonus -> target"]


def test_a_new_step_is_checked_after_the_others_and_may_read_them():
    assert lint(DTYPES, DRAFT, "", "payout", "bonus * 2", "").expr == []
    bad_name = lint(DTYPES, DRAFT, "", "Payout", "bonus * 2", "")
    assert bad_name.step and "must match" in bad_name.step[0]
    shadow = lint(DTYPES, DRAFT, "", "salary", "1", "")
    assert shadow.step == ["'salary' is already an input; a step may not shadow it"]


def test_parse_sample_reads_a_header_and_rows():
    rows = parse_sample("employee_ref, salary ,perf\n\ne1,100, 3\ne2,50\n", 50)
    assert rows == [{"employee_ref": "e1", "salary": "100", "perf": "3"}, {"employee_ref": "e2", "salary": "50"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "paste a header"),
        ("employee_ref,salary\n", "no rows"),
        ("employee_ref,salary\ne1,1,2\n", "line 2 has 3 values but the header has 2 columns"),
        ("a\n" + "1\n" * 3, "at most 2 rows (this sample has 3)"),
    ],
)
def test_parse_sample_refuses_with_the_line(text, message):
    with pytest.raises(ValidationFailed) as err:
        parse_sample(text, 2)
    assert message in err.value.message


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("18000.0000000000", "18000.00"),
        ("0.1250000000", "0.125"),
        ("-3", "-3.00"),
        ("0.3333333333", "0.3333333333"),
        (None, ""),
    ],
)
def test_num_text(value, shown):
    assert num_text(value) == shown


def test_template_has_the_keys_and_the_defaults():
    inputs = [
        PlanInputRow("salary", "Salary", "decimal", True, "", ""),
        PlanInputRow("target_pct", "Target", "decimal", False, "", "15"),
    ]
    assert template(inputs) == "employee_ref,salary,target_pct\ne1,,15\n"


@pytest.mark.parametrize("role", ["hr", "manager", "finance", "auditor"])
def test_compensation_pages_are_one_nav_group_under_one_heading(role):
    import app.web.modules  # noqa: F401  (registers every page)
    from app.web.shell.registry import nav_for

    items = nav_for(role)
    comp = [i for i in items if i.href.startswith("/comp/")]
    assert [(i.label, i.heading) for i in comp] == [
        ("Bonus plans", "Compensation"),
        ("Runs", ""),
        ("Input catalog", ""),
        ("Payout history", ""),
    ]
    start = items.index(comp[0])
    assert items[start : start + len(comp)] == comp  # the group's entries follow each other


def test_a_role_without_comp_read_sees_no_compensation_entries():
    import app.web.modules  # noqa: F401
    from app.web.shell.registry import nav_for

    assert not [i for i in nav_for("sales") if i.href.startswith("/comp/") or i.heading]
