"""Writes of runs for the REST API, the pages and the seed. Each checks the permission first, owns
its transaction and goes through the audited repositories and, for a run's status, the decision path.

- `start_run(ctx, RunStart) -> RunView`: a draft run and its job (comp.runs.execute)
- `approve(ctx, run_id, action, expected_status=None) -> ApprovalOutcome`: manager_approve,
  hr_approve, finance_approve; `finalize(ctx, run_id, expected_status=None)`
- `rename(ctx, run_id, scenario_name) -> RunView`

Approvals: only the role holding the step's permission (403), only in order (409), only on a
computed run (409); the snapshot hash (with the digests of the plan, the inputs and the results) is
frozen at the first approval and re-verified against the stored rows at each later one: the outcome
says "nothing changed since <previous approval>", or the approval is refused (409) naming what
changed. Of two approvers racing one wins (the row lock; the other meets the new status: 409).
A finalized run changes no more: every attempt is refused (409) and written to the audit chain.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import Field
from sqlmodel import Session

from engine.comp.permissions import READ
from engine.comp.run_hash import changes, components, plan_digest
from engine.comp.run_machine import APPROVAL_NAMES, RUN_MACHINE, RUNS_EXECUTE
from engine.context import TenantContext
from engine.errors import Conflict, DomainError, NotFound, ValidationFailed
from engine.inputs import PlainText
from engine.text import TextInput
from models.comp import plans
from models.comp.runs import queries, runs, store
from models.comp.runs.tables import CompRun
from models.comp.runs.views import RunView
from models.core import audit, mutations
from models.core.base import utcnow
from models.core.db import tenant_session
from models.core.decision_actions import DecisionTarget, take_decision
from models.core.decisions import decide, lock_for_decision

ACTIONS = ("manager_approve", "hr_approve", "finance_approve", "finalize")


class RunStart(TextInput):
    """`POST /api/v1/runs` (compensation-platform-prd.md §15.5); unknown keys and control
    characters refused (engine.text)."""

    tenant_id: uuid.UUID | None = None
    plan_id: uuid.UUID
    upload_id: uuid.UUID
    scenario_name: PlainText = Field(default="Base", min_length=1, max_length=200)


@dataclass(frozen=True)
class ApprovalOutcome:
    run: RunView
    from_status: str
    verification: str  # "nothing changed since …" (or, at the first approval, what was frozen)
    snapshot_hash: str


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationFailed("a scenario needs a name", fields={"scenario_name": "required"})
    return cleaned


def start_run(ctx: TenantContext, data: RunStart) -> RunView:
    ctx.require(RUNS_EXECUTE)
    if data.tenant_id is not None and data.tenant_id != ctx.tenant_id:
        raise NotFound("tenant not found")
    name = _clean_name(data.scenario_name)
    with tenant_session(ctx) as session:
        run = runs.create_run(session, ctx, data.plan_id, data.upload_id, name)
        return queries.view(session, ctx, run)


def record_refusal(ctx: TenantContext, run_id: uuid.UUID, attempt: str, status: str, message: str) -> None:
    """A refused change of a finalized run, in the audit chain (its own transaction: the change
    itself was rolled back)."""
    with tenant_session(ctx) as session:
        audit.record(
            session,
            ctx,
            action="comp_run.change_refused",
            entity=RUN_MACHINE.name,
            entity_id=run_id,
            after={"attempt": attempt, "status": status, "message": message[:500]},
        )


def _status(ctx: TenantContext, run_id: uuid.UUID) -> str | None:
    try:
        with tenant_session(ctx) as session:
            return runs.get_run(session, ctx, run_id).status
    except NotFound:
        return None


def _refusing(ctx: TenantContext, run_id: uuid.UUID, attempt: str, exc: DomainError) -> None:
    """Audit a refused change when the run is finalized (then raise it)."""
    if not isinstance(exc, NotFound) and _status(ctx, run_id) == "finalized":
        record_refusal(ctx, run_id, attempt, "finalized", exc.message)


def current_components(session: Session, ctx: TenantContext, run: CompRun) -> dict[str, Any]:
    """The run's hash and digests computed now from the stored plan, inputs and results."""
    spec = plans.spec_of(session, ctx, plans.get_plan(session, ctx, run.plan_id))
    pool = plans.pool_of(session, ctx, run.plan_id)
    digest = plan_digest(spec, Decimal(pool.amount) if pool else None, pool.currency if pool else None)
    return components(
        digest,
        store.inputs_digest(session, ctx, run.upload_id),
        store.results_digest(session, ctx, run.id),
        run.catalog_version,
    )


