"""Compensation plans over REST (compensation-platform-prd.md §6, §15.1-15.3), under `/api/v1`.

- `GET/POST /tenants/{tid}/input-catalog`, `GET/POST /tenants/{tid}/bonus-plans` (201, status draft):
  `{tid}` must be the caller's tenant (404 otherwise).
- `GET/PATCH /bonus-plans/{planId}` (PATCH only while draft: 409, and the attempt is audited),
  `POST /bonus-plans/{planId}/lock` (200; 422 listing every problem unless the plan validates; 409
  when it is not a draft or approved), `POST /bonus-plans/{planId}/update` (a decision: approve,
  lock, reopen, archive).
- Steps: `GET/POST /bonus-plans/{planId}/steps` (§15.2 body), `PATCH/DELETE .../steps/{stepId}`,
  `PUT .../step-order`, `POST .../lint` (a step as typed, checked, nothing saved).
- Inputs and pool: `GET/POST .../inputs`, `PATCH/DELETE .../inputs/{key}`, `GET/PUT/DELETE .../pool`.
- Versions: `POST/GET .../versions`, `GET .../diff?against=`.
- Running: `POST .../validate`, `GET .../completions`, `POST .../test-vectors`, `POST .../impact-preview`.

Reads need comp.read, writes comp.plans.write (403, nothing changed). Another tenant's ids answer
404. Routes only call models.comp's queries and actions and shape what they return.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from app.api.comp.schemas import (
    CompletionsOut,
    DiffOut,
    FunctionOut,
    ImpactOut,
    InputDefinitionOut,
    InputDefinitionPage,
    PlanDetailOut,
    PlanInputOut,
    PlanPage,
    PlanSummaryOut,
    PoolOut,
    StepOut,
    ValidationOut,
    VectorsOut,
    VersionOut,
)
from app.api.core.decisions import DecisionBody, DecisionOut
from app.api.deps import Cursor, Limit, SearchText, require
from engine.comp.machines import PLAN_MACHINE
from engine.comp.permissions import PLANS_WRITE, READ
from engine.context import TenantContext
from engine.errors import NotFound
from models.comp import actions, queries
from models.comp.inputs import (
    ImpactBody,
    InputDefinitionCreate,
    NewVersion,
    PlanCreate,
    PlanInputCreate,
    PlanInputUpdate,
    PlanUpdate,
    PoolSet,
    StepCheck,
    StepCreate,
    StepOrder,
    StepUpdate,
    VectorsBody,
)

router = APIRouter(prefix="/api/v1", tags=["comp"])
READER = Depends(require(READ))
WRITER = Depends(require(PLANS_WRITE))
InputKey = Annotated[str, Path(min_length=1, max_length=63, pattern=r"^[a-z_][a-z0-9_]*$")]
if TYPE_CHECKING:  # the checker sees text; the filter takes the machine's statuses, never retyped
    PlanStatus = str
else:
    PlanStatus = Literal[PLAN_MACHINE.statuses]


def _own_tenant(tid: uuid.UUID, ctx: TenantContext) -> None:
    """`{tid}` names the caller's tenant, or the path does not exist for them."""
    if tid != ctx.tenant_id:
        raise NotFound("tenant not found")


# --- the input catalog ------------------------------------------------------------------------------------


@router.get("/tenants/{tid}/input-catalog", response_model=InputDefinitionPage)
def list_input_catalog(
    tid: uuid.UUID, ctx: TenantContext = READER, q: SearchText = None, limit: Limit = 50, cursor: Cursor = None
) -> InputDefinitionPage:
    _own_tenant(tid, ctx)
    page = queries.input_catalog_page(ctx, q=q, limit=limit, cursor=cursor)
    return InputDefinitionPage(
        items=[InputDefinitionOut.model_validate(i) for i in page.items], next_cursor=page.next_cursor
    )


@router.post("/tenants/{tid}/input-catalog", response_model=InputDefinitionOut, status_code=201)
def create_input_definition(
    tid: uuid.UUID, body: InputDefinitionCreate, ctx: TenantContext = WRITER
) -> InputDefinitionOut:
    _own_tenant(tid, ctx)
    return InputDefinitionOut.model_validate(actions.create_input_definition(ctx, body))


# --- plans --------------------------------------------------------------------------------------------------


