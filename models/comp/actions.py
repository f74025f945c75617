"""Writes of compensation for the REST API, the pages and the seed. Each checks the permission first
(`comp.plans.write`), owns its transaction (everything or nothing), writes through the audited
repositories and, for a plan's status, the decision path.

The stable surface (the plan builder calls these; keep the names and shapes):

- `create_input_definition(ctx, InputDefinitionCreate) -> InputDefinitionView` (409 if the key is taken)
- `create_plan(ctx, PlanCreate) -> PlanDetail`: version 1 by default, status draft
- `update_plan(ctx, plan_id, PlanUpdate) -> PlanDetail`: the header of a draft (only the keys sent)
- `add_step(ctx, plan_id, StepCreate) -> StepView` (422 naming step, field, line, column)
- `update_step(ctx, plan_id, step_id, StepUpdate) -> StepView`
- `delete_step(ctx, plan_id, step_id) -> None` (422 while other steps read it)
- `reorder_steps(ctx, plan_id, step_ids) -> list[StepView]`: every step in its new order (10, 20, …)
- `add_plan_input(ctx, plan_id, PlanInputCreate) -> PlanInputView`
- `update_plan_input(ctx, plan_id, key, PlanInputUpdate) -> PlanInputView`
- `remove_plan_input(ctx, plan_id, key) -> None` (422 while a step reads it)
- `set_pool(ctx, plan_id, PoolSet) -> PoolView`, `remove_pool(ctx, plan_id) -> None`
- `new_version(ctx, plan_id, NewVersion) -> PlanDetail`: a draft copy of a locked version
- `lock_plan(ctx, plan_id, expected_status=None) -> PlanDetail` (422 unless it validates; 409 twice)
- `decide_plan(ctx, plan_id, action, reason, expected_status=None) -> DecisionOutcome`:
  approve / lock / reopen / archive

A change of a plan that is not a draft is refused with 409 and the attempt is written to the audit
chain (`bonus_plan.change_refused`, with the attempt and the status); a role without
`comp.plans.write` is refused with 403 before anything is read or written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlmodel import Session

from engine.comp.machines import PLAN_MACHINE
from engine.comp.permissions import PLANS_WRITE, READ
from engine.context import TenantContext
from engine.errors import InvalidTransition
from models.comp import catalog, plan_parts, plans
from models.comp.inputs import (
    InputDefinitionCreate,
    NewVersion,
    PlanCreate,
    PlanInputCreate,
    PlanInputUpdate,
    PlanUpdate,
    PoolSet,
    StepCreate,
    StepUpdate,
)
from models.comp.views import InputDefinitionView, PlanDetail, PlanInputView, PoolView, StepView, detail
from models.core.db import tenant_session
from models.core.decision_actions import DecisionOutcome, DecisionTarget, take_decision

T = TypeVar("T")

PLANS = DecisionTarget("bonus_plan", PLAN_MACHINE, READ, load=plans.load_plan, apply=plans.apply_decision)


@contextmanager
def _plan_write(ctx: TenantContext, plan_id: uuid.UUID, attempt: str) -> Iterator[Session]:
    """One transaction editing plan `plan_id` (`attempt` names the edit); a refusal because the plan
    is not a draft is rolled back, then recorded in the audit chain, then raised (409)."""
    ctx.require(PLANS_WRITE)
    try:
        with tenant_session(ctx) as session:
            yield session
    except plans.PlanImmutable as exc:
        plans.record_refusal(ctx, exc.plan_id, exc.attempt, exc.plan_status, exc.message)
        raise


def _in_plan(ctx: TenantContext, plan_id: uuid.UUID, attempt: str, work: Callable[[Session], T]) -> T:
    with _plan_write(ctx, plan_id, attempt) as session:
        return work(session)


# --- the input catalog ----------------------------------------------------------------------------------


def create_input_definition(ctx: TenantContext, data: InputDefinitionCreate) -> InputDefinitionView:
    ctx.require(PLANS_WRITE)
    with tenant_session(ctx) as session:
        return InputDefinitionView.of(catalog.create_input(session, ctx, data))


# --- plans -------------------------------------------------------------------------------------------------


def create_plan(ctx: TenantContext, data: PlanCreate) -> PlanDetail:
    ctx.require(PLANS_WRITE)
    with tenant_session(ctx) as session:
        return detail(session, ctx, plans.create_plan(session, ctx, data))


def update_plan(ctx: TenantContext, plan_id: uuid.UUID, data: PlanUpdate) -> PlanDetail:
    return _in_plan(ctx, plan_id, "update", lambda s: detail(s, ctx, plans.update_plan(s, ctx, plan_id, data)))


def new_version(ctx: TenantContext, plan_id: uuid.UUID, data: NewVersion) -> PlanDetail:
    ctx.require(PLANS_WRITE)
    with tenant_session(ctx) as session:
        return detail(session, ctx, plans.new_version(session, ctx, plan_id, data))


def decide_plan(
    ctx: TenantContext, plan_id: uuid.UUID, action: str, reason: str | None, expected_status: str | None = None
) -> DecisionOutcome:
    """Approve, lock, reopen or archive: the decision path; lock and approve only a plan that
    validates (422 listing every problem); an action the status does not allow is 409 and audited."""
    ctx.require(PLANS_WRITE)
    try:
        return take_decision(ctx, PLANS, plan_id, action, reason, expected_status)
    except InvalidTransition as exc:
        with tenant_session(ctx) as session:
            status = plans.get_plan(session, ctx, plan_id).status
        plans.record_refusal(ctx, plan_id, action, status, exc.message)
        raise


def lock_plan(ctx: TenantContext, plan_id: uuid.UUID, expected_status: str | None = None) -> PlanDetail:
    """`POST /bonus-plans/{id}/lock`: the `lock` decision, answered with the locked plan."""
    decide_plan(ctx, plan_id, "lock", None, expected_status)
    with tenant_session(ctx) as session:
        return detail(session, ctx, plans.get_plan(session, ctx, plan_id))


# --- steps -------------------------------------------------------------------------------------------------


def add_step(ctx: TenantContext, plan_id: uuid.UUID, data: StepCreate) -> StepView:
    return _in_plan(ctx, plan_id, "add_step", lambda s: StepView.of(plan_parts.add_step(s, ctx, plan_id, data)))


def update_step(ctx: TenantContext, plan_id: uuid.UUID, step_id: uuid.UUID, data: StepUpdate) -> StepView:
    return _in_plan(
        ctx, plan_id, "update_step", lambda s: StepView.of(plan_parts.update_step(s, ctx, plan_id, step_id, data))
    )


def delete_step(ctx: TenantContext, plan_id: uuid.UUID, step_id: uuid.UUID) -> None:
    _in_plan(ctx, plan_id, "delete_step", lambda s: plan_parts.delete_step(s, ctx, plan_id, step_id))


def reorder_steps(ctx: TenantContext, plan_id: uuid.UUID, step_ids: list[uuid.UUID]) -> list[StepView]:
    return _in_plan(
        ctx,
        plan_id,
        "reorder_steps",
        lambda s: [StepView.of(r) for r in plan_parts.reorder_steps(s, ctx, plan_id, step_ids)],
    )


# --- inputs and pool ---------------------------------------------------------------------------------------


def _input_view(session: Session, ctx: TenantContext, plan_id: uuid.UUID, key: str) -> PlanInputView:
    for row, definition in plans.inputs_of(session, ctx, plan_id):
        if definition.key == key:
            return PlanInputView.of(row, definition)
    raise AssertionError("the input was just written")


def add_plan_input(ctx: TenantContext, plan_id: uuid.UUID, data: PlanInputCreate) -> PlanInputView:
    def work(session: Session) -> PlanInputView:
        plan_parts.add_input(session, ctx, plan_id, data)
        return _input_view(session, ctx, plan_id, data.key)

    return _in_plan(ctx, plan_id, "add_input", work)


def update_plan_input(ctx: TenantContext, plan_id: uuid.UUID, key: str, data: PlanInputUpdate) -> PlanInputView:
    def work(session: Session) -> PlanInputView:
        plan_parts.update_input(session, ctx, plan_id, key, data)
        return _input_view(session, ctx, plan_id, key)

    return _in_plan(ctx, plan_id, "update_input", work)


def remove_plan_input(ctx: TenantContext, plan_id: uuid.UUID, key: str) -> None:
    _in_plan(ctx, plan_id, "remove_input", lambda s: plan_parts.remove_input(s, ctx, plan_id, key))


def set_pool(ctx: TenantContext, plan_id: uuid.UUID, data: PoolSet) -> PoolView:
    return _in_plan(ctx, plan_id, "set_pool", lambda s: PoolView.of(plan_parts.set_pool(s, ctx, plan_id, data)))


def remove_pool(ctx: TenantContext, plan_id: uuid.UUID) -> None:
    _in_plan(ctx, plan_id, "remove_pool", lambda s: plan_parts.remove_pool(s, ctx, plan_id))
