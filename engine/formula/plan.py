"""A bonus plan as plain data: inputs, fund inputs and ordered steps, read from the PLAN.json shape.

Only the structure is checked here (types of fields); meaning (names, types, cycles) is the
validator's job, so a plan editor can hold an invalid draft.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from engine.formula.errors import Issue, PlanError

DTYPES = ("decimal", "int", "bool", "text", "date")


@dataclass(frozen=True)
class InputDef:
    key: str
    dtype: str


@dataclass(frozen=True)
class Step:
    order: int
    name: str
    expr: str
    condition: str | None = None


@dataclass(frozen=True)
class Plan:
    name: str
    version: str
    inputs: tuple[InputDef, ...] = ()
    fund_inputs: dict[str, Decimal] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The PLAN.json shape; decimals as strings so nothing passes through float."""
        return {
            "name": self.name,
            "version": self.version,
            "inputs": [{"key": i.key, "dtype": i.dtype} for i in self.inputs],
            "fund_inputs": {k: str(v) for k, v in self.fund_inputs.items()},
            "steps": [{"order": s.order, "name": s.name, "expr": s.expr, "condition": s.condition} for s in self.steps],
        }


def loads(text: str) -> Plan:
    """Parse PLAN.json text; JSON numbers are read as Decimal, never float."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise PlanError([Issue(f"PLAN.json is not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno)]) from None
    return from_dict(data)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


def from_dict(data: Any) -> Plan:
    """Build a Plan from the PLAN.json structure, collecting every structural problem."""
    issues: list[Issue] = []
    if not isinstance(data, dict):
        raise PlanError([Issue("a plan must be a JSON object")])
    name = data.get("name", "")
    version = data.get("version", "")
    if not isinstance(name, str):
        issues.append(Issue("'name' must be text"))
    if not isinstance(version, (str, int)) or isinstance(version, bool):
        issues.append(Issue("'version' must be text or a whole number"))

    inputs: list[InputDef] = []
    raw_inputs = data.get("inputs", [])
    if not isinstance(raw_inputs, list):
        issues.append(Issue("'inputs' must be a list"))
        raw_inputs = []
    for n, item in enumerate(raw_inputs, 1):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            issues.append(Issue(f"input #{n} needs a text 'key'"))
            continue
        dtype = item.get("dtype", "decimal")
        if dtype not in DTYPES:
            issues.append(Issue(f"input '{item['key']}' has dtype {dtype!r}; use one of {', '.join(DTYPES)}"))
            continue
        inputs.append(InputDef(item["key"], dtype))

    fund: dict[str, Decimal] = {}
    raw_fund = data.get("fund_inputs", {}) or {}
    if not isinstance(raw_fund, dict):
        issues.append(Issue("'fund_inputs' must be an object of name → number"))
        raw_fund = {}
    for key, value in raw_fund.items():
        d = _decimal(value)
        if d is None:
            issues.append(Issue(f"fund input '{key}' must be a number (write it as a string, e.g. \"0.12\")"))
        else:
            fund[str(key)] = d

    steps: list[Step] = []
    raw_steps = data.get("steps", [])
    if not isinstance(raw_steps, list):
        issues.append(Issue("'steps' must be a list"))
        raw_steps = []
    for n, item in enumerate(raw_steps, 1):
        if not isinstance(item, dict):
            issues.append(Issue(f"step #{n} must be an object"))
            continue
        sname = item.get("name")
        label = sname if isinstance(sname, str) else f"#{n}"
        order, expr, cond = item.get("order"), item.get("expr"), item.get("condition")
        ok = True
        if not isinstance(sname, str):
            issues.append(Issue(f"step #{n} needs a text 'name'"))
            ok = False
        if not isinstance(order, int) or isinstance(order, bool):
            issues.append(Issue("'order' must be a whole number", step=label))
            ok = False
        if not isinstance(expr, str):
            issues.append(Issue("'expr' must be text", step=label))
            ok = False
        if cond is not None and not isinstance(cond, str):
            issues.append(Issue("'condition' must be text or null", step=label))
            ok = False
        if ok:
            steps.append(Step(cast(int, order), str(sname), cast(str, expr), cond if cond and cond.strip() else None))
    if issues:
        raise PlanError(issues)
    return Plan(str(name), str(version), tuple(inputs), fund, tuple(steps))
