"""Bonus plans and their versions: repositories taking (session, ctx); a draft's inputs, steps and
pool are edited in plan_parts.py under the same rules.

Rules kept here, once for the API, the pages and the seed:
- Only a draft changes. Every edit locks the plan row first (`editable`), so an edit and a lock
  cannot interleave; any other status is `PlanImmutable` (409), and the action records the refused
  attempt in the audit chain (`record_refusal`) after rolling the edit back.
- A save is refused (422) only for the problems it introduces (engine.comp.validation.new_issues):
  the 422 names step, field, line and column, as the formula engine located them.
- Lock and approve are guarded: the plan must validate (checked under the row lock, then decided).
- A new version copies the inputs, steps and pool of a locked (or archived) version; a plan family
  has at most one open version (draft or approved) at a time.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from engine.comp.machines import EDITABLE, GUARDED_ACTIONS, PLAN_MACHINE
from engine.comp.spec import InputSpec, PlanSpec, StepSpec
from engine.comp.validation import Validation, new_issues, validate_plan
from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from models.comp.inputs import (
    NewVersion,
    PlanCreate,
    PlanUpdate,
)
from models.comp.tables import BonusPlan, BonusPool, InputDefinition, PlanInput, PlanStep
from models.core import audit, mutations, repo
from models.core.base import utcnow
from models.core.db import tenant_session
from models.core.decisions import decide, lock_for_decision
from models.core.pagination import Page, keyset_page, parse_instant
from models.core.text_search import every_word, search_words

OPEN = ("draft", "approved")
STEP_GAP = 10


class PlanImmutable(Conflict):
    """An edit of a plan that is not a draft (409); the action audits the attempt."""

    code = "plan_immutable"

    def __init__(self, plan: BonusPlan, attempt: str):
        super().__init__(
            f"'{plan.name}' version {plan.version} is {plan.status}: only a draft can change; "
            "editing a locked plan means a new version (POST /api/v1/bonus-plans/{id}/versions)",
            fields={"status": plan.status},
        )
        self.plan_id = plan.id
        self.plan_status = plan.status  # (`status` is the HTTP status of every DomainError)
        self.attempt = attempt


class PlanInvalid(ValidationFailed):
    """The plan (or the change) does not validate; `validation` carries every located problem."""

    def __init__(self, validation: Validation, lead: str):
        super().__init__(validation.message(lead), fields=validation.fields())
        self.validation = validation


# --- reading -----------------------------------------------------------------------------------


def get_plan(session: Session, ctx: TenantContext, plan_id: uuid.UUID, *, lock: bool = False) -> BonusPlan:
    """The caller's tenant's plan version, or NotFound (another tenant's id reads as none)."""
    query = select(BonusPlan).where(BonusPlan.tenant_id == ctx.tenant_id, BonusPlan.id == plan_id)
    row = session.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound("bonus plan not found")
    return row


def load_plan(session: Session, ctx: TenantContext, plan_id: uuid.UUID) -> BonusPlan:
    """The decision path's loader (models.core.decision_actions.DecisionTarget)."""
    return get_plan(session, ctx, plan_id)


def plan_page(
    session: Session,
    ctx: TenantContext,
    *,
    q: str | None = None,
    status: str | None = None,
    family_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[BonusPlan]:
    """Newest first."""
    query = select(BonusPlan).where(BonusPlan.tenant_id == ctx.tenant_id)
    if q:
        query = query.where(every_word(search_words(q), BonusPlan.name, BonusPlan.notes))
    if status:
        query = query.where(BonusPlan.status == status)
    if family_id:
        query = query.where(BonusPlan.family_id == family_id)
    return keyset_page(
        session,
        query,
        col(BonusPlan.created_at),
        col(BonusPlan.id),
        limit=limit,
        cursor=cursor,
        descending=True,
        parse=parse_instant,
    )


def family(session: Session, ctx: TenantContext, plan: BonusPlan, *, lock: bool = False) -> list[BonusPlan]:
    """Every version of the plan's family, oldest first."""
    query = (
        select(BonusPlan)
        .where(BonusPlan.tenant_id == ctx.tenant_id, BonusPlan.family_id == plan.family_id)
        .order_by(col(BonusPlan.version))
    )
    if lock:
        query = query.order_by(None).order_by(col(BonusPlan.id)).with_for_update()
        return sorted(session.exec(query).all(), key=lambda p: p.version)
    return list(session.exec(query).all())


def steps_of(session: Session, ctx: TenantContext, plan_id: uuid.UUID) -> list[PlanStep]:
    return list(
        session.exec(
            select(PlanStep)
            .where(PlanStep.tenant_id == ctx.tenant_id, PlanStep.plan_id == plan_id)
            .order_by(col(PlanStep.step_order), col(PlanStep.name))
        ).all()
    )


def inputs_of(session: Session, ctx: TenantContext, plan_id: uuid.UUID) -> list[tuple[PlanInput, InputDefinition]]:
    return [
        (p, d)
        for p, d in session.exec(
            select(PlanInput, InputDefinition)
            .where(
                PlanInput.tenant_id == ctx.tenant_id,
                PlanInput.plan_id == plan_id,
                InputDefinition.tenant_id == ctx.tenant_id,
                InputDefinition.id == PlanInput.input_id,
            )
            .order_by(col(PlanInput.position), col(InputDefinition.key))
        ).all()
    ]


def pool_of(session: Session, ctx: TenantContext, plan_id: uuid.UUID) -> BonusPool | None:
    return session.exec(
        select(BonusPool).where(BonusPool.tenant_id == ctx.tenant_id, BonusPool.plan_id == plan_id)
    ).first()


def input_spec(plan_input: PlanInput, definition: InputDefinition) -> InputSpec:
    default = plan_input.default_value if plan_input.default_value is not None else definition.default_value
    return InputSpec(
        key=definition.key,
        dtype=definition.dtype,
        label=definition.label,
        required=plan_input.required,
        default=default,
        transform=plan_input.transform,
        source_column=plan_input.source_column,
        rules=dict(definition.validation or {}),
    )


def step_spec(step: PlanStep) -> StepSpec:
    return StepSpec(
        order=step.step_order,
        name=step.name,
        expr=step.expr,
        condition=step.condition_expr or None,
        outputs=tuple(step.outputs or ()),
        notes=step.notes,
    )


def spec_of(session: Session, ctx: TenantContext, plan: BonusPlan) -> PlanSpec:
    return PlanSpec(
        name=plan.name,
        version=plan.version,
        inputs=tuple(input_spec(p, d) for p, d in inputs_of(session, ctx, plan.id)),
        steps=tuple(step_spec(s) for s in steps_of(session, ctx, plan.id)),
    )


def validation_of(session: Session, ctx: TenantContext, plan: BonusPlan) -> Validation:
    return validate_plan(spec_of(session, ctx, plan))


# --- the draft rule and refused attempts ----------------------------------------------------------


def editable(session: Session, ctx: TenantContext, plan_id: uuid.UUID, attempt: str) -> BonusPlan:
    """The plan, row-locked, if it is a draft; PlanImmutable (409) otherwise."""
    plan = get_plan(session, ctx, plan_id, lock=True)
    if plan.status not in EDITABLE:
        raise PlanImmutable(plan, attempt)
    return plan


def record_refusal(ctx: TenantContext, plan_id: uuid.UUID, attempt: str, status: str, message: str) -> None:
    """A refused change of a plan that is not a draft, in the tenant's audit chain (own transaction:
    the refused change itself was rolled back)."""
    with tenant_session(ctx) as session:
        audit.record(
            session,
            ctx,
            action="bonus_plan.change_refused",
            entity=PLAN_MACHINE.name,
            entity_id=plan_id,
            after={"attempt": attempt, "status": status, "message": message[:500]},
        )


def check_save(before: Validation, after: PlanSpec, lead: str) -> None:
    introduced = new_issues(before, validate_plan(after))
    if introduced.issues:
        raise PlanInvalid(introduced, lead)


def touch(session: Session, ctx: TenantContext, plan: BonusPlan) -> None:
    plan.updated_at = utcnow()
    session.add(plan)


# --- plans -----------------------------------------------------------------------------------------


def _check_window(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationFailed(
            "effective_to is before effective_from", fields={"effective_to": "before effective_from"}
        )


def _name_taken(session: Session, ctx: TenantContext, name: str, version: int, *, but: uuid.UUID | None = None) -> bool:
    query = select(BonusPlan.id).where(
        BonusPlan.tenant_id == ctx.tenant_id, BonusPlan.name == name, BonusPlan.version == version
    )
    if but is not None:
        query = query.where(BonusPlan.id != but)
    return session.exec(query).first() is not None


def create_plan(session: Session, ctx: TenantContext, data: PlanCreate) -> BonusPlan:
    if data.tenant_id is not None and data.tenant_id != ctx.tenant_id:
        raise NotFound("tenant not found")
    _check_window(data.effective_from, data.effective_to)
    if _name_taken(session, ctx, data.name, data.version):
        raise Conflict(f"'{data.name}' version {data.version} already exists", fields={"name": "taken"})
    plan_id = uuid.uuid4()
    row = BonusPlan(
        id=plan_id,
        tenant_id=ctx.tenant_id,
        family_id=plan_id,
        name=data.name,
        version=data.version,
        status=PLAN_MACHINE.initial,
        effective_from=data.effective_from,
        effective_to=data.effective_to,
        notes=data.notes,
        created_by=ctx.user_id,
    )
    # a concurrent create of the same name and version: 409, never a 500
    return repo.create(session, ctx, row, action="bonus_plan.create", unique_field="name")


def update_plan(session: Session, ctx: TenantContext, plan_id: uuid.UUID, data: PlanUpdate) -> BonusPlan:
    plan = editable(session, ctx, plan_id, "update")
    sent = data.model_dump(exclude_unset=True)
    if "name" in sent and sent["name"] is None:
        raise ValidationFailed("name cannot be empty", fields={"name": "required"})
    changes = {k: v for k, v in sent.items() if getattr(plan, k) != v}
    _check_window(changes.get("effective_from", plan.effective_from), changes.get("effective_to", plan.effective_to))
    if "name" in changes and _name_taken(session, ctx, changes["name"], plan.version, but=plan.id):
        raise Conflict(f"'{changes['name']}' version {plan.version} already exists", fields={"name": "taken"})
    if not changes:
        return plan
    changes["updated_at"] = utcnow()
    try:
        with session.begin_nested():  # a concurrent rename to the same name and version: 409, never a 500
            return mutations.update(session, ctx, plan, changes, action="bonus_plan.update")
    except IntegrityError as exc:
        taken = f"'{changes.get('name')}' version {plan.version} already exists"
        raise Conflict(taken, fields={"name": "taken"}) from exc


def new_version(session: Session, ctx: TenantContext, plan_id: uuid.UUID, data: NewVersion) -> BonusPlan:
    """A draft copy of a locked (or archived) version, numbered after the family's last one."""
    source = get_plan(session, ctx, plan_id)
    versions = family(session, ctx, source, lock=True)
    source = next(p for p in versions if p.id == source.id)
    if source.status in OPEN:
        raise Conflict(
            f"version {source.version} is still {source.status}: edit it instead of copying it",
            fields={"status": source.status},
        )
    still_open = [p for p in versions if p.status in OPEN]
    if still_open:
        other = still_open[0]
        raise Conflict(
            f"version {other.version} of '{other.name}' is still {other.status}; finish or archive it first",
            fields={"open_version": str(other.id)},
        )
    number = max(p.version for p in versions) + 1
    if _name_taken(session, ctx, source.name, number):
        raise Conflict(f"'{source.name}' version {number} already exists", fields={"name": "taken"})
    sent = data.model_dump(exclude_unset=True)
    start = sent.get("effective_from", source.effective_from)
    end = sent.get("effective_to", source.effective_to)
    _check_window(start, end)
    copy = repo.create(
        session,
        ctx,
        BonusPlan(
            tenant_id=ctx.tenant_id,
            family_id=source.family_id,
            name=source.name,
            version=number,
            status=PLAN_MACHINE.initial,
            effective_from=start,
            effective_to=end,
            notes=sent.get("notes", source.notes),
            based_on_id=source.id,
            created_by=ctx.user_id,
        ),
        action="bonus_plan.new_version",
        unique_field="name",
    )
    for plan_input, _ in inputs_of(session, ctx, source.id):
        mutations.create(
            session,
            ctx,
            PlanInput(
                tenant_id=ctx.tenant_id,
                plan_id=copy.id,
                input_id=plan_input.input_id,
                position=plan_input.position,
                required=plan_input.required,
                default_value=plan_input.default_value,
                transform=plan_input.transform,
                source_column=plan_input.source_column,
            ),
            action="plan_input.create",
        )
    for step in steps_of(session, ctx, source.id):
        mutations.create(
            session,
            ctx,
            PlanStep(
                tenant_id=ctx.tenant_id,
                plan_id=copy.id,
                step_order=step.step_order,
                name=step.name,
                expr=step.expr,
                condition_expr=step.condition_expr,
                outputs=list(step.outputs or []),
                notes=step.notes,
            ),
            action="plan_step.create",
        )
    pool = pool_of(session, ctx, source.id)
    if pool is not None:
        mutations.create(
            session,
            ctx,
            BonusPool(
                tenant_id=ctx.tenant_id,
                plan_id=copy.id,
                currency=pool.currency,
                amount=pool.amount,
                allocation_rules=list(pool.allocation_rules or []),
            ),
            action="bonus_pool.create",
        )
    return copy


# --- decisions (approve, lock, reopen, archive) ------------------------------------------------------


def apply_decision(session: Session, ctx: TenantContext, plan: Any, action: str, reason: str | None) -> None:
    """The decision path for a plan: lock and approve only a plan that validates (checked under
    the row lock), and a lock stamps who and when (in the decision's audit entry)."""
    lock_for_decision(session, PLAN_MACHINE, plan)
    transition = PLAN_MACHINE.transition_for(plan.status, action)  # 409 when not allowed from here
    ctx.require(transition.permission)  # a role without it: 403 before any validation
    if action in GUARDED_ACTIONS:
        result = validation_of(session, ctx, plan)
        if not result.ok:
            raise PlanInvalid(
                result, f"'{plan.name}' version {plan.version} cannot be {action}ed: it does not validate"
            )
    details: dict[str, Any] = {}
    if action == "lock":
        details = {"locked_by": str(ctx.user_id) if ctx.user_id else None, "locked_at": utcnow().isoformat()}
    decide(session, ctx, PLAN_MACHINE, plan, action, reason=reason, details=details)
    if action == "lock":
        plan.locked_by = ctx.user_id
        plan.locked_at = utcnow()
    plan.updated_at = utcnow()
    session.add(plan)
    session.flush()


def open_drafts(session: Session, ctx: TenantContext, limit: int) -> list[BonusPlan]:
    """Drafts and approved versions waiting to be locked, oldest change first (the inbox)."""
    return list(
        session.exec(
            select(BonusPlan)
            .where(BonusPlan.tenant_id == ctx.tenant_id, col(BonusPlan.status).in_(OPEN))
            .order_by(col(BonusPlan.updated_at), col(BonusPlan.id))
            .limit(limit)
        ).all()
    )


def count_steps(session: Session, ctx: TenantContext, plan_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not plan_ids:
        return {}
    rows = session.exec(
        select(PlanStep.plan_id, func.count())
        .where(PlanStep.tenant_id == ctx.tenant_id, col(PlanStep.plan_id).in_(plan_ids))
        .group_by(col(PlanStep.plan_id))
    ).all()
    return {plan_id: int(n) for plan_id, n in rows}
