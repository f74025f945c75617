"""A stored bonus plan as plain data: its inputs (from the tenant's input catalog, with defaults,
transforms and validation rules) and its ordered steps. `formula_plan()` is what the formula engine
validates and runs; everything here is pure (models/comp builds it from the rows).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.formula import decimals as dec
from engine.formula.catalog import FUNCTIONS, KEYWORDS
from engine.formula.plan import DTYPES, InputDef, Plan, Step
from engine.formula.validator import RESERVED_COLUMNS

# the input catalog's types are the formula engine's (one vocabulary)
INPUT_DTYPES: tuple[str, ...] = DTYPES
NUMERIC_DTYPES = frozenset({"decimal", "int", "bool"})

# Transforms applied to an input's value after it is read and typed, before the plan runs. A closed
# list (no code): each is exact decimal arithmetic or a text normalisation.
TRANSFORMS: dict[str, tuple[frozenset[str], str]] = {
    "none": (frozenset(INPUT_DTYPES), "the value as given"),
    "percent_to_ratio": (frozenset({"decimal", "int"}), "x / 100: 12.5 (a percent) becomes 0.125"),
    "ratio_to_percent": (frozenset({"decimal", "int"}), "x * 100: 0.125 becomes 12.5"),
    "abs": (frozenset({"decimal", "int"}), "the absolute value"),
    "negate": (frozenset({"decimal", "int"}), "-x"),
    "round2": (frozenset({"decimal"}), "rounded half-even to 2 decimals"),
    "trim": (frozenset({"text"}), "leading and trailing spaces removed"),
    "lower": (frozenset({"text"}), "lower case"),
    "upper": (frozenset({"text"}), "upper case"),
}

# The validation rules an input catalog entry may carry (JSON object), by dtype.
RULE_KEYS: dict[str, frozenset[str]] = {
    "decimal": frozenset({"min", "max"}),
    "int": frozenset({"min", "max"}),
    "bool": frozenset(),
    "date": frozenset({"min", "max"}),
    "text": frozenset({"choices", "max_length"}),
}

INPUT_KEY = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT = re.compile(r"[+-]?[0-9]{1,28}")


@dataclass(frozen=True)
class InputSpec:
    """One input a plan reads per employee. `default` is text in the dtype's plain form (None: no
    default); `source_column` is the file header to read it from (None: the key itself)."""

    key: str
    dtype: str
    label: str = ""
    required: bool = True
    default: str | None = None
    transform: str = "none"
    source_column: str | None = None
    rules: dict[str, Any] = field(default_factory=dict)

    @property
    def column(self) -> str:
        return self.source_column or self.key


@dataclass(frozen=True)
class StepSpec:
    order: int
    name: str
    expr: str
    condition: str | None = None
    outputs: tuple[str, ...] = ()  # what the step binds; only its own name can be bound
    notes: str | None = None


@dataclass(frozen=True)
class PlanSpec:
    name: str
    version: int
    inputs: tuple[InputSpec, ...] = ()
    steps: tuple[StepSpec, ...] = ()

    def formula_plan(self) -> Plan:
        return Plan(
            name=self.name,
            version=str(self.version),
            inputs=tuple(InputDef(i.key, i.dtype) for i in self.inputs),
            steps=tuple(Step(s.order, s.name, s.expr, s.condition or None) for s in self.steps),
        )

    @property
    def display_steps(self) -> tuple[StepSpec, ...]:
        return tuple(sorted(self.steps, key=lambda s: (s.order, s.name)))

    @property
    def payout_step(self) -> str | None:
        """The step whose value is the employee's payout: the last step in display order."""
        steps = self.display_steps
        return steps[-1].name if steps else None


def parse_value(dtype: str, text: str) -> Decimal | datetime.date | str:
    """A default or rule value in the dtype's plain form; ValueError with a readable reason."""
    if dtype == "text":
        return text
    if dtype == "date":
        if not _DATE.fullmatch(text):
            raise ValueError(f"'{text}' is not a date (YYYY-MM-DD)")
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a date (YYYY-MM-DD)") from None
    if dtype == "bool":
        low = text.lower()
        if low not in ("true", "false", "1", "0"):
            raise ValueError(f"'{text}' is not a boolean (true, false, 1 or 0)")
        return dec.ONE if low in ("true", "1") else dec.ZERO
    if dtype == "int" and not _INT.fullmatch(text):
        raise ValueError(f"'{text}' is not a whole number")
    value = dec.parse_plain(text)
    if value is None:
        raise ValueError(f"'{text}' is not a decimal number (plain digits, '.' as the point, at most 28 before it)")
    return value


def check_default(dtype: str, default: str | None) -> str | None:
    """The reason a default does not fit the dtype, or None."""
    if default is None:
        return None
    try:
        parse_value(dtype, default)
    except ValueError as exc:
        return str(exc)
    return None


def check_transform(dtype: str, transform: str) -> str | None:
    """The reason a transform does not fit the dtype, or None."""
    if transform not in TRANSFORMS:
        return f"unknown transform '{transform}' (one of: {', '.join(TRANSFORMS)})"
    allowed, _ = TRANSFORMS[transform]
    if dtype not in allowed:
        return f"transform '{transform}' does not apply to a {dtype} input"
    return None


def check_rules(dtype: str, rules: dict[str, Any]) -> dict[str, str]:
    """Problems of a catalog entry's validation rules, by rule key (empty: fine)."""
    problems: dict[str, str] = {}
    allowed = RULE_KEYS.get(dtype, frozenset())
    for key, value in rules.items():
        if key not in allowed:
            problems[key] = f"not a rule of a {dtype} input" + (
                f" (rules: {', '.join(sorted(allowed))})" if allowed else ""
            )
        elif key in ("min", "max"):
            if not isinstance(value, str):
                problems[key] = 'write the bound as text, e.g. "0" or "2025-01-01"'
            else:
                try:
                    parse_value(dtype, value)
                except ValueError as exc:
                    problems[key] = str(exc)
        elif key == "max_length":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000:
                problems[key] = "a whole number between 1 and 10000"
        elif key == "choices" and (
            not isinstance(value, list)
            or not value
            or len(value) > 200
            or not all(isinstance(v, str) and 0 < len(v) <= 200 for v in value)
        ):
            problems[key] = "a list of 1 to 200 texts (each 1 to 200 characters)"
    if not problems and "min" in rules and "max" in rules:
        low, high = parse_value(dtype, rules["min"]), parse_value(dtype, rules["max"])
        if low > high:  # type: ignore[operator]
            problems["min"] = "min is greater than max"
    return problems


def check_key(key: str) -> str | None:
    """The reason `key` cannot name an input, or None (the names a formula can read)."""
    if not INPUT_KEY.fullmatch(key):
        return "a key is lowercase letters, digits and _, not starting with a digit (at most 63 characters)"
    if key in KEYWORDS or key in FUNCTIONS or key in RESERVED_COLUMNS:
        return f"'{key}' is a reserved word of the formula language"
    return None
