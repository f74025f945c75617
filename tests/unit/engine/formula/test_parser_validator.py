"""Parser and validator: precedence, friendly syntax errors, names, types, arity, DAG and limits."""

from __future__ import annotations

import pytest

from engine.formula import limits
from engine.formula.catalog import CATALOG_VERSION, FUNCTIONS, describe
from engine.formula.errors import ExpressionError, PlanError
from engine.formula.nodes import Binary, Unary, to_source
from engine.formula.parser import parse
from engine.formula.plan import from_dict, loads
from engine.formula.validator import check_expression, validate

SCOPE = {"a": "number", "b": "number", "c": "number", "t": "text", "d": "date"}


@pytest.mark.parametrize(
    ("source", "shape"),
    [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("8 / 4 / 2", "((8 / 4) / 2)"),
        ("2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"),
        ("-2 ^ 2", "(-(2 ^ 2))"),
        ("2 ^ -1", "(2 ^ (-1))"),
        ("-a * b", "((-a) * b)"),
        ("a || b && c", "(a || (b && c))"),
        ("a + 1 < b * 2", "((a + 1) < (b * 2))"),
        ("a == 1 && b != 2 || c", "(((a == 1) && (b != 2)) || c)"),
        ("if (a) then 1 else 2 + 3", "(if (a) then 1 else (2 + 3))"),
        ("(if (a) then 1 else 2) ^ 2", "((if (a) then 1 else 2) ^ 2)"),
        ("min(a, b, 1) % 2", "(min(a, b, 1) % 2)"),
        ("a\n  *\n  b", "(a * b)"),
    ],
)
def test_precedence(source, shape):
    assert to_source(parse(source)) == shape


def test_unary_minus_binds_looser_than_power():
    tree = parse("-2^2")
    assert isinstance(tree, Unary) and isinstance(tree.operand, Binary) and tree.operand.op == "^"


@pytest.mark.parametrize(
    ("source", "line", "column", "words"),
    [
        ("a < b < c", 1, 7, "cannot be chained"),
        ("a +", 1, 4, "ends too early"),
        ("(a + b", 1, 7, "expected ')'"),
        ("a = b", 1, 3, "use =="),
        ("a b", 1, 3, "without an operator"),
        ("if a then b else c", 1, 4, "parentheses"),
        ("if (a) then b", 1, 14, "'else'"),
        ("if (a) b else c", 1, 8, "'then'"),
        ("a\n + * b", 2, 4, "unexpected '*'"),
        ("a.b", 1, 2, "attribute access"),
        ("a[0]", 1, 2, "subscripts"),
        ("'x'", 1, 1, "double quotes"),
        ("a & b", 1, 3, "&&"),
        ("a ** 2", 1, 4, "unexpected '*'"),
        ("", 1, 1, "empty"),
        ("1.123456789012", 1, 1, "more than 10 decimals"),
        ("1" * 29, 1, 1, "more than 28 digits"),
        ('date("2025-02-30")', 1, 1, "not a date"),
    ],
)
def test_syntax_errors_say_where_and_what(source, line, column, words):
    with pytest.raises(ExpressionError) as info:
        parse(source)
    assert (info.value.line, info.value.column) == (line, column)
    assert words in info.value.message


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("salry + 1", "unknown name 'salry'"),
        ("foo(1)", "unknown function 'foo'"),
        ("mim(a, b)", "did you mean 'min'"),
        ("min(a)", "takes 2 to"),
        ("round2(a, 2)", "takes 1 argument, got 2"),
        ("clip(a, b)", "takes 3 arguments, got 2"),
        ("t + 1", "text can only be compared"),
        ('t < "x"', "text can only be compared with == or !="),
        ("d + 1", "date can only be compared"),
        ('d == "2025-01-01"', "cannot compare a date with a text"),
        ('d < date("2025-01-01")', None),
        ("t", "gives a text"),
        ('"x"', "gives a text"),
        ("if (t) then 1 else 2", "text can only be compared"),
        ("min", "is a function"),
        ("a ^ b", "constant whole number"),
        ("a ^ 1.5", "whole number"),
        ("a ^ 17", "between -16 and 16"),
        ("a ^ (2 ^ 5)", "between -16 and 16"),
        ("a ^ (1 / 0)", "division by zero"),
        ("a ^ (4 ^ 2 - 15)", None),
        ("total(total(a))", "cannot be nested"),
        ('__import__("os")', "unknown function '__import__'"),
    ],
)
def test_semantic_errors(source, words):
    if words is None:
        check_expression(source, SCOPE)
        return
    with pytest.raises(ExpressionError) as info:
        check_expression(source, SCOPE)
    assert words in info.value.message
    assert info.value.line == 1 and info.value.column >= 1


