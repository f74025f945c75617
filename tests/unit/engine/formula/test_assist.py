"""Editor help: completions are the catalog and the plan's names; diagnostics are the engine's issues."""

from __future__ import annotations

import pytest

from engine.formula.assist import (
    FUNCTION,
    INPUT,
    KEYWORD,
    STEP,
    Diagnostic,
    completions,
    diagnostics,
    plan_diagnostics,
    split_message,
)
from engine.formula.catalog import FUNCTIONS, KEYWORDS
from engine.formula.errors import ExpressionError, PlanError
from engine.formula.plan import from_dict
from engine.formula.validator import check_expression, validate

NAMES = {"salary": "decimal", "perf": "decimal", "dept": "text", "hire_date": "date", "bonus_target": "decimal"}
SCOPE = {"salary": "number", "perf": "number", "dept": "text", "hire_date": "date", "bonus_target": "number"}


def test_completions_are_inputs_steps_then_the_whole_catalog():
    got = completions({"salary": "decimal", "dept": "text"}, {"target": "salary * 0.1\nsecond line"})
    assert [(c.label, c.kind) for c in got[:3]] == [("salary", INPUT), ("dept", INPUT), ("target", STEP)]
    assert got[0].signature == "salary: decimal"
    assert got[2].doc == "salary * 0.1"  # a step's note: its first line
    functions = [c for c in got if c.kind == FUNCTION]
    assert [(c.label, c.signature, c.doc) for c in functions] == [
        (f.name, f.signature, f.doc) for f in FUNCTIONS.values()
    ]
    assert {c.label for c in got if c.kind == KEYWORD} == set(KEYWORDS)


def test_completions_accept_plain_names_and_labels():
    got = completions(["aum"], ["bonus"], labels={"aum": "Assets under management"})
    assert got[0] == ("aum", INPUT, "aum: decimal", "Assets under management (decimal input)")
    assert got[1].label == "bonus" and got[1].kind == STEP and got[1].doc
    # a step that has an input's name is not offered twice (the validator refuses it anyway)
    assert [c.label for c in completions(["x"], ["x"])].count("x") == 1


def test_a_valid_expression_has_no_diagnostics():
    assert diagnostics('if (dept == "sales" && hire_date < date("2025-01-01")) then salary * perf else 0', NAMES) == []
    assert diagnostics("bonus_target * 2", ["bonus_target"]) == []


@pytest.mark.parametrize(
    ("expr", "where", "message", "hint"),
    [
        ("salry * 2", (1, 1, 1, 6), "unknown name 'salry'", "did you mean 'salary'?"),
        ("salary <", (1, 9, 1, 9), "the expression ends too early; expected a value", ""),
        ("perf < salary < 3", (1, 15, 1, 16), "unexpected '<'", "comparisons cannot be chained"),
        ("if salary > 1 then 2 else 3", (1, 4, 1, 10), "unexpected name 'salary'", "an if needs its condition"),
        ("salary = 2", (1, 8, 1, 9), "unexpected character '='", "use == to compare"),
        ("clip(salary, 1)", (1, 1, 1, 5), "clip(x, lo, hi) takes 3 arguments, got 2", ""),
        ("mim(salary, 2)", (1, 1, 1, 4), "unknown function 'mim'", "did you mean 'min'?"),
        ("dept * 2", (1, 1, 1, 5), "a text can only be compared", ""),
        ('salary + "abc"', (1, 10, 1, 15), "a text can only be compared", ""),
        ("salary\n  * 2\n  + bogus", (3, 5, 3, 10), "unknown name 'bogus'", ""),
        ("salary ^ 99", (1, 10, 1, 12), "the exponent must be between -16 and 16", ""),
        ("", (1, 1, 1, 1), "the expression is empty", ""),
    ],
)
def test_diagnostics_locate_the_engines_error(expr, where, message, hint):
    got = diagnostics(expr, NAMES)
    assert len(got) == 1
    d = got[0]
    assert (d.from_line, d.from_col, d.to_line, d.to_col) == where
    assert d.message.startswith(message)
    assert d.hint.startswith(hint) if hint else d.hint == ""


