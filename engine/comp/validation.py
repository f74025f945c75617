"""Plan validation for the builder and the lock guards: the formula engine's own validator, plus
what a stored plan adds (declared step outputs, input defaults and transforms).

Every problem comes from the engine (engine.formula.validator) with its step, field, line and
column; this module only adds the checks the engine cannot know about and sorts the problems into
the lock guards the builder shows. `new_issues` tells a save what it would break: a step, an input
or a deletion is refused (422) only for problems it introduces, never for older ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine.comp.spec import PlanSpec, check_default, check_transform
from engine.formula.errors import ExpressionError, Issue, PlanError
from engine.formula.nodes import Name, walk
from engine.formula.parser import parse
from engine.formula.validator import CompiledPlan, validate

GUARDS: tuple[tuple[str, str], ...] = (
    ("steps", "The plan has at least one step"),
    ("parse", "Every expression parses and is well typed"),
    ("names", "Step and input names are legal and unique"),
    ("outputs", "Every declared output is bound by its step, once"),
    ("unknown", "No unknown names or functions"),
    ("cycles", "No cycles between steps"),
    ("inputs", "Input defaults and transforms fit their types"),
)


@dataclass(frozen=True)
class PlanIssue:
    """One problem, located. `message` is the engine's text; `hint` the part that says how to fix it
    (when the engine gave one); `text` the whole located line (`step 'x' (expr), line 1, column 3: …`)."""

    message: str
    step: str | None = None
    field: str | None = None  # expr | condition | outputs | name | input
    line: int | None = None
    column: int | None = None
    hint: str = ""
    guard: str = "parse"
    text: str = ""

    @property
    def key(self) -> str:
        """Where the problem is, as a 422's `fields` key: steps.<name>.<field>, inputs.<key>, plan."""
        if self.step is not None:
            return f"steps.{self.step}" + (f".{self.field}" if self.field else "")
        if self.field and self.field.startswith("inputs."):
            return self.field
        return "plan"

    @property
    def where(self) -> str:
        """`line 1, column 7: message` (or the message alone)."""
        if self.line is not None:
            return f"line {self.line}, column {self.column}: {self.message}"
        return self.message


@dataclass(frozen=True)
class GuardView:
    key: str
    label: str
    ok: bool
    problems: int


@dataclass(frozen=True)
class Validation:
    issues: tuple[PlanIssue, ...]
    order: tuple[str, ...]  # evaluation order (empty unless the plan validates)
    edges: tuple[tuple[str, str], ...]  # (name read, step reading it): the DAG, even for a broken draft
    compiled: CompiledPlan | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def guards(self) -> tuple[GuardView, ...]:
        counts: dict[str, int] = {}
        for issue in self.issues:
            counts[issue.guard] = counts.get(issue.guard, 0) + 1
        return tuple(GuardView(k, label, not counts.get(k), counts.get(k, 0)) for k, label in GUARDS)

    def fields(self) -> dict[str, str]:
        """The 422 `fields` of these problems: location → `line L, column C: message` (joined by '; ')."""
        out: dict[str, str] = {}
        for issue in self.issues:
            out[issue.key] = f"{out[issue.key]}; {issue.where}" if issue.key in out else issue.where
        return out

    def message(self, lead: str = "the plan does not validate") -> str:
        shown = [i.text for i in self.issues[:10]]
        more = f" (and {len(self.issues) - 10} more)" if len(self.issues) > 10 else ""
        return f"{lead}: " + "; ".join(shown) + more


_DID_YOU_MEAN = re.compile(r"\((did you mean '[^']+'\?)\)")
_SYNTAX_HINT = re.compile(r"^(?P<hint>.+) \((?P<detail>unexpected .+|the expression ends too early.*)\)$")


