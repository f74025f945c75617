"""The plan builder's writes: a form's text turned into the API's validated input, then the module's
action (each runs in a worker thread through `kit.calls.write`, after the write budget is spent).

A refusal is the action's DomainError: 422 naming the step, field, line and column (or the input, or
the row), 409 for a plan that is no longer a draft (the attempt is audited), 403 for a role without
comp.plans.write.
"""

from __future__ import annotations

import uuid
from typing import Any

from engine.context import TenantContext
from models.catalog.inputs import parse_input
from models.comp import actions
from models.comp.inputs import NewVersion, PlanInputCreate, PlanInputUpdate, PlanUpdate, PoolSet, StepCreate, StepUpdate


def _optional(value: str) -> str | None:
    value = (value or "").strip()
    return value or None


def save_step(
    ctx: TenantContext, plan_id: str, step_id: str, order: int, name: str, expr: str, condition: str, notes: str
) -> str:
    """Add (no `step_id`) or update a step of a draft; the step's id."""
    data: dict[str, Any] = {"name": name.strip(), "expr": expr, "notes": _optional(notes)}
    if step_id:
        data["condition_expr"] = condition if condition.strip() else ""
        view = actions.update_step(ctx, uuid.UUID(plan_id), uuid.UUID(step_id), parse_input(StepUpdate, data))
    else:
        data["condition_expr"] = condition if condition.strip() else None
        data["step_order"] = order
        view = actions.add_step(ctx, uuid.UUID(plan_id), parse_input(StepCreate, data))
    return str(view.id)


def delete_step(ctx: TenantContext, plan_id: str, step_id: str) -> None:
    actions.delete_step(ctx, uuid.UUID(plan_id), uuid.UUID(step_id))


def reorder_steps(ctx: TenantContext, plan_id: str, step_ids: list[str]) -> None:
    actions.reorder_steps(ctx, uuid.UUID(plan_id), [uuid.UUID(s) for s in step_ids])


def save_plan_input(ctx: TenantContext, plan_id: str, editing: bool, form: dict[str, str]) -> str:
    """Add a catalog input to the plan, or change the plan's default / transform / column of one."""
    key = (form.get("key") or "").strip()
    data: dict[str, Any] = {
        "required": form.get("required") == "yes",
        "transform": (form.get("transform") or "none").strip() or "none",
    }
    if editing:
        data["default_value"] = (form.get("default_value") or "").strip()
        data["source_column"] = (form.get("source_column") or "").strip()
        actions.update_plan_input(ctx, uuid.UUID(plan_id), key, parse_input(PlanInputUpdate, data))
    else:
        data["key"] = key
        data["default_value"] = _optional(form.get("default_value") or "")
        data["source_column"] = _optional(form.get("source_column") or "")
        actions.add_plan_input(ctx, uuid.UUID(plan_id), parse_input(PlanInputCreate, data))
    return key


def remove_plan_input(ctx: TenantContext, plan_id: str, key: str) -> None:
    actions.remove_plan_input(ctx, uuid.UUID(plan_id), key)


def set_pool(ctx: TenantContext, plan_id: str, currency: str, amount: str) -> None:
    data = {"currency": currency.strip().upper(), "amount": amount.strip().replace(",", "")}
    actions.set_pool(ctx, uuid.UUID(plan_id), parse_input(PoolSet, data))


def remove_pool(ctx: TenantContext, plan_id: str) -> None:
    actions.remove_pool(ctx, uuid.UUID(plan_id))


def update_header(ctx: TenantContext, plan_id: str, form: dict[str, str]) -> None:
    data: dict[str, Any] = {"name": (form.get("name") or "").strip()}
    for key in ("effective_from", "effective_to", "notes"):
        data[key] = _optional(form.get(key) or "")
    actions.update_plan(ctx, uuid.UUID(plan_id), parse_input(PlanUpdate, data))


def new_version(ctx: TenantContext, plan_id: str) -> str:
    """A draft copy of a locked version; the new version's id."""
    created = actions.new_version(ctx, uuid.UUID(plan_id), NewVersion())
    return str(created.plan.id)


def decide(ctx: TenantContext, plan_id: str, action: str, reason: str | None, expected: str | None) -> None:
    actions.decide_plan(ctx, uuid.UUID(plan_id), action, reason, expected)
