"""Validated inputs of compensation writes (shared by the REST API, the pages and the seed).

Unknown keys are refused; text follows engine.text (control characters refused); integers are JSON
integers; money is a decimal string (never a JSON float); dates are `YYYY-MM-DD` text. Employee
rows (test vectors, impact samples) hold text, whole JSON numbers or booleans per input key.
"""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StrictBool, WithJsonSchema

from engine.comp.data import MAX_VECTOR_ROWS
from engine.comp.runs import DEFAULT_MOVERS, MAX_MOVERS
from engine.comp.spec import INPUT_DTYPES, TRANSFORMS
from engine.formula import limits
from engine.inputs import PlainText, StrictInt
from engine.text import TextInput

if TYPE_CHECKING:  # the checker sees text; pydantic validates against the engine's own values
    Dtype = Transform = str
else:
    Dtype = Literal[INPUT_DTYPES]
    Transform = Literal[tuple(TRANSFORMS)]

DAY_MESSAGE = "must be a date written YYYY-MM-DD, in the years 1900..2999"
_DAY = re.compile(r"(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}")
DECIMAL_TEXT = r"^[0-9]{1,28}(\.[0-9]{1,10})?$"  # ASCII digits only, no sign
MAX_ROWS_BODY = 1000  # typed in a request (the body limit is 1 MiB); bigger samples come as an upload


def _day(value: Any) -> Any:
    """A calendar day as text (or a date from Python callers); never a number of seconds."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        if not 1900 <= value.year <= 2999:
            raise ValueError(DAY_MESSAGE)
        return value
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise ValueError(DAY_MESSAGE)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(DAY_MESSAGE) from None


Day = Annotated[
    datetime.date,
    BeforeValidator(_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"}),
]
Key = Annotated[str, Field(min_length=1, max_length=63, pattern=r"^[a-z_][a-z0-9_]*$")]
StepName = Annotated[str, Field(min_length=1, max_length=63)]
Expr = Annotated[str, Field(min_length=1, max_length=limits.MAX_EXPR_CHARS)]
Notes = Annotated[str, Field(max_length=4000)]
# one employee's inputs: key → text, a whole JSON number or a boolean (never a JSON decimal)
Cell = PlainText | StrictInt | StrictBool | None
Row = Annotated[dict[Annotated[str, Field(max_length=200)], Cell], Field(max_length=limits.MAX_INPUTS + 1)]


class _Input(TextInput):
    """Unknown keys refused, text stripped, control characters refused (engine.text)."""


class InputDefinitionCreate(_Input):
    key: Key
    label: str = Field(min_length=1, max_length=200)
    dtype: Dtype
    required: StrictBool = False
    default_value: str | None = Field(default=None, max_length=200)
    validation: dict[str, Any] = Field(
        default_factory=dict,
        description='rules by dtype: decimal/int/date {"min", "max"} as text; text {"choices": [...], "max_length"}',
    )
    description: str | None = Field(default=None, max_length=1000)


class PlanCreate(_Input):
    """compensation-platform-prd.md §15.1 (`tenant_id`, when sent, must be the path's tenant)."""

    name: str = Field(min_length=1, max_length=200)
    version: StrictInt = Field(default=1, ge=1, le=100_000)
    effective_from: Day | None = None
    effective_to: Day | None = None
    notes: Notes | None = None
    tenant_id: uuid.UUID | None = None


class PlanUpdate(_Input):
    """Edit of a draft: only the keys sent change."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    effective_from: Day | None = None
    effective_to: Day | None = None
    notes: Notes | None = None


class StepCreate(_Input):
    """compensation-platform-prd.md §15.2. `outputs` defaults to [name]: a step binds its own name."""

    step_order: StrictInt = Field(ge=0, le=1_000_000)
    name: StepName
    expr: Expr
    condition_expr: Expr | None = None
    outputs: list[Annotated[str, Field(max_length=63)]] | None = Field(default=None, max_length=10)
    notes: Notes | None = None


class StepUpdate(_Input):
    step_order: StrictInt | None = Field(default=None, ge=0, le=1_000_000)
    name: StepName | None = None
    expr: Expr | None = None
    condition_expr: Annotated[str, Field(max_length=limits.MAX_EXPR_CHARS)] | None = Field(
        default=None, description='"" removes the condition'
    )
    outputs: list[Annotated[str, Field(max_length=63)]] | None = Field(default=None, max_length=10)
    notes: Notes | None = None


class StepOrder(_Input):
    """Every step of the plan, in the new order (orders become 10, 20, 30, …)."""

    step_ids: list[uuid.UUID] = Field(min_length=1, max_length=limits.MAX_STEPS)


class PlanInputCreate(_Input):
    """A catalog input for the plan (by its key), with the plan's own default and transform."""

    key: Key
    required: StrictBool | None = Field(default=None, description="default: the catalog entry's")
    default_value: str | None = Field(default=None, max_length=200)
    transform: Transform = "none"
    source_column: str | None = Field(default=None, min_length=1, max_length=200)


class PlanInputUpdate(_Input):
    required: StrictBool | None = None
    default_value: str | None = Field(default=None, max_length=200, description='"" removes the default')
    transform: Transform | None = None
    source_column: str | None = Field(default=None, max_length=200, description='"" reads the key itself')


class PoolSet(_Input):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    amount: str = Field(pattern=DECIMAL_TEXT, description="a decimal string, e.g. 2500000.00")
    allocation_rules: list[dict[str, Any]] = Field(default_factory=list, max_length=50)

    @property
    def amount_decimal(self) -> Decimal:
        return Decimal(self.amount)


class NewVersion(_Input):
    """A new draft version of a locked plan (copies its inputs, steps and pool)."""

    effective_from: Day | None = None
    effective_to: Day | None = None
    notes: Notes | None = None


class VectorsBody(_Input):
    rows: list[Row] = Field(min_length=1, max_length=MAX_VECTOR_ROWS)


class ImpactBody(_Input):
    """Preview this version against `against` (the base) on `rows` and/or an uploaded sample file."""

    against: uuid.UUID
    rows: list[Row] = Field(default_factory=list, max_length=MAX_ROWS_BODY)
    upload_id: uuid.UUID | None = None
    employee_ref_column: str = Field(default="employee_ref", min_length=1, max_length=200)
    movers: StrictInt = Field(default=DEFAULT_MOVERS, ge=1, le=MAX_MOVERS)


class StepCheck(_Input):
    """A step as typed in the editor, checked against the plan without saving (live lint)."""

    name: StepName
    expr: str = Field(max_length=limits.MAX_EXPR_CHARS)
    condition_expr: str | None = Field(default=None, max_length=limits.MAX_EXPR_CHARS)
    step_order: StrictInt | None = Field(default=None, ge=0, le=1_000_000)
    step_id: uuid.UUID | None = Field(default=None, description="the step being edited (None: a new step)")
