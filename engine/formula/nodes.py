"""The formula AST: a closed set of frozen dataclasses, one per grammar construct.

Nothing but these classes can appear in a validated tree (the validator checks it), which is the
node whitelist of the spec's safety rule: no eval, no attribute access, no subscripts, no lambdas.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Pos:
    line: int
    column: int


@dataclass(frozen=True)
class Num:
    value: Decimal
    text: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Str:
    value: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class DateLit:
    value: datetime.date
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Name:
    id: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: Node
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*", "/", "%", "^"
    left: Node
    right: Node
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Compare:
    op: str  # "==", "!=", "<", "<=", ">", ">="
    left: Node
    right: Node
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Logic:
    op: str  # "&&" or "||"
    left: Node
    right: Node
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class If:
    cond: Node
    then: Node
    else_: Node
    pos: Pos = field(compare=False)


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]
    pos: Pos = field(compare=False)


Node = Num | Str | DateLit | Name | Unary | Binary | Compare | Logic | If | Call
NODE_TYPES = (Num, Str, DateLit, Name, Unary, Binary, Compare, Logic, If, Call)

BINARY_OPS = ("+", "-", "*", "/", "%", "^")
COMPARE_OPS = ("==", "!=", "<", "<=", ">", ">=")
LOGIC_OPS = ("&&", "||")
UNARY_OPS = ("-", "+")


def children(node: Node) -> tuple[Node, ...]:
    """Direct sub-expressions, in evaluation order."""
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, (Binary, Compare, Logic)):
        return (node.left, node.right)
    if isinstance(node, If):
        return (node.cond, node.then, node.else_)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node):
    """Every node of the tree, pre-order, without recursion (trees can be deep)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(children(n)))


def names(node: Node) -> set[str]:
    return {n.id for n in walk(node) if isinstance(n, Name)}


def to_source(node: Node) -> str:
    """Fully parenthesised text of a tree; parsing it gives the same tree (used by tests and tapes)."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Str):
        return f'"{node.value}"'
    if isinstance(node, DateLit):
        return f'date("{node.value.isoformat()}")'
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Unary):
        return f"({node.op}{to_source(node.operand)})"
    if isinstance(node, (Binary, Compare, Logic)):
        return f"({to_source(node.left)} {node.op} {to_source(node.right)})"
    if isinstance(node, If):
        return f"(if ({to_source(node.cond)}) then {to_source(node.then)} else {to_source(node.else_)})"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(to_source(a) for a in node.args)})"
    raise TypeError(f"not a formula node: {type(node).__name__}")
