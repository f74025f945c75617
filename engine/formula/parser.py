"""Text → AST, with errors a plan author can act on (line, column, the offending text, what fits).

Uses lark's LALR parser (linear time, no recursion in parsing) on grammar.lark. The expression length
is capped before parsing and the tree depth before the AST is built, so hostile input fails fast.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from importlib import resources

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from engine.formula import decimals as dec
from engine.formula import limits
from engine.formula.errors import ExpressionError
from engine.formula.nodes import Binary, Call, Compare, DateLit, If, Logic, Name, Node, Num, Pos, Str, Unary

_BINARY = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%", "pow": "^"}
_COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", ">=": ">=", "ge": ">="}
_LOGIC = {"and_": "&&", "or_": "||"}
_UNARY = {"neg": "-", "pos": "+"}

_VALUE_TOKENS = {"NUMBER", "NAME", "STRING", "LPAR", "MINUS", "PLUS", "IF", "DATE"}
_OPERATOR_TOKENS = {"PLUS", "MINUS", "STAR", "SLASH", "PERCENT", "CIRCUMFLEX", "LESSTHAN", "MORETHAN"}

# Typical mistakes, recognised by the parser state they fail in (lark's match_examples).
_HINTS: dict[str, list[str]] = {
    "comparisons cannot be chained; combine them with && (for example a < b && b < c)": [
        "a < b < c",
        "a == b == c",
        "a != b < c",
        "a >= b <= c",
        "1 < 2 > 3",
    ],
    "an if needs its condition in parentheses: if (condition) then a else b": [
        "if a then b else c",
        "if a > 1 then b else c",
    ],
    "an if needs 'then' after its condition: if (condition) then a else b": [
        "if (a) b else c",
        "if (a > 1) b",
        "if (a) else b",
    ],
    "an if needs an 'else' branch: if (condition) then a else b": [
        "if (a) then b",
        "if (a) then b + 1",
        "if (a) then b c",
    ],
    "two values follow each other without an operator between them": [
        "a b",
        "1 2",
        "a 1",
        "(a) b",
        "a (b)",
        "1 a",
    ],
}


@functools.cache
def _parser() -> lark.Lark:
    text = resources.files("engine.formula").joinpath("grammar.lark").read_text(encoding="utf-8")
    return lark.Lark(text, parser="lalr", propagate_positions=True, maybe_placeholders=False)


@functools.cache
def _terminal_words() -> dict[str, str]:
    words = {"NUMBER": "a number", "NAME": "a name", "STRING": 'a text in "double quotes"', "$END": "the end"}
    for t in _parser().terminals:
        if t.name not in words and t.pattern.type == "str":
            words[t.name] = f"'{t.pattern.value}'"
    return words


def _expected_words(expected: set[str]) -> str:
    words = _terminal_words()
    parts: list[str] = []
    rest = set(expected)
    if {"NUMBER", "NAME", "LPAR"} <= rest:
        parts.append("a value (a number, a name, a function call or '(')")
        rest -= _VALUE_TOKENS
    ops = {t for t in rest if t in _OPERATOR_TOKENS or t.startswith("__ANON")}
    if len(ops) >= 3:
        parts.append("an operator")
        rest -= ops
    parts.extend(sorted(words.get(t, t) for t in rest))
    return " or ".join(parts) if parts else "something else"


def _describe_token(token: lark.Token) -> str:
    if token.type == "$END":
        return "the end of the expression"
    if token.type == "NAME":
        return f"name '{token}'"
    if token.type == "NUMBER":
        return f"number {token}"
    if token.type == "STRING":
        return f"text {token}"
    return f"'{token}'"


_CHAR_HINTS = {
    "=": "use == to compare (there is no assignment)",
    "&": "use && for 'and'",
    "|": "use || for 'or'",
    "'": 'write text in double quotes, for example "sales"',
    "[": "subscripts are not allowed",
    "]": "subscripts are not allowed",
    ".": "attribute access is not allowed (and numbers need a digit after the point)",
    "!": "use != for 'not equal' (there is no ! operator)",
    "{": "braces are not part of the language",
    "}": "braces are not part of the language",
    ";": "one expression per step; ';' is not allowed",
    ":": "':' is not allowed; write if (condition) then a else b",
    '"': "a text must close its double quote on the same line",
}


def _friendly(text: str, err: UnexpectedInput) -> ExpressionError:
    line, col = err.line, err.column
    if isinstance(err, UnexpectedCharacters):
        ch = text[err.pos_in_stream] if 0 <= err.pos_in_stream < len(text) else "?"
        hint = _CHAR_HINTS.get(ch, "this character is not part of the formula language")
        shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
        return ExpressionError(f"unexpected character {shown}: {hint}", line, col)
    hint = None
    try:
        hint = err.match_examples(_parser().parse, _HINTS, use_accepts=True)
    except Exception:  # noqa: BLE001 - a hint is a nicety; never let it hide the real error
        hint = None
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        expected: set[str] = set(getattr(err, "expected", None) or getattr(err, "accepts", None) or ())
        message = f"the expression ends too early; expected {_expected_words(expected)}"
        line, col = _end_position(text.rstrip())
    else:
        assert isinstance(err, UnexpectedToken)
        expected = set(err.accepts or err.expected or ())
        message = f"unexpected {_describe_token(err.token)}; expected {_expected_words(expected)}"
    if hint:
        message = f"{hint} ({message})"
    return ExpressionError(message, line, col)


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


def _check_parentheses(text: str) -> None:
    """Reject deep parenthesis nesting up front (it creates no tree depth, but is never meant)."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
            if depth > limits.MAX_DEPTH:
                line = text.count("\n", 0, i) + 1
                col = i - (text.rfind("\n", 0, i) + 1) + 1
                raise ExpressionError(f"parentheses are nested more than {limits.MAX_DEPTH} levels deep", line, col)
        elif ch == ")":
            depth -= 1


