"""Editor help for plan authors, from the engine itself: completions and diagnostics.

One source: the completion list is the function catalog (signature and doc line) plus the names a
plan declares; the diagnostics are the parser's and validator's own issues (`validate` on a plan),
only re-shaped into ranges an editor can underline. Nothing here parses or checks an expression on
its own, so the editor can never disagree with what the API accepts at save or at lock.

- `completions(known_inputs, known_steps)` → `Completion(label, kind, signature, doc)` for every input
  key, step name, catalog function and keyword (`if`/`then`/`else`/`date`).
- `diagnostics(expr, known_names)` → `Diagnostic(from_line, from_col, to_line, to_col, message, hint)`
  for one expression against a scope of known names (name → dtype, or just names: decimals).
- `plan_diagnostics(plan)` → every issue of a whole draft plan, keyed by (step, field), so a cycle
  or a duplicate name shows on the step it concerns; issues of no step go under ("", "").

Lines and columns count from 1, like the engine's messages; the end is exclusive (the column just
after the underlined text). A problem at the end of the text ("ends too early") is an empty range
there; an issue without a position (a cycle, a length limit) covers the whole expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from engine.formula.catalog import FUNCTIONS
from engine.formula.errors import Issue, PlanError
from engine.formula.plan import DTYPES, InputDef, Plan, Step
from engine.formula.validator import validate

INPUT, STEP, FUNCTION, KEYWORD = "input", "step", "function", "keyword"

KEYWORD_HELP: dict[str, tuple[str, str]] = {
    "if": ("if (condition) then a else b", "a if condition is non-zero, else b; only the branch taken is computed."),
    "then": ("if (condition) then a else b", "Follows the condition of an if."),
    "else": ("if (condition) then a else b", "The value when the condition is 0."),
    "date": ('date("YYYY-MM-DD")', 'A date to compare a date input with, e.g. hire_date < date("2025-01-01").'),
}

# The placeholder step a lone expression is checked as: a legal step name no plan author would pick.
_PROBE = "__expression__"


class Completion(NamedTuple):
    label: str
    kind: str  # input | step | function | keyword
    signature: str  # what to show next to the label ("salary: decimal", "clip(x, lo, hi)")
    doc: str  # one line


class Diagnostic(NamedTuple):
    from_line: int
    from_col: int
    to_line: int
    to_col: int
    message: str
    hint: str


def completions(
    known_inputs: Mapping[str, str] | Iterable[str],
    known_steps: Mapping[str, str] | Iterable[str] = (),
    labels: Mapping[str, str] | None = None,
) -> list[Completion]:
    """Everything a step may mention: inputs (key → dtype), steps (name → note), functions, keywords.

    Inputs and steps keep the caller's order; functions follow the catalog's order. `labels` adds an
    input's human label to its doc line.
    """
    labels = labels or {}
    inputs = _as_mapping(known_inputs, "decimal")
    steps = _as_mapping(known_steps, "")
    out: list[Completion] = []
    for key, dtype in inputs.items():
        label = labels.get(key, "")
        doc = f"{label} ({dtype} input)" if label else f"A {dtype} input of the plan."
        out.append(Completion(key, INPUT, f"{key}: {dtype}", doc))
    for name, note in steps.items():
        if name in inputs:
            continue
        out.append(Completion(name, STEP, f"{name}: step", _first_line(note) or "The result of the step of that name."))
    for spec in FUNCTIONS.values():
        out.append(Completion(spec.name, FUNCTION, spec.signature, spec.doc))
    for word, (signature, doc) in KEYWORD_HELP.items():
        out.append(Completion(word, KEYWORD, signature, doc))
    return out


def diagnostics(expr: str, known_names: Mapping[str, str] | Iterable[str]) -> list[Diagnostic]:
    """The engine's problems with one expression, given the names in scope (name → dtype, or names).

    A name's dtype is an input dtype (decimal, int, bool, text, date); a bare name is a decimal. The
    expression is validated as the only step of a probe plan, so every rule of `validate` applies.
    """
    names = _as_mapping(known_names, "decimal")
    inputs = tuple(InputDef(k, d if d in DTYPES else "decimal") for k, d in names.items() if k != _PROBE)
    plan = Plan("assist", "0", inputs, {}, (Step(1, _PROBE, expr),))
    issues = _issues(plan)
    return [_diagnostic(expr, i) for i in issues if i.step == _PROBE and i.field == "expr"]


def plan_diagnostics(plan: Plan) -> dict[tuple[str, str], list[Diagnostic]]:
    """Every issue of a plan as ranges: key (step, "expr" | "condition") for an expression's issues,
    (step, "") for the step as a whole (its name, its order, a cycle through it), ("", "") for the plan.
    """
    steps = {s.name: s for s in plan.steps}
    out: dict[tuple[str, str], list[Diagnostic]] = {}
    for issue in _issues(plan):
        step = steps.get(issue.step or "")
        field = issue.field or ""
        if step is not None and field == "expr":
            text = step.expr
        elif step is not None and field == "condition":
            text = step.condition or ""
        else:
            text = ""
        key = (issue.step or "", field if step is not None else "")
        out.setdefault(key, []).append(_diagnostic(text, issue))
    return out


def _issues(plan: Plan) -> list[Issue]:
    try:
        validate(plan)
    except PlanError as exc:
        return exc.issues
    return []


def _as_mapping(names: Mapping[str, str] | Iterable[str], default: str) -> dict[str, str]:
    if isinstance(names, Mapping):
        return {str(k): str(v) for k, v in names.items()}
    return {str(n): default for n in names}


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text and text.strip() else ""


# --- ranges --------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9_.]+")


def _diagnostic(text: str, issue: Issue) -> Diagnostic:
    message, hint = split_message(issue.message)
    lines = text.split("\n") if text else [""]
    if issue.line is None or issue.column is None:  # no position: the whole expression
        return Diagnostic(1, 1, len(lines), len(lines[-1]) + 1, message, hint)
    line = min(max(issue.line, 1), len(lines))
    row = lines[line - 1]
    col = min(max(issue.column, 1), len(row) + 1)
    return Diagnostic(line, col, line, col + _span(row, col - 1), message, hint)


def _span(row: str, start: int) -> int:
    """How many characters from `start` to underline: the word, number or text literal there, else one."""
    if start >= len(row):
        return 0
    if row[start] == '"':
        end = row.find('"', start + 1)
        return (end + 1 if end >= 0 else len(row)) - start
    word = _WORD.match(row, start)
    if word is not None:
        return word.end() - start
    if row[start : start + 2] in ("==", "!=", "<=", ">=", "&&", "||"):
        return 2
    return 1


# --- message and hint ----------------------------------------------------------------------------

_CHAR = re.compile(r"^(unexpected character [^:]+): (.+)$")
_PARSE_HINT = re.compile(r"^(.+) \((unexpected .+|the expression ends too early.+)\)$")
_DID_YOU_MEAN = re.compile(r"^(.+?) \((did you mean '[^']+'\?)\)(.*)$")
_AVAILABLE = re.compile(r"^(.+?); (available: .+)$")


def split_message(message: str) -> tuple[str, str]:
    """(what is wrong, what to do) from one engine message; the hint is "" when the engine gave none.

    The engine writes its hints into the message (parser: "hint (unexpected …)"; names: "(did you
    mean 'x'?)"; characters: "unexpected character 'x': hint"); this only takes them apart again.
    """
    if m := _CHAR.match(message):
        return m.group(1), m.group(2)
    if m := _PARSE_HINT.match(message):
        return m.group(2), m.group(1)
    if m := _DID_YOU_MEAN.match(message):
        rest = m.group(3).lstrip("; ").strip()
        return m.group(1), m.group(2) + (f"; {rest}" if rest else "")
    if m := _AVAILABLE.match(message):
        return m.group(1), m.group(2)
    return message, ""
