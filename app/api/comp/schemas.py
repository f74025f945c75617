"""What the compensation routes answer (declared, so /api/openapi.json is a contract).

Built from the read models of models.comp (frozen dataclasses) with `from_attributes`. Money and
every computed value are exact decimal strings (never JSON numbers); dates are YYYY-MM-DD;
instants ISO 8601.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from engine.formula import decimals as dec

Money = Annotated[Decimal, PlainSerializer(lambda d: dec.to_text(d) if d.is_finite() else str(d), return_type=str)]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class InputDefinitionOut(_Out):
    id: uuid.UUID
    key: str
    label: str
    dtype: str = Field(description="decimal, int, bool, text or date")
    required: bool
    default_value: str | None
    validation: dict[str, Any]
    description: str | None
    created_at: datetime


class InputDefinitionPage(BaseModel):
    items: list[InputDefinitionOut]
    next_cursor: str | None


class PlanOut(_Out):
    id: uuid.UUID
    family_id: uuid.UUID = Field(description="the id shared by every version of this plan")
    name: str
    version: int
    status: str = Field(description="draft, approved, locked or archived")
    effective_from: date | None
    effective_to: date | None
    notes: str | None
    based_on_id: uuid.UUID | None = Field(description="the version this one was copied from")
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    locked_by: uuid.UUID | None
    locked_at: datetime | None


class PlanSummaryOut(PlanOut):
    steps: int


class PlanPage(BaseModel):
    items: list[PlanSummaryOut]
    next_cursor: str | None


class PlanInputOut(_Out):
    id: uuid.UUID
    input_id: uuid.UUID
    key: str
    label: str
    dtype: str
    position: int
    required: bool
    default_value: str | None = Field(description="the plan's own default (null: the catalog's)")
    effective_default: str | None = Field(description="what an empty value becomes")
    transform: str
    source_column: str | None


class StepOut(_Out):
    id: uuid.UUID
    step_order: int
    name: str
    expr: str
    condition_expr: str | None
    outputs: list[str]
    notes: str | None


class PoolOut(_Out):
    id: uuid.UUID
    currency: str
    amount: Money
    allocation_rules: list[dict[str, Any]]


class IssueOut(_Out):
    message: str = Field(description="the formula engine's message")
    step: str | None
    field: str | None = Field(description="expr, condition, outputs, name, or inputs.<key>")
    line: int | None
    column: int | None
    hint: str = Field(description="how to fix it, when the engine says")
    guard: str = Field(description="the lock guard it fails")
    text: str = Field(description="the whole located message")


class GuardOut(_Out):
    key: str
    label: str
    ok: bool
    problems: int


class EdgeOut(_Out):
    source: str
    target: str


class ValidationOut(_Out):
    ok: bool
    issues: list[IssueOut]
    guards: list[GuardOut]
    order: list[str] = Field(description="evaluation order (empty unless ok)")
    edges: list[EdgeOut] = Field(description="the step DAG: `target` reads `source`")


class ActionOut(_Out):
    action: str
    label: str
    reason_required: bool


class VersionOut(_Out):
    id: uuid.UUID
    version: int
    status: str
    created_at: datetime


class PlanDetailOut(PlanOut):
    inputs: list[PlanInputOut]
    steps: list[StepOut]
    pool: PoolOut | None
    validation: ValidationOut
    actions: list[ActionOut]
    editable: bool
    can_lock: bool
    payout_step: str | None
    versions: list[VersionOut]

    @classmethod
    def of(cls, view: Any) -> PlanDetailOut:
        plan = PlanOut.model_validate(view.plan).model_dump()
        rest = {k: getattr(view, k) for k in cls.model_fields if k not in plan}
        return cls.model_validate({**plan, **rest})


class FunctionOut(_Out):
    name: str
    signature: str
    doc: str


class CompletionOut(_Out):
    label: str
    kind: str = Field(description="input, step, function or keyword")
    detail: str
    doc: str


class CompletionsOut(_Out):
    items: list[CompletionOut]


# --- the diff ------------------------------------------------------------------------------------


class SegmentOut(_Out):
    op: str = Field(description="equal, delete or insert")
    text: str


class FieldChangeOut(_Out):
    field: str
    base: Any
    new: Any


class StepSpecOut(_Out):
    order: int
    name: str
    expr: str
    condition: str | None
    outputs: list[str]
    notes: str | None


class StepDiffOut(_Out):
    name: str
    change: str = Field(description="added, removed or changed")
    base: StepSpecOut | None
    new: StepSpecOut | None
    fields: list[FieldChangeOut]
    expr_diff: list[SegmentOut]
    condition_diff: list[SegmentOut]


class InputDiffOut(_Out):
    key: str
    change: str
    fields: list[FieldChangeOut]


class DiffOut(BaseModel):
    base: PlanOut
    new: PlanOut
    added: int
    removed: int
    changed: int
    header: list[FieldChangeOut]
    inputs: list[InputDiffOut]
    steps: list[StepDiffOut]

    @classmethod
    def of(cls, view: Any) -> DiffOut:
        return cls(
            base=PlanOut.model_validate(view.base),
            new=PlanOut.model_validate(view.new),
            added=view.added,
            removed=view.removed,
            changed=view.changed,
            header=[FieldChangeOut.model_validate(c) for c in view.diff.header],
            inputs=[InputDiffOut.model_validate(c) for c in view.diff.inputs],
            steps=[StepDiffOut.model_validate(c) for c in view.diff.steps],
        )


# --- runs ------------------------------------------------------------------------------------------


class TapeStepOut(BaseModel):
    name: str
    order: int
    expr: str
    condition: str | None
    status: str = Field(description="ok, skipped, failed or not_run")
    condition_value: str | None
    refs: dict[str, str] = Field(description="every name the step read, with its value")
    branches: list[dict[str, Any]] = Field(description="each if reached: line, column, branch")
    result: str | None
    error: str | None


class TapeOut(BaseModel):
    employee_ref: str
    inputs: dict[str, str]
    steps: list[TapeStepOut]
    error: str | None


class VectorRowOut(_Out):
    employee_ref: str
    inputs: dict[str, str]
    values: dict[str, str | None] = Field(description="step → value with 10 decimals (null where the row failed)")
    error: str | None
    tape: TapeOut


class VectorsOut(_Out):
    steps: list[str] = Field(description="display order")
    order: list[str] = Field(description="evaluation order")
    rows: list[VectorRowOut]


class StepMoveOut(_Out):
    name: str
    base: str | None
    new: str | None
    change: str = Field(description="value, rule, added or removed")


class MoverOut(_Out):
    employee_ref: str
    base: str | None
    new: str | None
    delta: str | None
    why: str
    steps: list[StepMoveOut]
    base_tape: TapeOut
    new_tape: TapeOut


class ImpactOut(_Out):
    rows: int
    base_payout_step: str
    new_payout_step: str
    changed: int
    increased: int
    decreased: int
    base_total: Money
    new_total: Money
    total_delta: Money
    base_errors: int
    new_errors: int
    base_pool: Money | None
    new_pool: Money | None
    pool_delta: Money | None
    base_pool_share: Money | None = Field(description="total payout / pool amount")
    new_pool_share: Money | None
    movers: list[MoverOut]
    notes: list[str]
