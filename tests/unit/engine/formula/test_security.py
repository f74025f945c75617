"""Hostile plans are rejected quickly with a clear message, never evaluated, never hanging.

Each test runs under a generous alarm (a hang guard, not a timing assertion).
"""

from __future__ import annotations

import signal

import pytest

from engine.formula import limits
from engine.formula.errors import ExpressionError, PlanError
from engine.formula.nodes import Binary, Name
from engine.formula.plan import from_dict
from engine.formula.validator import check_expression, validate

SCOPE = {"a": "number"}


@pytest.fixture(autouse=True)
def hang_guard():
    def _timeout(*_):
        raise TimeoutError("hostile input was not rejected within 20 s")

    old = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def assert_rejected(source: str) -> str:
    """Assert the expression is refused with an ExpressionError; return its message."""
    with pytest.raises(ExpressionError) as info:
        check_expression(source, SCOPE)
    return info.value.message


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ('__import__("os").system("ls")', "attribute access"),
        ('__import__("os")', "unknown function '__import__'"),
        ("eval(a)", "unknown function 'eval'"),
        ("exec(a)", "unknown function 'exec'"),
        ("a.__class__", "attribute access"),
        ("(a).__class__.__bases__", "attribute access"),
        ("a[0]", "subscripts"),
        ("lambda: 1", "':' is not allowed"),
        ("a = 1", "use =="),
        ("[x for x in a]", "subscripts"),
        ("{}", "braces"),
        ('open("/etc/passwd")', "unknown function 'open'"),
        ("a; a", "';' is not allowed"),
        ("`a`", "not part of the formula language"),
    ],
)
def test_code_injection_is_rejected(source, words):
    assert words in assert_rejected(source)


def test_huge_literal():
    assert "more than 28 digits" in assert_rejected("9" * 3000)
    assert "more than 10 decimals" in assert_rejected("0." + "1" * 3000)


def test_huge_exponent_is_an_error_not_a_hang():
    assert "between -16 and 16" in assert_rejected("2^99999999")
    assert "between -16 and 16" in assert_rejected("2^(9^9)")
    assert "between -16 and 16" in assert_rejected("a^(2^16)")
    assert "overflow" in assert_rejected("a^((16^16)^16)") or "between" in assert_rejected("a^((16^16)^16)")


def test_deep_nesting():
    assert "nested more than" in assert_rejected("(" * 1500 + "a" + ")" * 1500)
    assert "nested more than" in assert_rejected("-" * 3000 + "a")
    assert "nested more than" in assert_rejected("min(" * 300 + "a" + ", 1)" * 300)
    assert "nested more than" in assert_rejected("2^" * 1000 + "2")
    assert "split it into steps" in assert_rejected(" + ".join(["a"] * 500))


def test_megabyte_expression():
    assert "characters long" in assert_rejected("a + " * 250_000 + "a")
    assert f"limit is {limits.MAX_EXPR_CHARS}" in assert_rejected("1" * 1_000_000)


def test_long_but_legal_expression_is_fine():
    chain = check_expression(" + ".join(["a"] * 90), SCOPE)
    depth = 0
    while isinstance(chain, Binary):
        assert chain.op == "+" and chain.right == Name("a", None)
        chain, depth = chain.left, depth + 1
    assert (chain, depth) == (Name("a", None), 89)
    assert check_expression("(" * 90 + "a" + ")" * 90, SCOPE) == Name("a", None)


def test_cyclic_plans():
    steps = [{"order": i, "name": f"s{i}", "expr": f"s{(i + 1) % 150} + 1"} for i in range(150)]
    with pytest.raises(PlanError, match="steps form a cycle: s0 -> s1 -> s2"):
        validate(from_dict({"name": "x", "version": "1", "steps": steps}))


def test_binary_junk_and_control_characters():
    for text in ["\x00", "a\x00b", "\u202e a", "\ufeffa", "a\u00a0+ a", "ä + 1"]:
        assert_rejected(text)
