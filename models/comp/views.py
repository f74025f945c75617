"""Read models of compensation (frozen dataclasses) for the REST API and the pages, built from rows.

Money stays Decimal here (the API writes it as a decimal string); dates are `date`, instants
timezone-aware `datetime`. `PlanDetail` is what the plan builder shows in one read: the header, its
inputs, steps and pool, the validation result with its lock guards, the decision buttons of this
user, whether it can be edited, and the family's versions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from engine.comp.machines import EDITABLE, PLAN_MACHINE
from engine.comp.permissions import PLANS_WRITE
from engine.comp.validation import GuardView, PlanIssue, Validation
from engine.context import TenantContext
from models.comp import plans
from models.comp.tables import BonusPlan, BonusPool, InputDefinition, PlanInput, PlanStep
from models.core.decision_actions import ActionView


@dataclass(frozen=True)
class InputDefinitionView:
    id: uuid.UUID
    key: str
    label: str
    dtype: str
    required: bool
    default_value: str | None
    validation: dict[str, Any]
    description: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: InputDefinition) -> InputDefinitionView:
        return cls(
            row.id,
            row.key,
            row.label,
            row.dtype,
            row.required,
            row.default_value,
            dict(row.validation or {}),
            row.description,
            row.created_at,
        )


@dataclass(frozen=True)
class PlanView:
    id: uuid.UUID
    family_id: uuid.UUID
    name: str
    version: int
    status: str
    effective_from: date | None
    effective_to: date | None
    notes: str | None
    based_on_id: uuid.UUID | None
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    locked_by: uuid.UUID | None
    locked_at: datetime | None

    @classmethod
    def of(cls, row: BonusPlan) -> PlanView:
        return cls(
            row.id,
            row.family_id,
            row.name,
            row.version,
            row.status,
            row.effective_from,
            row.effective_to,
            row.notes,
            row.based_on_id,
            row.created_by,
            row.created_at,
            row.updated_at,
            row.locked_by,
            row.locked_at,
        )


@dataclass(frozen=True)
class PlanSummary:
    """A row of the plan list."""

    plan: PlanView
    steps: int


@dataclass(frozen=True)
class PlanInputView:
    id: uuid.UUID
    input_id: uuid.UUID
    key: str
    label: str
    dtype: str
    position: int
    required: bool
    default_value: str | None  # the plan's own default (None: the catalog's, if any)
    effective_default: str | None  # what an empty value becomes
    transform: str
    source_column: str | None

    @classmethod
    def of(cls, row: PlanInput, definition: InputDefinition) -> PlanInputView:
        spec = plans.input_spec(row, definition)
        return cls(
            row.id,
            definition.id,
            definition.key,
            definition.label,
            definition.dtype,
            row.position,
            row.required,
            row.default_value,
            spec.default,
            row.transform,
            row.source_column,
        )


@dataclass(frozen=True)
class StepView:
    id: uuid.UUID
    step_order: int
    name: str
    expr: str
    condition_expr: str | None
    outputs: list[str]
    notes: str | None

    @classmethod
    def of(cls, row: PlanStep) -> StepView:
        return cls(row.id, row.step_order, row.name, row.expr, row.condition_expr, list(row.outputs or []), row.notes)


@dataclass(frozen=True)
class PoolView:
    id: uuid.UUID
    currency: str
    amount: Decimal
    allocation_rules: list[dict[str, Any]]

    @classmethod
    def of(cls, row: BonusPool) -> PoolView:
        return cls(row.id, row.currency, row.amount, list(row.allocation_rules or []))


@dataclass(frozen=True)
class EdgeView:
    source: str  # an input key or a step name
    target: str  # the step that reads it


@dataclass(frozen=True)
class ValidationView:
    ok: bool
    issues: list[PlanIssue]  # each: message, step, field, line, column, hint, guard, text
    guards: list[GuardView]  # the lock guards, each ok or not with its problem count
    order: list[str]  # evaluation order (empty unless ok)
    edges: list[EdgeView]  # the step DAG

    @classmethod
    def of(cls, result: Validation) -> ValidationView:
        return cls(
            result.ok,
            list(result.issues),
            list(result.guards),
            list(result.order),
            [EdgeView(a, b) for a, b in result.edges],
        )


@dataclass(frozen=True)
class VersionRef:
    id: uuid.UUID
    version: int
    status: str
    created_at: datetime


@dataclass(frozen=True)
class PlanDetail:
    plan: PlanView
    inputs: list[PlanInputView]
    steps: list[StepView]
    pool: PoolView | None
    validation: ValidationView
    actions: list[ActionView]  # the decision buttons this user has now (approve, lock, …)
    editable: bool  # a draft, and this user may edit it
    can_lock: bool  # lock is offered and the plan validates (the lock guards all pass)
    payout_step: str | None  # the step whose value is the payout (the last one)
    versions: list[VersionRef]  # the family's versions, oldest first


def detail(session: Session, ctx: TenantContext, plan: BonusPlan) -> PlanDetail:
    spec = plans.spec_of(session, ctx, plan)
    validation = ValidationView.of(plans.validate_plan(spec))
    pool = plans.pool_of(session, ctx, plan.id)
    actions = [ActionView(t.action, t.display, t.reason_required) for t in PLAN_MACHINE.actions_for(plan, ctx)]
    return PlanDetail(
        plan=PlanView.of(plan),
        inputs=[PlanInputView.of(p, d) for p, d in plans.inputs_of(session, ctx, plan.id)],
        steps=[StepView.of(s) for s in plans.steps_of(session, ctx, plan.id)],
        pool=PoolView.of(pool) if pool else None,
        validation=validation,
        actions=actions,
        editable=plan.status in EDITABLE and ctx.can(PLANS_WRITE),
        can_lock=validation.ok and any(a.action == "lock" for a in actions),
        payout_step=spec.payout_step,
        versions=[VersionRef(p.id, p.version, p.status, p.created_at) for p in plans.family(session, ctx, plan)],
    )