def apply_decision(session: Session, ctx: TenantContext, run: Any, action: str, reason: str | None) -> dict[str, str]:
    lock_for_decision(session, RUN_MACHINE, run)
    transition = RUN_MACHINE.transition_for(run.status, action)  # 409 when not allowed from here
    ctx.require(transition.permission)  # a role without it: 403, nothing read or written
    if run.phase != "computed":
        raise Conflict(f"the run is {run.phase}: only a computed run is approved", fields={"phase": run.phase})
    now = current_components(session, ctx, run)
    if run.frozen is None:
        if now["snapshot_hash"] != run.snapshot_hash or now["results_digest"] != run.results_digest:
            computed = {
                "snapshot_hash": run.snapshot_hash,
                "plan_digest": now["plan_digest"],
                "inputs_digest": run.inputs_digest,
                "results_digest": run.results_digest,
                "catalog_version": run.catalog_version,
            }
            what = changes(computed, now) or ["the snapshot"]
            raise Conflict(
                f"{', '.join(what)} changed since the run was computed: start a new run",
                fields={"snapshot_hash": "changed"},
            )
        verification = f"snapshot {now['snapshot_hash'][:12]}… frozen: plan, inputs and results as computed"
    else:
        since = APPROVAL_NAMES.get(run.status, "the last approval")
        what = changes(run.frozen, now)
        if what:
            raise Conflict(
                f"{', '.join(what)} changed since {since}: the run cannot be approved",
                fields={"snapshot_hash": "changed: " + ", ".join(what)},
            )
        verification = f"nothing changed since {since}"
    decision = decide(
        session,
        ctx,
        RUN_MACHINE,
        run,
        action,
        reason=reason,
        details={"snapshot_hash": now["snapshot_hash"], "verification": verification},
    )
    entry = {
        "action": action,
        "status": run.status,
        "actor": decision.actor,
        "role": decision.actor_role,
        "at": decision.at.isoformat(),
        "verification": verification,
        "snapshot_hash": now["snapshot_hash"],
    }
    changed: dict[str, Any] = {"approvals": [*(run.approvals or []), entry]}
    if run.frozen is None:
        changed["frozen"] = {**now, "at": entry["at"], "by": entry["actor"], "approval": action}
    if action == "finalize":
        changed["finalized_at"] = utcnow()
    mutations.update(session, ctx, run, changed, action=f"comp_run.{action}")
    return {"verification": verification, "snapshot_hash": now["snapshot_hash"]}


RUNS = DecisionTarget("comp_run", RUN_MACHINE, READ, load=runs.load_run, apply=apply_decision)


def _decide(ctx: TenantContext, run_id: uuid.UUID, action: str, expected_status: str | None) -> ApprovalOutcome:
    ctx.require(READ)
    try:
        outcome = take_decision(ctx, RUNS, run_id, action, None, expected_status)
    except DomainError as exc:
        _refusing(ctx, run_id, action, exc)
        raise
    return ApprovalOutcome(
        run=queries.run_detail(ctx, run_id),
        from_status=outcome.from_status,
        verification=outcome.details.get("verification", ""),
        snapshot_hash=outcome.details.get("snapshot_hash", ""),
    )


def approve(ctx: TenantContext, run_id: uuid.UUID, action: str, expected_status: str | None = None) -> ApprovalOutcome:
    if action not in ACTIONS[:3]:
        raise ValidationFailed(
            f"unknown approval {action!r} (one of: {', '.join(ACTIONS[:3])})", fields={"action": "unknown"}
        )
    return _decide(ctx, run_id, action, expected_status)


def finalize(ctx: TenantContext, run_id: uuid.UUID, expected_status: str | None = None) -> ApprovalOutcome:
    return _decide(ctx, run_id, "finalize", expected_status)


def rename(ctx: TenantContext, run_id: uuid.UUID, scenario_name: str) -> RunView:
    """The scenario's name (not part of the snapshot); refused once the run is finalized."""
    ctx.require(RUNS_EXECUTE)
    name = _clean_name(scenario_name)
    try:
        with tenant_session(ctx) as session:
            run = runs.get_run(session, ctx, run_id, lock=True)
            if run.status == "finalized":
                raise Conflict("the run is finalized: it changes no more", fields={"status": "finalized"})
            if run.scenario_name != name:
                mutations.update(session, ctx, run, {"scenario_name": name}, action="comp_run.rename")
            return queries.view(session, ctx, run)
    except DomainError as exc:
        _refusing(ctx, run_id, "rename", exc)
        raise
