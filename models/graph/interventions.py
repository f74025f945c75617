"""Interventions: propose (validated against the current rows), read the blast radius, apply,
discard, reverse, and the system's reversal when the time to live ends.

Apply and reverse are decisions (INTERVENTION_MACHINE, decision path): the intervention row is
locked and its status checked first, then the rows it changes (participants, then relationships,
each in id order), then every write (audited, one event per row changed) and the decision last
(docs/jobs.md, "Lock order"). Reversing writes back exactly the previous state, and only while every
field still holds what the intervention wrote (else 409, nothing written).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import Conflict, ValidationFailed
from engine.graph import interventions as plans
from engine.graph.interventions import BlastRadius, State
from engine.graph.machines import INTERVENTION_MACHINE
from engine.graph.permissions import INTERVENE
from models.core import mutations
from models.core.base import utcnow
from models.core.decisions import decide, lock_for_decision
from models.graph import graph
from models.graph.tables import GraphIntervention, GraphParticipant, GraphRelationship

MAX_TTL_SECONDS = 365 * 24 * 3600
REASON_MAX = 1000


def _clean_reason(reason: str | None, field: str = "reason") -> str:
    value = (reason or "").strip()
    if not value:
        raise ValidationFailed(f"{field}: a reason is required", fields={field: "required"})
    if len(value) > REASON_MAX:
        raise ValidationFailed(f"{field}: at most {REASON_MAX} characters", fields={field: "too long"})
    return value


def check_ttl(ttl_seconds: int | None) -> int | None:
    if ttl_seconds is None:
        return None
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or not 60 <= ttl_seconds <= MAX_TTL_SECONDS:
        raise ValidationFailed(
            f"ttl_seconds: from 60 (a minute) to {MAX_TTL_SECONDS} (a year), or none",
            fields={"ttl_seconds": "out of range"},
        )
    return ttl_seconds


def _ids(values: Sequence[Any]) -> list[str]:
    found = []
    for value in values:
        try:
            found.append(str(uuid.UUID(str(value))))
        except ValueError as exc:
            raise ValidationFailed(f"target_ids: '{value}' is not an id", fields={"target_ids": "not an id"}) from exc
    return found


def _current(session: Session, ctx: TenantContext, kind: str, target_ids: Sequence[str], *, lock: bool):
    """(people by id, relationships) the plan of `kind` on `target_ids` needs, locked when `lock`."""
    if plans.TYPES[kind] == "participant":
        people_ids = list(target_ids)
        rel_ids = graph.incident_ids(session, ctx, people_ids)
    else:
        rel_rows = graph.load_links_by_id(session, ctx, target_ids)
        rel_ids = [r.id for r in rel_rows]
        people_ids = sorted({e for r in rel_rows for e in (r.from_id, r.to_id)})
    if lock:
        people_rows = graph.lock_participants(session, ctx, people_ids)
        rel_rows_locked = graph.lock_relationships(session, ctx, rel_ids)
        people = {k: graph.person_of(v) for k, v in people_rows.items()}
        links = [graph.link_of(v) for v in rel_rows_locked.values()]
        return people, links, people_rows, rel_rows_locked
    people = {p.id: p for p in graph.load_people(session, ctx, ids=people_ids)}
    links = graph.load_links_by_id(session, ctx, rel_ids)
    return people, links, {}, {}


def preview(
    session: Session, ctx: TenantContext, kind: str, target_ids: Sequence[str], params: dict[str, Any]
) -> tuple[State, State, BlastRadius]:
    """(new state, previous state, blast radius) of an intervention if applied now."""
    if kind not in plans.TYPES:
        raise ValidationFailed(
            f"type: unknown intervention type '{kind}' (one of: {', '.join(plans.TYPES)})", fields={"type": "unknown"}
        )
    ids = _ids(target_ids)
    people, links, _, _ = _current(session, ctx, kind, ids, lock=False)
    new_state = plans.plan(kind, ids, params, people, links)
    previous = plans.capture(new_state, people, {link.id: link for link in links})
    return new_state, previous, plans.blast_radius(new_state, previous, links)


def propose(
    session: Session,
    ctx: TenantContext,
    kind: str,
    target_ids: Sequence[Any],
    params: dict[str, Any],
    reason: str | None,
    *,
    recommendation_id: uuid.UUID | None = None,
    ttl_seconds: int | None = None,
) -> GraphIntervention:
    """A proposed intervention (nothing in the graph changes yet); its new state is the plan now."""
    ctx.require(INTERVENE)
    ids = _ids(target_ids)
    new_state, _, _ = preview(session, ctx, kind, ids, params)
    row = GraphIntervention(
        tenant_id=ctx.tenant_id,
        operator_user_id=ctx.user_id,
        operator_role=str(ctx.role),
        type=kind,
        scope=plans.TYPES[kind],
        target_ids=ids,
        params=dict(params),
        reason=_clean_reason(reason),
        status=INTERVENTION_MACHINE.initial,
        new_state=new_state,
        recommendation_id=recommendation_id,
        ttl_seconds=check_ttl(ttl_seconds),
    )
    return mutations.create(session, ctx, row, action="graph_intervention.propose")


def blast_radius_of(session: Session, ctx: TenantContext, row: GraphIntervention) -> BlastRadius:
    """Proposed: what applying it now would change. Applied or reversed: what it changed."""
    if row.status == "proposed":
        return preview(session, ctx, row.type, row.target_ids, row.params)[2]
    state: State = row.new_state
    people_ids = list(state["participants"])
    links = graph.load_links(session, ctx, touching=people_ids) if people_ids else []
    rel_ids = set(state["relationships"]) - {link.id for link in links}
    links += graph.load_links_by_id(session, ctx, rel_ids)
    return plans.blast_radius(state, row.previous_state or plans.empty_state(), links)


def _value(name: str, value: str) -> Any:
    if name == "confidence_score":
        return Decimal(value)
    if name.endswith("_participant_id"):
        return uuid.UUID(value)
    return value


def _write(
    session: Session,
    ctx: TenantContext,
    state: State,
    people: dict[str, GraphParticipant],
    links: dict[str, GraphRelationship],
    action: str,
) -> None:
    for pid in sorted(state["participants"]):
        changes = {k: _value(k, v) for k, v in state["participants"][pid].items()}
        mutations.update(session, ctx, people[pid], changes, action=f"graph_participant.{action}")
    for rid in sorted(state["relationships"]):
        changes = {k: _value(k, v) for k, v in state["relationships"][rid].items()}
        mutations.update(session, ctx, links[rid], changes, action=f"graph_relationship.{action}")


def apply(
    session: Session,
    ctx: TenantContext,
    row: GraphIntervention,
    reason: str | None,
    *,
    ttl_seconds: int | None = None,
    expected_status: str | None = None,
) -> GraphIntervention:
    ctx.require(INTERVENE)
    lock_for_decision(session, INTERVENTION_MACHINE, row, expected_status)
    why = _clean_reason(reason)
    INTERVENTION_MACHINE.check(row.status, "apply", ctx, why)
    ttl = check_ttl(ttl_seconds) if ttl_seconds is not None else row.ttl_seconds
    people, links, people_rows, rel_rows = _current(session, ctx, row.type, row.target_ids, lock=True)
    new_state = plans.plan(row.type, row.target_ids, row.params, people, links)
    previous = plans.capture(new_state, people, {link.id: link for link in links})
    _write(session, ctx, new_state, people_rows, rel_rows, "intervene")
    now = utcnow()
    changes = {
        "new_state": new_state,
        "previous_state": previous,
        "reason": why,
        "operator_user_id": ctx.user_id,
        "operator_role": str(ctx.role),
        "applied_at": now,
        "ttl_seconds": ttl,
        "expires_at": now + timedelta(seconds=ttl) if ttl else None,
    }
    mutations.update(session, ctx, row, changes, action="graph_intervention.record")
    decide(session, ctx, INTERVENTION_MACHINE, row, "apply", reason=why)
    return row


def discard(
    session: Session, ctx: TenantContext, row: GraphIntervention, reason: str | None, expected_status: str | None = None
) -> GraphIntervention:
    ctx.require(INTERVENE)
    decide(session, ctx, INTERVENTION_MACHINE, row, "discard", reason=reason, expected_status=expected_status)
    return row


def reverse(
    session: Session,
    ctx: TenantContext,
    row: GraphIntervention,
    reason: str | None,
    *,
    action: str = "reverse",
    expected_status: str | None = None,
) -> GraphIntervention:
    """Write the previous state back (action `reverse` by an operator, `expire` by the system)."""
    ctx.require(INTERVENE)
    lock_for_decision(session, INTERVENTION_MACHINE, row, expected_status)
    why = _clean_reason(reason)
    INTERVENTION_MACHINE.check(row.status, action, ctx, why)
    new_state: State = row.new_state
    previous: State = row.previous_state or plans.empty_state()  # an applied one always has it
    people_rows = graph.lock_participants(session, ctx, list(new_state["participants"]))
    rel_rows = graph.lock_relationships(session, ctx, list(new_state["relationships"]))
    plans.check_reversible(
        new_state,
        {k: graph.person_of(v) for k, v in people_rows.items()},
        {k: graph.link_of(v) for k, v in rel_rows.items()},
    )
    _write(session, ctx, previous, people_rows, rel_rows, "restore")
    changes = {"reversed_at": utcnow(), "reversed_by_user_id": ctx.user_id, "reversal_reason": why}
    mutations.update(session, ctx, row, changes, action="graph_intervention.record")
    decide(session, ctx, INTERVENTION_MACHINE, row, action, reason=why)
    return row


def due(session: Session, ctx: TenantContext, at: datetime) -> list[GraphIntervention]:
    """Applied interventions whose time to live has ended at `at`, oldest expiry first."""
    return list(
        session.exec(
            select(GraphIntervention)
            .where(
                GraphIntervention.tenant_id == ctx.tenant_id,
                GraphIntervention.status == "applied",
                col(GraphIntervention.expires_at) <= at,
            )
            .order_by(col(GraphIntervention.expires_at), col(GraphIntervention.id))
        ).all()
    )


def expire_due(session: Session, ctx: TenantContext, at: datetime) -> dict[str, int]:
    """Reverse (system action `expire`) every intervention due at `at`; one that cannot be reversed
    (a later change holds its fields) stays applied and is counted as blocked."""
    reversed_, blocked = 0, 0
    for row in due(session, ctx, at):
        try:
            with session.begin_nested():
                reverse(
                    session,
                    ctx,
                    row,
                    f"time to live ended at {row.expires_at.isoformat() if row.expires_at else at.isoformat()}",
                    action="expire",
                )
            reversed_ += 1
        except Conflict:  # a later change holds its fields: it stays applied, and the count says so
            session.refresh(row)
            blocked += 1
    return {"reversed": reversed_, "blocked": blocked}


def touching(
    session: Session, ctx: TenantContext, participant_id: str, relationship_ids: Sequence[str]
) -> list[GraphIntervention]:
    """Interventions that name the participant or one of its relationships, newest first."""
    keys = [participant_id, *relationship_ids]
    rows = session.execute(
        text(
            "select id from graph_interventions where tenant_id = :t and target_ids ?| cast(:keys as text[]) "
            "order by created_at desc, id desc limit 200"
        ),
        {"t": ctx.tenant_id, "keys": keys},
    ).all()
    ids = [r[0] for r in rows]
    if not ids:
        return []
    found = session.exec(
        select(GraphIntervention).where(
            GraphIntervention.tenant_id == ctx.tenant_id, col(GraphIntervention.id).in_(ids)
        )
    ).all()
    order = {i: n for n, i in enumerate(ids)}
    return sorted(found, key=lambda r: order[r.id])