@pytest.mark.parametrize(
    "expr",
    ["salry * 2", "perf < salary < 3", "if salary then 1 else 2", "salary = 2", "mim(1, 2)", "a b", "dept * 2", "x.y"],
)
def test_diagnostics_say_only_what_the_engine_says(expr):
    """Same position as the engine's first error; message and hint are pieces of the engine's message."""
    with pytest.raises(ExpressionError) as err:
        check_expression(expr, SCOPE)
    first = diagnostics(expr, NAMES)[0]
    assert (first.from_line, first.from_col) == (err.value.line, err.value.column)
    assert first.message in err.value.message
    assert all(part in err.value.message for part in first.hint.split("; "))


def test_every_problem_is_listed_not_only_the_first():
    got = diagnostics("salry + prf + dept", NAMES)
    assert [(d.from_col, d.message) for d in got] == [
        (1, "unknown name 'salry'"),
        (9, "unknown name 'prf'"),
        (15, "a text can only be compared (==, !=), not used as a number"),
    ]


def test_an_issue_without_position_covers_the_whole_expression():
    long = "1 + " * 1000 + "1"
    (d,) = diagnostics(long, NAMES)
    assert (d.from_line, d.from_col, d.to_line, d.to_col) == (1, 1, 1, len(long) + 1)
    assert "the limit is 4000" in d.message


def test_plan_diagnostics_key_issues_by_step_and_field():
    plan = from_dict(
        {
            "name": "p",
            "version": "1",
            "inputs": [{"key": "salary", "dtype": "decimal"}],
            "steps": [
                {"order": 10, "name": "a", "expr": "b + 1"},
                {"order": 20, "name": "b", "expr": "a * 2", "condition": "salry > 0"},
                {"order": 30, "name": "c", "expr": "salary +"},
                {"order": 40, "name": "salary", "expr": "1"},
            ],
        }
    )
    with pytest.raises(PlanError):
        validate(plan)
    got = plan_diagnostics(plan)
    assert got[("b", "condition")][0].message == "unknown name 'salry'"
    assert got[("c", "expr")][0] == Diagnostic(
        1, 9, 1, 9, "the expression ends too early; expected a value (a number, a name, a function call or '(')", ""
    )
    assert got[("salary", "")][0].message == "'salary' is already an input; a step may not shadow it"
    assert ("a", "expr") not in got and ("b", "expr") not in got


def test_plan_diagnostics_name_a_cycle_on_its_first_step():
    plan = from_dict(
        {
            "name": "p",
            "version": "1",
            "steps": [{"order": 1, "name": "a", "expr": "b"}, {"order": 2, "name": "b", "expr": "a"}],
        }
    )
    assert plan_diagnostics(plan) == {("a", ""): [Diagnostic(1, 1, 1, 1, "steps form a cycle: a -> b -> a", "")]}
    ok = from_dict({"name": "p", "version": "1", "steps": [{"order": 1, "name": "a", "expr": "1"}]})
    assert plan_diagnostics(ok) == {}


def test_plan_level_issues_have_no_step():
    plan = from_dict({"name": "p", "version": "1", "steps": []})
    assert plan_diagnostics(plan)[("", "")][0].message == "a plan needs at least one step"


@pytest.mark.parametrize(
    ("message", "split"),
    [
        ("unexpected character '=': use == to compare", ("unexpected character '='", "use == to compare")),
        ("hint here (unexpected '<'; expected the end)", ("unexpected '<'; expected the end", "hint here")),
        ("unknown name 'x' (did you mean 'y'?)", ("unknown name 'x'", "did you mean 'y'?")),
        ("unknown function 'f'; available: min, max", ("unknown function 'f'", "available: min, max")),
        ("plain message", ("plain message", "")),
    ],
)
def test_split_message(message, split):
    assert split_message(message) == split
