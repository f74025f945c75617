"""Plan validation reuses the formula engine: every problem is located (step, field, line, column)
with the engine's own hint, sorted into the lock guards; saves are refused only for new problems."""

from __future__ import annotations

import pytest

from engine.comp.spec import InputSpec, PlanSpec, StepSpec, check_default, check_key, check_rules, check_transform
from engine.comp.validation import new_issues, split_hint, validate_plan
from engine.formula.errors import PlanError
from engine.formula.plan import Plan
from engine.formula.validator import validate

INPUTS = (InputSpec("salary", "decimal"), InputSpec("perf_score", "decimal"), InputSpec("dept", "text"))


def plan(*steps: StepSpec, inputs=INPUTS) -> PlanSpec:
    return PlanSpec("p", 1, inputs, steps)


def engine_issues(spec: PlanSpec) -> list[str]:
    try:
        validate(spec.formula_plan())
    except PlanError as exc:
        return [str(i) for i in exc.issues]
    return []


def test_a_valid_plan_has_an_order_edges_and_passing_guards():
    spec = plan(
        StepSpec(10, "target", "salary * 0.15"),
        StepSpec(20, "mult", "if (perf_score >= 4) then 1.2 else 1", 'dept != "interns"'),
        StepSpec(30, "bonus", "round2(target * mult)"),
    )
    result = validate_plan(spec)
    assert result.ok and result.compiled is not None
    assert result.order == ("target", "mult", "bonus")
    assert set(result.edges) == {
        ("salary", "target"),
        ("perf_score", "mult"),
        ("dept", "mult"),
        ("target", "bonus"),
        ("mult", "bonus"),
    }
    assert all(g.ok for g in result.guards)


def test_problems_are_the_engines_located_with_step_line_column_and_hint():
    spec = plan(
        StepSpec(10, "target", "salary *\n  0.15 + salry"),
        StepSpec(20, "mult", "perf_score = 4"),
        StepSpec(30, "a", "b + 1"),
        StepSpec(40, "b", "a + 1"),
    )
    result = validate_plan(spec)
    assert not result.ok and result.compiled is None
    assert [i.text for i in result.issues] == engine_issues(spec)  # one source: the engine's messages
    unknown = next(i for i in result.issues if i.guard == "unknown")
    assert (unknown.step, unknown.field, unknown.line, unknown.column) == ("target", "expr", 2, 10)
    assert unknown.hint == "did you mean 'salary'?"
    syntax = next(i for i in result.issues if i.step == "mult")
    assert (syntax.line, syntax.column, syntax.guard) == (1, 12, "parse")
    assert syntax.hint == "use == to compare (there is no assignment)"
    cycle = next(i for i in result.issues if i.guard == "cycles")
    assert cycle.message == "steps form a cycle: a -> b -> a"
    guards = {g.key: g.ok for g in result.guards}
    assert guards == {
        "steps": True,
        "parse": False,
        "names": True,
        "outputs": True,
        "unknown": False,
        "cycles": False,
        "inputs": True,
    }
    assert result.fields()["steps.target.expr"].startswith("line 2, column 10: unknown name 'salry'")
    assert "steps.a" in result.fields()


@pytest.mark.parametrize(
    ("steps", "guard", "text"),
    [
        ((), "steps", "a plan needs at least one step"),
        ((StepSpec(10, "Bonus", "1"),), "names", "a step name must match"),
        ((StepSpec(10, "salary", "1"),), "names", "'salary' is already an input"),
        ((StepSpec(10, "x", "1"), StepSpec(20, "x", "2")), "names", "the step name 'x' is used twice"),
        ((StepSpec(10, "x", "1", outputs=("x", "y")),), "outputs", "output 'y' is not bound"),
        ((StepSpec(10, "x", "dept"),), "parse", "the expression gives a text"),
        ((StepSpec(10, "x", "mim(1, 2)"),), "unknown", "unknown function 'mim' (did you mean 'min'?)"),
    ],
)
def test_each_guard(steps, guard, text):
    result = validate_plan(plan(*steps))
    assert any(i.guard == guard and text in i.message for i in result.issues), result.issues
    assert not next(g for g in result.guards if g.key == guard).ok


def test_input_defaults_and_transforms_are_checked_against_the_dtype():
    bad = (InputSpec("salary", "decimal", default="12,5"), InputSpec("dept", "text", transform="abs"))
    result = validate_plan(plan(StepSpec(10, "x", "salary"), inputs=bad))
    assert {i.field for i in result.issues} == {"inputs.salary", "inputs.dept"}
    assert all(i.guard == "inputs" for i in result.issues)
    assert check_default("int", "1.5") == "'1.5' is not a whole number"
    assert check_default("date", "2025-02-30") is not None
    assert check_default("bool", "yes") is not None and check_default("bool", "TRUE") is None
    assert check_transform("text", "upper") is None and check_transform("decimal", "upper") is not None
    assert "unknown transform" in (check_transform("decimal", "sqrt") or "")


def test_catalog_keys_and_rules():
    assert check_key("salary") is None
    assert check_key("total") is not None and check_key("if") is not None and check_key("employee_ref") is not None
    assert check_key("Salary") is not None and check_key("1x") is not None
    assert check_rules("decimal", {"min": "0", "max": "5"}) == {}
    assert set(check_rules("decimal", {"min": "5", "max": "1"})) == {"min"}
    assert set(check_rules("decimal", {"min": 0, "choices": ["a"]})) == {"min", "choices"}
    assert check_rules("text", {"choices": ["a", "b"], "max_length": 10}) == {}
    assert set(check_rules("text", {"choices": [], "max_length": True})) == {"choices", "max_length"}


def test_a_save_is_refused_only_for_problems_it_introduces():
    broken = plan(StepSpec(10, "a", "ghost + 1"))
    before = validate_plan(broken)
    unrelated = plan(StepSpec(10, "a", "ghost + 1"), StepSpec(20, "b", "salary"))
    assert new_issues(before, validate_plan(unrelated)).ok  # the old problem is not this save's
    worse = plan(StepSpec(10, "a", "ghost + 1"), StepSpec(20, "b", "salry"))
    introduced = new_issues(before, validate_plan(worse))
    assert [i.step for i in introduced.issues] == ["b"]


def test_split_hint_reads_the_engines_advice():
    assert split_hint("unknown name 'salry' (did you mean 'salary'?)") == "did you mean 'salary'?"
    assert split_hint("unexpected character '=': use == to compare (there is no assignment)") == (
        "use == to compare (there is no assignment)"
    )
    assert split_hint(
        "comparisons cannot be chained; combine them with && (for example a < b && b < c) "
        "(unexpected '<'; expected the end)"
    ).startswith("comparisons cannot be chained")
    assert split_hint("unexpected name 'els'; expected an operator or 'else'") == "expected an operator or 'else'"
    assert split_hint("division by zero") == ""


def test_formula_plan_carries_inputs_and_steps():
    spec = plan(StepSpec(10, "x", "salary", condition=""))
    formula = spec.formula_plan()
    assert isinstance(formula, Plan) and formula.steps[0].condition is None
    assert [i.key for i in formula.inputs] == ["salary", "perf_score", "dept"]
    assert spec.payout_step == "x"
