"""A draft plan's parts: its inputs, steps and pool. Every edit goes through `plans.editable` (the
plan row locked, drafts only) and is refused (422) only for the problems it introduces
(`plans.check_save`), as plans.py explains; the action layer (models/comp/actions.py) owns the
transaction and records refusals.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, select

from engine.comp.spec import InputSpec, PlanSpec, StepSpec, check_default, check_transform
from engine.comp.validation import validate_plan
from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.formula import limits
from models.comp import catalog
from models.comp.inputs import PlanInputCreate, PlanInputUpdate, PoolSet, StepCreate, StepUpdate
from models.comp.plans import (
    STEP_GAP,
    check_save,
    editable,
    input_spec,
    inputs_of,
    pool_of,
    spec_of,
    step_spec,
    steps_of,
    touch,
    validation_of,
)
from models.comp.tables import BonusPool, InputDefinition, PlanInput, PlanStep
from models.core import mutations
from models.core.base import quantize_money

# --- inputs ----------------------------------------------------------------------------------------


def _get_plan_input(
    session: Session, ctx: TenantContext, plan_id: uuid.UUID, key: str
) -> tuple[PlanInput, InputDefinition]:
    for plan_input, definition in inputs_of(session, ctx, plan_id):
        if definition.key == key:
            return plan_input, definition
    raise NotFound(f"the plan has no input '{key}'")


def _input_problems(dtype: str, default: str | None, transform: str) -> dict[str, str]:
    problems = {}
    if reason := check_default(dtype, default):
        problems["default_value"] = reason
    if reason := check_transform(dtype, transform):
        problems["transform"] = reason
    return problems


def add_input(session: Session, ctx: TenantContext, plan_id: uuid.UUID, data: PlanInputCreate) -> PlanInput:
    plan = editable(session, ctx, plan_id, "add_input")
    definition = catalog.require_key(session, ctx, data.key)
    problems = _input_problems(definition.dtype, data.default_value, data.transform)
    if problems:
        raise ValidationFailed(f"invalid input: {', '.join(problems)}", fields=problems)
    current = inputs_of(session, ctx, plan.id)
    if any(d.id == definition.id for _, d in current):
        raise Conflict(f"the plan already reads '{data.key}'", fields={"key": "taken"})
    before = validation_of(session, ctx, plan)
    row = PlanInput(
        tenant_id=ctx.tenant_id,
        plan_id=plan.id,
        input_id=definition.id,
        position=max((p.position for p, _ in current), default=0) + 1,
        required=definition.required if data.required is None else data.required,
        default_value=data.default_value,
        transform=data.transform,
        source_column=data.source_column,
    )
    spec = spec_of(session, ctx, plan)
    check_save(
        before, _with_inputs(spec, (*spec.inputs, input_spec(row, definition))), f"input '{data.key}' cannot be added"
    )
    touch(session, ctx, plan)
    return mutations.create(session, ctx, row, action="plan_input.create")


def update_input(
    session: Session, ctx: TenantContext, plan_id: uuid.UUID, key: str, data: PlanInputUpdate
) -> PlanInput:
    plan = editable(session, ctx, plan_id, "update_input")
    row, definition = _get_plan_input(session, ctx, plan.id, key)
    sent = data.model_dump(exclude_unset=True)
    for blank in ("default_value", "source_column"):
        if sent.get(blank) == "":
            sent[blank] = None
    if "required" in sent and sent["required"] is None:
        del sent["required"]
    if "transform" in sent and sent["transform"] is None:
        del sent["transform"]
    default = sent.get("default_value", row.default_value)
    problems = _input_problems(definition.dtype, default, sent.get("transform", row.transform))
    if problems:
        raise ValidationFailed(f"invalid input: {', '.join(problems)}", fields=problems)
    changes = {k: v for k, v in sent.items() if getattr(row, k) != v}
    if not changes:
        return row
    touch(session, ctx, plan)
    return mutations.update(session, ctx, row, changes, action="plan_input.update")


def remove_input(session: Session, ctx: TenantContext, plan_id: uuid.UUID, key: str) -> None:
    plan = editable(session, ctx, plan_id, "remove_input")
    row, _ = _get_plan_input(session, ctx, plan.id, key)
    spec = spec_of(session, ctx, plan)
    before = validate_plan(spec)
    check_save(
        before, _with_inputs(spec, tuple(i for i in spec.inputs if i.key != key)), f"input '{key}' cannot be removed"
    )
    touch(session, ctx, plan)
    mutations.delete(session, ctx, row, action="plan_input.delete")


def _with_inputs(spec: PlanSpec, inputs: tuple[InputSpec, ...]) -> PlanSpec:
    return PlanSpec(spec.name, spec.version, inputs, spec.steps)


def _with_steps(spec: PlanSpec, steps: tuple[StepSpec, ...]) -> PlanSpec:
    return PlanSpec(spec.name, spec.version, spec.inputs, steps)


# --- steps -----------------------------------------------------------------------------------------


def get_step(session: Session, ctx: TenantContext, plan_id: uuid.UUID, step_id: uuid.UUID) -> PlanStep:
    row = session.exec(
        select(PlanStep).where(PlanStep.tenant_id == ctx.tenant_id, PlanStep.plan_id == plan_id, PlanStep.id == step_id)
    ).first()
    if row is None:
        raise NotFound("step not found")
    return row


def _outputs(name: str, outputs: list[str] | None) -> list[str]:
    return list(outputs) if outputs else [name]


def _step_conflicts(steps: list[PlanStep], order: int, name: str, but: uuid.UUID | None) -> None:
    others = [s for s in steps if s.id != but]
    if any(s.step_order == order for s in others):
        taken = next(s.name for s in others if s.step_order == order)
        raise Conflict(f"step order {order} is taken by '{taken}'", fields={"step_order": "taken"})
    if any(s.name == name for s in others):
        raise Conflict(f"the plan already has a step '{name}'", fields={"name": "taken"})


def add_step(session: Session, ctx: TenantContext, plan_id: uuid.UUID, data: StepCreate) -> PlanStep:
    plan = editable(session, ctx, plan_id, "add_step")
    steps = steps_of(session, ctx, plan.id)
    if len(steps) >= limits.MAX_STEPS:
        raise ValidationFailed(f"a plan may have at most {limits.MAX_STEPS} steps", fields={"steps": "too many"})
    _step_conflicts(steps, data.step_order, data.name, None)
    row = PlanStep(
        tenant_id=ctx.tenant_id,
        plan_id=plan.id,
        step_order=data.step_order,
        name=data.name,
        expr=data.expr,
        condition_expr=data.condition_expr or None,
        outputs=_outputs(data.name, data.outputs),
        notes=data.notes,
    )
    spec = spec_of(session, ctx, plan)
    check_save(
        validate_plan(spec), _with_steps(spec, (*spec.steps, step_spec(row))), f"step '{data.name}' cannot be saved"
    )
    touch(session, ctx, plan)
    return mutations.create(session, ctx, row, action="plan_step.create")


def update_step(
    session: Session, ctx: TenantContext, plan_id: uuid.UUID, step_id: uuid.UUID, data: StepUpdate
) -> PlanStep:
    plan = editable(session, ctx, plan_id, "update_step")
    row = get_step(session, ctx, plan.id, step_id)
    sent: dict[str, Any] = {
        k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None or k in ("notes",)
    }
    if "condition_expr" in sent:
        sent["condition_expr"] = sent["condition_expr"] or None
    name: str = sent.get("name") or row.name
    if "outputs" in sent:
        sent["outputs"] = _outputs(name, sent["outputs"])
    elif "name" in sent and list(row.outputs or []) == [row.name]:
        sent["outputs"] = [name]  # the default output follows a rename
    changes = {k: v for k, v in sent.items() if getattr(row, k) != v}
    if not changes:
        return row
    steps = steps_of(session, ctx, plan.id)
    order: int = changes.get("step_order", row.step_order)
    _step_conflicts(steps, order, name, row.id)
    spec = spec_of(session, ctx, plan)
    edited = PlanStep(**{**row.model_dump(), **changes})
    candidate = tuple(step_spec(edited) if s.name == row.name else s for s in spec.steps)
    check_save(validate_plan(spec), _with_steps(spec, candidate), f"step '{name}' cannot be saved")
    touch(session, ctx, plan)
    return mutations.update(session, ctx, row, changes, action="plan_step.update")


def delete_step(session: Session, ctx: TenantContext, plan_id: uuid.UUID, step_id: uuid.UUID) -> None:
    plan = editable(session, ctx, plan_id, "delete_step")
    row = get_step(session, ctx, plan.id, step_id)
    spec = spec_of(session, ctx, plan)
    remaining = tuple(s for s in spec.steps if s.name != row.name)
    if remaining:  # the last step may go: an empty draft is simply unfinished
        check_save(validate_plan(spec), _with_steps(spec, remaining), f"step '{row.name}' cannot be deleted")
    touch(session, ctx, plan)
    mutations.delete(session, ctx, row, action="plan_step.delete")


def reorder_steps(
    session: Session, ctx: TenantContext, plan_id: uuid.UUID, step_ids: list[uuid.UUID]
) -> list[PlanStep]:
    """Every step, in the new order: orders become 10, 20, 30, … (each changed step audited)."""
    plan = editable(session, ctx, plan_id, "reorder_steps")
    steps = steps_of(session, ctx, plan.id)
    by_id = {s.id: s for s in steps}
    if len(set(step_ids)) != len(step_ids) or set(step_ids) != set(by_id):
        raise ValidationFailed(
            "step_ids must list every step of the plan exactly once",
            fields={"step_ids": f"expected the {len(by_id)} step ids of this plan, each once"},
        )
    for n, step_id in enumerate(step_ids, 1):
        step = by_id[step_id]
        if step.step_order != n * STEP_GAP:
            mutations.update(session, ctx, step, {"step_order": n * STEP_GAP}, action="plan_step.reorder")
    touch(session, ctx, plan)
    session.flush()
    return steps_of(session, ctx, plan.id)


# --- pool ------------------------------------------------------------------------------------------


def set_pool(session: Session, ctx: TenantContext, plan_id: uuid.UUID, data: PoolSet) -> BonusPool:
    plan = editable(session, ctx, plan_id, "set_pool")
    amount = quantize_money(data.amount_decimal)
    pool = pool_of(session, ctx, plan.id)
    touch(session, ctx, plan)
    if pool is None:
        row = BonusPool(
            tenant_id=ctx.tenant_id,
            plan_id=plan.id,
            currency=data.currency,
            amount=amount,
            allocation_rules=list(data.allocation_rules),
        )
        return mutations.create(session, ctx, row, action="bonus_pool.create")
    changes = {
        k: v
        for k, v in {
            "currency": data.currency,
            "amount": amount,
            "allocation_rules": list(data.allocation_rules),
        }.items()
        if getattr(pool, k) != v
    }
    if not changes:
        return pool
    return mutations.update(session, ctx, pool, changes, action="bonus_pool.update")


def remove_pool(session: Session, ctx: TenantContext, plan_id: uuid.UUID) -> None:
    plan = editable(session, ctx, plan_id, "remove_pool")
    pool = pool_of(session, ctx, plan.id)
    if pool is None:
        raise NotFound("the plan has no pool")
    touch(session, ctx, plan)
    mutations.delete(session, ctx, pool, action="bonus_pool.delete")
