"""Operator-swap check: replacing any operator or function by a neighbour must change some result.

For every node of a few small plans, each same-class substitute (+ for -, <= for <, max for min, the if
branches swapped, ^ as *, …) is compiled by the vectorized engine and must give a different OUT.csv
than the reference does for the original plan. So a wrong mapping in the compiler cannot pass the
golden and property tests unnoticed. The originals are also pinned to hand-computed values.
"""

from __future__ import annotations

import dataclasses

import pytest

from engine.formula import reference, table, vectorized
from engine.formula.nodes import Binary, Call, Compare, If, Logic, Node, Num, Unary, children

from .helpers import frame, plan

CLASSES = [("+", "-", "*", "/", "%"), ("==", "!=", "<", "<=", ">", ">="), ("&&", "||"), ("-", "+")]
FUNCTION_CLASSES = [("min", "max"), ("round2", "pct", "total"), ("clip", "cap_floor"), ("hurdle", "pct_change")]

CASES = {
    "arithmetic": (
        "(a + b) * c - a / b + a % b",
        [{"a": 7, "b": 2, "c": 3}, {"a": -7, "b": 4, "c": 5}, {"a": 3, "b": 3, "c": -1}],
        ["24.5000000000", "-16.2500000000", "-7.0000000000"],
    ),
    "compare": (
        "(a < b) + 2 * (a <= b) + 4 * (a > b) + 8 * (a >= b) + 16 * (a == b) + 32 * (a != b)",
        [{"a": 3, "b": 3, "c": 0}, {"a": 3, "b": 7, "c": 0}, {"a": 7, "b": 3, "c": 0}],
        ["26.0000000000", "35.0000000000", "44.0000000000"],
    ),
    "logic_unary_if_pow": (
        "(a && b) + 2 * (a || b) + 4 * -c + if (a > b) then a else b ^ 3",
        [{"a": 0, "b": 1, "c": 1}, {"a": 2, "b": 2, "c": 2}, {"a": 2, "b": 0, "c": 0}, {"a": 0, "b": 0, "c": 3}],
        ["-1.0000000000", "3.0000000000", "4.0000000000", "-12.0000000000"],
    ),
    "functions": (
        "min(a, b) + 10 * max(a, b) + 100 * round2(c) + clip(a, 0, 3) + cap_floor(b, 1, 0) + hurdle(c, b)",
        [{"a": 5, "b": 0.08, "c": 2.345}, {"a": -1, "b": 2, "c": 0.125}, {"a": 2, "b": 1, "c": 1}],
        ["289.5050000000", "32.0000000000", "125.0000000000"],
    ),
    "pct_and_total": (
        "pct(a) + pct_change(b, c) + total(c) / 10 + round2(a / 3) + total(a)",
        [{"a": 5, "b": 3, "c": 2}, {"a": 10, "b": 1, "c": 4}, {"a": 1, "b": 9, "c": 3}],
        ["19.1200000000", "19.5800000000", "19.2400000000"],
    ),
}


def _nodes(node: Node, path=()):
    yield path, node
    for i, child in enumerate(children(node)):
        yield from _nodes(child, path + (i,))


def _replace_at(node: Node, path: tuple[int, ...], new: Node) -> Node:
    if not path:
        return new
    kids = list(children(node))
    kids[path[0]] = _replace_at(kids[path[0]], path[1:], new)
    if isinstance(node, Unary):
        return dataclasses.replace(node, operand=kids[0])
    if isinstance(node, (Binary, Compare, Logic)):
        return dataclasses.replace(node, left=kids[0], right=kids[1])
    if isinstance(node, If):
        return dataclasses.replace(node, cond=kids[0], then=kids[1], else_=kids[2])
    assert isinstance(node, Call)
    return dataclasses.replace(node, args=tuple(kids))


def _mutants(node: Node):
    if isinstance(node, (Binary, Compare, Logic, Unary)) and node.op != "^":
        cls = next(c for c in CLASSES if node.op in c and (isinstance(node, Unary) == (c == ("-", "+"))))
        for op in cls:
            if op != node.op:
                yield f"{node.op} -> {op}", dataclasses.replace(node, op=op)
    elif isinstance(node, Binary) and node.op == "^":
        assert isinstance(node.right, Num)
        yield "^ -> *", dataclasses.replace(node, op="*")
    elif isinstance(node, If):
        yield "if branches swapped", dataclasses.replace(node, then=node.else_, else_=node.then)
    elif isinstance(node, Call):
        cls = next(c for c in FUNCTION_CLASSES if node.func in c)
        for func in cls:
            if func != node.func and not (
                func == "total" and any(isinstance(n, Call) and n.func == "total" for _, n in _nodes(node.args[0]))
            ):
                yield f"{node.func} -> {func}", dataclasses.replace(node, func=func)


INPUTS = {"a": "decimal", "b": "decimal", "c": "decimal"}


@pytest.mark.parametrize("case", list(CASES))
def test_every_neighbour_substitution_changes_the_result(case):
    expr, rows, expected = CASES[case]
    compiled = plan([("x", expr)], INPUTS)
    df = frame(compiled, rows)
    original = reference.run(compiled, df)
    assert [None if v is None else format(v, "f") for v in original.frame["x"]] == expected
    baseline = table.to_csv_bytes(original)
    assert table.to_csv_bytes(vectorized.run(compiled, df)) == baseline
    step = compiled.steps[0]
    survivors = []
    count = 0
    for path, node in _nodes(step.expr):
        for label, mutant in _mutants(node):
            count += 1
            mutated = dataclasses.replace(
                compiled, steps=(dataclasses.replace(step, expr=_replace_at(step.expr, path, mutant)),)
            )
            if table.to_csv_bytes(vectorized.run(mutated, df)) == baseline:
                survivors.append(f"{label} at {path}")
    assert count > 0
    assert not survivors, f"substitutions that do not change the result: {survivors}"