def _plan(steps, inputs=(("salary", "decimal"),), fund=None):
    return from_dict(
        {
            "name": "p",
            "version": "1",
            "inputs": [{"key": k, "dtype": d} for k, d in inputs],
            "fund_inputs": fund or {},
            "steps": [{"order": o, "name": n, "expr": e, "condition": c} for o, n, e, c in steps],
        }
    )


def _issues(p):
    with pytest.raises(PlanError) as info:
        validate(p)
    return [str(i) for i in info.value.issues]


def test_every_issue_is_reported_with_step_line_and_column():
    issues = _issues(_plan([(10, "a", "salry * 2", None), (20, "b", "1 +", "salary >")]))
    assert issues == [
        "step 'a' (expr), line 1, column 1: unknown name 'salry' (did you mean 'salary'?)",
        "step 'b' (expr), line 1, column 4: the expression ends too early; expected a value (a number, a name, a "
        "function call or '(')",
        "step 'b' (condition), line 1, column 9: the expression ends too early; expected a value (a number, a "
        "name, a function call or '(')",
    ]


def test_cycle_is_named():
    issues = _issues(
        _plan([(10, "a", "b + 1", None), (20, "b", "c * 2", None), (30, "c", "a", None), (40, "d", "salary", None)])
    )
    assert issues == ["step 'a': steps form a cycle: a -> b -> c -> a"]


def test_self_reference_is_a_cycle():
    assert _issues(_plan([(10, "a", "a + 1", None)])) == ["step 'a': steps form a cycle: a -> a"]


def test_topological_order_with_order_as_tie_break():
    compiled = validate(
        _plan([(40, "d", "a + c", None), (10, "c", "salary", None), (30, "a", "b", None), (20, "b", "salary", None)])
    )
    assert [s.name for s in compiled.steps] == ["c", "b", "a", "d"]
    assert compiled.display == ("c", "b", "a", "d")
    compiled = validate(_plan([(10, "x", "y", None), (20, "y", "salary", None), (5, "z", "salary", None)]))
    assert [s.name for s in compiled.steps] == ["z", "y", "x"]
    assert compiled.display == ("z", "x", "y")


@pytest.mark.parametrize(
    ("steps", "words"),
    [
        ([(10, "Bonus", "1", None)], "must match [a-z_][a-z0-9_]*"),
        ([(10, "1x", "1", None)], "must match"),
        ([(10, "a", "1", None), (20, "a", "2", None)], "used twice"),
        ([(10, "salary", "1", None)], "already an input"),
        ([(10, "fund_return", "1", None)], "already an input"),
        ([(10, "min", "1", None)], "function name"),
        ([(10, "if", "1", None)], "reserved word"),
        ([(10, "error", "1", None)], "reserved word"),
        ([(10, "a", "1", None), (10, "b", "2", None)], "order 10 is also used"),
        ([], "at least one step"),
    ],
)
def test_step_name_rules(steps, words):
    issues = _issues(_plan(steps, fund={"fund_return": "0.1"}))
    assert any(words in i for i in issues), issues


def test_input_rules():
    assert any("reserved" in i for i in _issues(_plan([(10, "a", "1", None)], inputs=(("date", "date"),))))
    assert any(
        "declared twice" in i for i in _issues(_plan([(10, "a", "1", None)], inputs=(("x", "int"), ("x", "int"))))
    )
    with pytest.raises(PlanError, match="dtype"):
        _plan([(10, "a", "1", None)], inputs=(("x", "float"),))


def test_too_many_steps():
    steps = [(i, f"s{i}", "1", None) for i in range(limits.MAX_STEPS + 1)]
    assert any("at most" in i for i in _issues(_plan(steps)))


def test_plan_json_reads_numbers_as_decimal():
    p = loads(
        '{"name": "x", "version": 2, "inputs": [], "fund_inputs": {"r": 0.1, "s": "0.2"}, '
        '"steps": [{"order": 1, "name": "a", "expr": "r + s"}]}'
    )
    assert str(p.fund_inputs["r"]) == "0.1" and p.version == "2"
    with pytest.raises(PlanError, match="not valid JSON"):
        loads("{nope")
    with pytest.raises(PlanError, match="'expr' must be text"):
        loads('{"steps": [{"order": 1, "name": "a", "expr": 5}]}')


def test_catalog_has_version_and_a_doc_line_per_function():
    assert CATALOG_VERSION
    assert set(FUNCTIONS) == {"min", "max", "round2", "clip", "cap_floor", "hurdle", "pct", "pct_change", "total"}
    for signature, doc in describe():
        assert signature and doc and "\n" not in doc