def split_hint(message: str) -> str:
    """The engine's own advice inside a message: a "did you mean …?", the part after "unexpected
    character 'x':", or the friendly lead of a syntax error ("use == to compare (unexpected …)")."""
    found = _DID_YOU_MEAN.search(message)
    if found:
        return found.group(1)
    if message.startswith("unexpected character ") and ": " in message:
        return message.split(": ", 1)[1]
    syntax = _SYNTAX_HINT.match(message)
    if syntax:
        return syntax.group("hint")
    if message.startswith("'") and "call it with parentheses" in message:
        return message.split("; ", 1)[-1]
    if message.startswith("unexpected ") and "; expected " in message:
        return "expected " + message.split("; expected ", 1)[1]
    return ""


def _guard(issue: Issue) -> str:
    text = issue.message
    if text.startswith("steps form a cycle"):
        return "cycles"
    if text.startswith(("unknown name", "unknown function")):
        return "unknown"
    if issue.field == "outputs":
        return "outputs"
    if text.startswith("a plan needs at least one step") or ("at most" in text and "steps" in text):
        return "steps"
    if issue.field in ("expr", "condition"):
        return "parse"
    return "names"


def _of(issue: Issue, guard: str | None = None) -> PlanIssue:
    kind = guard or _guard(issue)
    return PlanIssue(
        message=issue.message,
        step=issue.step,
        field=issue.field or ("name" if issue.step is not None and kind == "names" else None),
        line=issue.line,
        column=issue.column,
        hint=split_hint(issue.message),
        guard=kind,
        text=str(issue),
    )


def _stored_checks(spec: PlanSpec) -> list[PlanIssue]:
    """What the engine cannot see: declared outputs and the inputs' defaults and transforms."""
    issues: list[PlanIssue] = []
    bound: dict[str, str] = {}
    for step in spec.steps:
        for output in step.outputs:
            if output != step.name:
                message = f"output '{output}' is not bound: a step binds exactly one output, its own name '{step.name}'"
                issues.append(_of(Issue(message, step=step.name, field="outputs"), "outputs"))
            elif output in bound and bound[output] != step.name:
                message = f"output '{output}' is also declared by step '{bound[output]}'"
                issues.append(_of(Issue(message, step=step.name, field="outputs"), "outputs"))
            bound.setdefault(output, step.name)
    for inp in spec.inputs:
        for problem in (check_default(inp.dtype, inp.default), check_transform(inp.dtype, inp.transform)):
            if problem:
                message = f"input '{inp.key}': {problem}"
                issues.append(PlanIssue(message, field=f"inputs.{inp.key}", guard="inputs", text=message))
    return issues


def edges(spec: PlanSpec) -> tuple[tuple[str, str], ...]:
    """(name, step) for every input or step name a step reads, from each expression that parses."""
    known = {i.key for i in spec.inputs} | {s.name for s in spec.steps}
    found: set[tuple[str, str]] = set()
    for step in spec.steps:
        for text in (step.expr, step.condition):
            if not text:
                continue
            try:
                tree = parse(text)
            except ExpressionError:
                continue
            found |= {(n.id, step.name) for n in walk(tree) if isinstance(n, Name) and n.id in known}
    order = {s.name: (s.order, s.name) for s in spec.steps}
    return tuple(sorted(found, key=lambda e: (order.get(e[1], (0, "")), e[0])))


def validate_plan(spec: PlanSpec) -> Validation:
    """Every problem of the plan, or its compiled form and evaluation order."""
    issues = _stored_checks(spec)
    compiled: CompiledPlan | None = None
    try:
        compiled = validate(spec.formula_plan())
    except PlanError as exc:
        issues = [_of(i) for i in exc.issues] + issues
    order = tuple(s.name for s in compiled.steps) if compiled is not None and not issues else ()
    return Validation(tuple(issues), order, edges(spec), compiled if not issues else None)


def new_issues(before: Validation, after: Validation) -> Validation:
    """The problems `after` has that `before` had not (a save is refused only for those)."""
    old = {i.text for i in before.issues}
    return Validation(tuple(i for i in after.issues if i.text not in old), after.order, after.edges)
