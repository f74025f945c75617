"""The difference between two versions of a plan: header fields, inputs, and steps added, removed
and changed, with a word diff of each changed expression (difflib over formula tokens)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from engine.comp.spec import InputSpec, PlanSpec, StepSpec

# numbers, names, text literals, two-character operators, then any other single character; spaces kept
_TOKEN = re.compile(r'\s+|[A-Za-z_][A-Za-z0-9_]*|[0-9]+(?:\.[0-9]*)?|\.[0-9]+|"[^"\n]*"|&&|\|\||[<>=!]=|\S')


@dataclass(frozen=True)
class Segment:
    op: str  # equal | delete | insert
    text: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    base: Any
    new: Any


@dataclass(frozen=True)
class StepDiff:
    name: str
    change: str  # added | removed | changed
    base: StepSpec | None
    new: StepSpec | None
    fields: list[FieldChange] = field(default_factory=list)
    expr_diff: list[Segment] = field(default_factory=list)
    condition_diff: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class InputDiff:
    key: str
    change: str  # added | removed | changed
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class PlanDiff:
    header: list[FieldChange]
    inputs: list[InputDiff]
    steps: list[StepDiff]  # in the new version's display order, removed steps where they stood

    @property
    def added(self) -> int:
        return sum(s.change == "added" for s in self.steps)

    @property
    def removed(self) -> int:
        return sum(s.change == "removed" for s in self.steps)

    @property
    def changed(self) -> int:
        return sum(s.change == "changed" for s in self.steps)

    @property
    def same(self) -> bool:
        return not (self.header or self.inputs or self.steps)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def word_diff(base: str | None, new: str | None) -> list[Segment]:
    """Token-level diff of two expressions; consecutive segments of one kind are merged."""
    a, b = tokens(base or ""), tokens(new or "")
    out: list[Segment] = []

    def add(op: str, parts: list[str]) -> None:
        text = "".join(parts)
        if not text:
            return
        if out and out[-1].op == op:
            out[-1] = Segment(op, out[-1].text + text)
        else:
            out.append(Segment(op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return out


_STEP_FIELDS = ("order", "expr", "condition", "outputs", "notes")
_INPUT_FIELDS = ("dtype", "required", "default", "transform", "source_column")


def _changes(base: Any, new: Any, names: tuple[str, ...]) -> list[FieldChange]:
    return [FieldChange(n, getattr(base, n), getattr(new, n)) for n in names if getattr(base, n) != getattr(new, n)]


def _norm(step: StepSpec) -> StepSpec:
    return StepSpec(step.order, step.name, step.expr, step.condition or None, tuple(step.outputs), step.notes or None)


def diff_plans(base: PlanSpec, new: PlanSpec, header: list[FieldChange] | None = None) -> PlanDiff:
    """What changed from `base` to `new` (`header`: the plans' own field changes, from the caller)."""
    old_steps = {s.name: _norm(s) for s in base.steps}
    new_steps = {s.name: _norm(s) for s in new.steps}
    steps: list[StepDiff] = []
    for step in new.display_steps:
        cur = new_steps[step.name]
        before = old_steps.get(step.name)
        if before is None:
            steps.append(StepDiff(step.name, "added", None, cur, expr_diff=word_diff("", cur.expr)))
            continue
        fields = _changes(before, cur, _STEP_FIELDS)
        if fields:
            steps.append(
                StepDiff(
                    step.name,
                    "changed",
                    before,
                    cur,
                    fields,
                    word_diff(before.expr, cur.expr) if before.expr != cur.expr else [],
                    word_diff(before.condition, cur.condition) if before.condition != cur.condition else [],
                )
            )
    for step in base.display_steps:
        if step.name not in new_steps:
            gone = old_steps[step.name]
            steps.append(StepDiff(step.name, "removed", gone, None, expr_diff=word_diff(gone.expr, "")))
    order = {s.name: (s.order, s.name) for s in (*base.steps, *new.steps)}
    steps.sort(key=lambda d: order[d.name])

    old_inputs: dict[str, InputSpec] = {i.key: i for i in base.inputs}
    new_inputs: dict[str, InputSpec] = {i.key: i for i in new.inputs}
    inputs = [
        InputDiff(k, "added")
        if k not in old_inputs
        else InputDiff(k, "changed", _changes(old_inputs[k], v, _INPUT_FIELDS))
        for k, v in new_inputs.items()
        if k not in old_inputs or _changes(old_inputs[k], v, _INPUT_FIELDS)
    ] + [InputDiff(k, "removed") for k in old_inputs if k not in new_inputs]
    return PlanDiff(header or [], inputs, steps)