@router.get("/tenants/{tid}/bonus-plans", response_model=PlanPage)
def list_bonus_plans(
    tid: uuid.UUID,
    ctx: TenantContext = READER,
    q: SearchText = None,
    status: PlanStatus | None = None,
    family_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> PlanPage:
    _own_tenant(tid, ctx)
    page = queries.plan_page(ctx, q=q, status=status, family_id=family_id, limit=limit, cursor=cursor)
    items = [PlanSummaryOut.model_validate({**asdict(s.plan), "steps": s.steps}) for s in page.items]
    return PlanPage(items=items, next_cursor=page.next_cursor)


@router.post("/tenants/{tid}/bonus-plans", response_model=PlanDetailOut, status_code=201)
def create_bonus_plan(tid: uuid.UUID, body: PlanCreate, ctx: TenantContext = WRITER) -> PlanDetailOut:
    _own_tenant(tid, ctx)
    if body.tenant_id is not None and body.tenant_id != ctx.tenant_id:
        raise NotFound("tenant not found")
    return PlanDetailOut.of(actions.create_plan(ctx, body))


@router.get("/bonus-plans/{plan_id}", response_model=PlanDetailOut)
def get_bonus_plan(plan_id: uuid.UUID, ctx: TenantContext = READER) -> PlanDetailOut:
    return PlanDetailOut.of(queries.plan_detail(ctx, plan_id))


@router.patch("/bonus-plans/{plan_id}", response_model=PlanDetailOut)
def update_bonus_plan(plan_id: uuid.UUID, body: PlanUpdate, ctx: TenantContext = WRITER) -> PlanDetailOut:
    return PlanDetailOut.of(actions.update_plan(ctx, plan_id, body))


@router.post("/bonus-plans/{plan_id}/lock", response_model=PlanDetailOut)
def lock_bonus_plan(plan_id: uuid.UUID, ctx: TenantContext = WRITER) -> PlanDetailOut:
    return PlanDetailOut.of(actions.lock_plan(ctx, plan_id))


@router.post("/bonus-plans/{plan_id}/update", response_model=DecisionOut)
def decide_bonus_plan(plan_id: uuid.UUID, body: DecisionBody, ctx: TenantContext = WRITER) -> DecisionOut:
    outcome = actions.decide_plan(ctx, plan_id, body.action, body.reason, body.expected_status)
    return DecisionOut.model_validate(asdict(outcome))


@router.post("/bonus-plans/{plan_id}/versions", response_model=PlanDetailOut, status_code=201)
def new_bonus_plan_version(
    plan_id: uuid.UUID, ctx: TenantContext = WRITER, body: NewVersion | None = None
) -> PlanDetailOut:
    return PlanDetailOut.of(actions.new_version(ctx, plan_id, body or NewVersion()))


@router.get("/bonus-plans/{plan_id}/versions", response_model=list[VersionOut])
def list_bonus_plan_versions(plan_id: uuid.UUID, ctx: TenantContext = READER) -> list[VersionOut]:
    return [VersionOut.model_validate(v) for v in queries.plan_versions(ctx, plan_id)]


@router.get("/bonus-plans/{plan_id}/diff", response_model=DiffOut)
def diff_bonus_plan(
    plan_id: uuid.UUID,
    against: Annotated[uuid.UUID, Query(description="the version to compare with (the base)")],
    ctx: TenantContext = READER,
) -> DiffOut:
    return DiffOut.of(queries.plan_diff(ctx, plan_id, against))


# --- steps --------------------------------------------------------------------------------------------------


@router.get("/bonus-plans/{plan_id}/steps", response_model=list[StepOut])
def list_plan_steps(plan_id: uuid.UUID, ctx: TenantContext = READER) -> list[StepOut]:
    return [StepOut.model_validate(s) for s in queries.plan_steps(ctx, plan_id)]


@router.post("/bonus-plans/{plan_id}/steps", response_model=StepOut, status_code=201)
def create_plan_step(plan_id: uuid.UUID, body: StepCreate, ctx: TenantContext = WRITER) -> StepOut:
    return StepOut.model_validate(actions.add_step(ctx, plan_id, body))


@router.put("/bonus-plans/{plan_id}/step-order", response_model=list[StepOut])
def reorder_plan_steps(plan_id: uuid.UUID, body: StepOrder, ctx: TenantContext = WRITER) -> list[StepOut]:
    return [StepOut.model_validate(s) for s in actions.reorder_steps(ctx, plan_id, body.step_ids)]


@router.post("/bonus-plans/{plan_id}/lint", response_model=ValidationOut)
def check_plan_step(plan_id: uuid.UUID, body: StepCheck, ctx: TenantContext = READER) -> ValidationOut:
    return ValidationOut.model_validate(queries.check_step(ctx, plan_id, body))


@router.patch("/bonus-plans/{plan_id}/steps/{step_id}", response_model=StepOut)
def update_plan_step(plan_id: uuid.UUID, step_id: uuid.UUID, body: StepUpdate, ctx: TenantContext = WRITER) -> StepOut:
    return StepOut.model_validate(actions.update_step(ctx, plan_id, step_id, body))


@router.delete("/bonus-plans/{plan_id}/steps/{step_id}", status_code=204, response_class=Response)
def delete_plan_step(plan_id: uuid.UUID, step_id: uuid.UUID, ctx: TenantContext = WRITER) -> Response:
    actions.delete_step(ctx, plan_id, step_id)
    return Response(status_code=204)


# --- inputs and pool ----------------------------------------------------------------------------------------


@router.get("/bonus-plans/{plan_id}/inputs", response_model=list[PlanInputOut])
def list_plan_inputs(plan_id: uuid.UUID, ctx: TenantContext = READER) -> list[PlanInputOut]:
    return [PlanInputOut.model_validate(i) for i in queries.plan_inputs(ctx, plan_id)]


@router.post("/bonus-plans/{plan_id}/inputs", response_model=PlanInputOut, status_code=201)
def create_plan_input(plan_id: uuid.UUID, body: PlanInputCreate, ctx: TenantContext = WRITER) -> PlanInputOut:
    return PlanInputOut.model_validate(actions.add_plan_input(ctx, plan_id, body))


@router.patch("/bonus-plans/{plan_id}/inputs/{key}", response_model=PlanInputOut)
def update_plan_input(
    plan_id: uuid.UUID, key: InputKey, body: PlanInputUpdate, ctx: TenantContext = WRITER
) -> PlanInputOut:
    return PlanInputOut.model_validate(actions.update_plan_input(ctx, plan_id, key, body))


@router.delete("/bonus-plans/{plan_id}/inputs/{key}", status_code=204, response_class=Response)
def delete_plan_input(plan_id: uuid.UUID, key: InputKey, ctx: TenantContext = WRITER) -> Response:
    actions.remove_plan_input(ctx, plan_id, key)
    return Response(status_code=204)


@router.get("/bonus-plans/{plan_id}/pool", response_model=PoolOut)
def get_plan_pool(plan_id: uuid.UUID, ctx: TenantContext = READER) -> PoolOut:
    pool = queries.plan_pool(ctx, plan_id)
    if pool is None:
        raise NotFound("the plan has no pool")
    return PoolOut.model_validate(pool)


@router.put("/bonus-plans/{plan_id}/pool", response_model=PoolOut)
def set_plan_pool(plan_id: uuid.UUID, body: PoolSet, ctx: TenantContext = WRITER) -> PoolOut:
    return PoolOut.model_validate(actions.set_pool(ctx, plan_id, body))


@router.delete("/bonus-plans/{plan_id}/pool", status_code=204, response_class=Response)
def delete_plan_pool(plan_id: uuid.UUID, ctx: TenantContext = WRITER) -> Response:
    actions.remove_pool(ctx, plan_id)
    return Response(status_code=204)


# --- validation, autocomplete and runs -----------------------------------------------------------------------


@router.post("/bonus-plans/{plan_id}/validate", response_model=ValidationOut)
def validate_bonus_plan(plan_id: uuid.UUID, ctx: TenantContext = READER) -> ValidationOut:
    return ValidationOut.model_validate(queries.validate(ctx, plan_id))


@router.get("/bonus-plans/{plan_id}/completions", response_model=CompletionsOut)
def plan_completions(plan_id: uuid.UUID, ctx: TenantContext = READER) -> CompletionsOut:
    return CompletionsOut.model_validate(queries.completions(ctx, plan_id))


@router.get("/formula-functions", response_model=list[FunctionOut])
def list_formula_functions(ctx: TenantContext = READER) -> list[FunctionOut]:
    return [FunctionOut.model_validate(f) for f in queries.function_catalog(ctx)]


@router.post("/bonus-plans/{plan_id}/test-vectors", response_model=VectorsOut)
def run_plan_test_vectors(plan_id: uuid.UUID, body: VectorsBody, ctx: TenantContext = READER) -> VectorsOut:
    return VectorsOut.model_validate(queries.run_test_vectors(ctx, plan_id, body.rows))


@router.post("/bonus-plans/{plan_id}/impact-preview", response_model=ImpactOut)
def preview_plan_impact(plan_id: uuid.UUID, body: ImpactBody, ctx: TenantContext = READER) -> ImpactOut:
    return ImpactOut.model_validate(queries.impact_preview(ctx, plan_id, body))