def _depth_ok(tree: lark.Tree) -> bool:
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.MAX_DEPTH:
            return False
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, lark.Tree))
    return True


def parse(text: str) -> Node:
    """Parse one expression; raise ExpressionError (with line and column) if it is not valid syntax."""
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text")
    if len(text) > limits.MAX_EXPR_CHARS:
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is {limits.MAX_EXPR_CHARS}")
    if not text.strip():
        raise ExpressionError("the expression is empty", 1, 1)
    _check_parentheses(text)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as err:
        raise _friendly(text, err) from None
    if not _depth_ok(tree):
        raise ExpressionError(
            f"the expression is nested more than {limits.MAX_DEPTH} levels deep "
            "(each operator of a long chain like a + b + … counts as one level; split it into steps)",
            1,
            1,
        )
    return _build(tree)


def _pos(item: lark.Tree | lark.Token) -> Pos:
    if isinstance(item, lark.Token):
        return Pos(item.line or 1, item.column or 1)
    meta = item.meta
    return Pos(getattr(meta, "line", 1), getattr(meta, "column", 1))


def _number(token: lark.Token) -> Num:
    text = str(token)
    whole, _, frac = text.partition(".")
    pos = _pos(token)
    if len(whole.lstrip("0")) > 28:
        raise ExpressionError(f"the number {text[:40]}… has more than 28 digits before the point", pos.line, pos.column)
    if len(frac) > 10:
        raise ExpressionError(f"the number {text} has more than 10 decimals", pos.line, pos.column)
    return Num(Decimal(text).quantize(dec.QUANTUM, context=dec.CTX), text, pos)


def _string(token: lark.Token) -> str:
    value = str(token)[1:-1]
    if len(value) > limits.MAX_STRING_CHARS:
        raise ExpressionError(
            f"a text literal may have at most {limits.MAX_STRING_CHARS} characters", token.line, token.column
        )
    return value


def _token(child: lark.Tree | lark.Token) -> lark.Token:
    """A literal's child is a token by the grammar; anything else is a malformed tree."""
    if not isinstance(child, lark.Token):
        where = _pos(child)
        raise ExpressionError("malformed literal", where.line, where.column)
    return child


def _build(tree: lark.Tree | lark.Token) -> Node:
    if isinstance(tree, lark.Token):  # only reachable for malformed trees; the grammar wraps every token
        raise ExpressionError(f"unexpected token {tree!s}", tree.line, tree.column)
    kind, ch, pos = tree.data, tree.children, _pos(tree)
    if kind == "number":
        return _number(_token(ch[0]))
    if kind == "string":
        return Str(_string(_token(ch[0])), _pos(ch[0]))
    if kind == "date":
        raw = _string(_token(ch[0]))
        try:
            if len(raw) != 10:
                raise ValueError
            return DateLit(datetime.date.fromisoformat(raw), pos)
        except ValueError:
            raise ExpressionError(
                f'date("{raw}") is not a date; write date("YYYY-MM-DD")', pos.line, pos.column
            ) from None
    if kind == "name":
        return Name(str(ch[0]), _pos(ch[0]))
    if kind in _UNARY:
        return Unary(_UNARY[kind], _build(ch[0]), pos)
    if kind in _BINARY:
        return Binary(_BINARY[kind], _build(ch[0]), _build(ch[1]), pos)
    if kind in _COMPARE:
        return Compare(_COMPARE[kind], _build(ch[0]), _build(ch[1]), pos)
    if kind in _LOGIC:
        return Logic(_LOGIC[kind], _build(ch[0]), _build(ch[1]), pos)
    if kind == "if_":
        return If(_build(ch[0]), _build(ch[1]), _build(ch[2]), pos)
    if kind == "call":
        name = ch[0]
        return Call(str(name), tuple(_build(c) for c in ch[1:]), _pos(name))
    raise ExpressionError(f"unsupported construct '{kind}'", pos.line, pos.column)
