"""Recommendations: the generator's run (models side of engine/graph/patterns.py), and accepting or
rejecting one through the decision path.

A run (`refresh`) loads the whole graph, asks the engine for the candidates at `now`, inserts the
new ones (one audit event each) and retires (system decision) the open ones the graph no longer
yields. One open recommendation per (pattern, target) (a partial unique index); a key that was
rejected, or accepted into an intervention still proposed or applied, is not suggested again. Runs
of one tenant take turns (a transaction advisory lock).

Accepting one proposes its intervention (models.graph.interventions.propose) in the same unit of
work; rejecting one needs a reason.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.graph import patterns
from engine.graph.machines import RECOMMENDATION_MACHINE
from engine.graph.permissions import INTERVENE
from models.core import audit, mutations
from models.core.base import utcnow
from models.core.bulk import insert_rows, table_of
from models.core.decisions import DecisionRequest, decide, decide_many, lock_for_decision
from models.graph import graph
from models.graph import interventions as interventions_repo
from models.graph.tables import GraphIntervention, GraphRecommendation

KIND = "graph.recommend"  # the job kind of a run (models/graph/kinds.py)
RETIRED_REASON = "the pattern no longer holds"


def _blocked_keys(session: Session, ctx: TenantContext) -> set[tuple[str, str, str]]:
    rows = session.execute(
        text(
            "select r.pattern, r.target_type, r.target_id::text from graph_recommendations r "
            "left join graph_interventions i on i.tenant_id = r.tenant_id and i.id = r.intervention_id "
            "where r.tenant_id = :t and (r.status = 'rejected' "
            "or (r.status = 'accepted' and i.status in ('proposed', 'applied')))"
        ),
        {"t": ctx.tenant_id},
    ).all()
    return {(r[0], r[1], r[2]) for r in rows}


def refresh(session: Session, ctx: TenantContext, now: datetime | None = None) -> dict[str, int]:
    """One generator run in the caller's transaction; returns counts (created, retired, open)."""
    ctx.require(INTERVENE)
    now = now or utcnow()
    session.execute(
        text("select pg_advisory_xact_lock(hashtext('graph.recommend'), hashtext(:t))"), {"t": str(ctx.tenant_id)}
    )
    people = graph.load_people(session, ctx)
    links = graph.load_links(session, ctx)
    candidates = patterns.generate(people, links, now)
    wanted = patterns.by_key(candidates)
    open_rows = session.exec(
        select(GraphRecommendation)
        .where(GraphRecommendation.tenant_id == ctx.tenant_id, GraphRecommendation.status == "open")
        .order_by(col(GraphRecommendation.id))
        .with_for_update()
    ).all()
    open_keys = {(r.pattern, r.target_type, str(r.target_id)): r for r in open_rows}
    blocked = _blocked_keys(session, ctx)
    fresh = [c for c in candidates if c.key not in open_keys and c.key not in blocked]
    stale = [r for key, r in open_keys.items() if key not in wanted]
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": ctx.tenant_id,
            "pattern": c.pattern,
            "target_type": c.target_type,
            "target_id": uuid.UUID(c.target_id),
            "suggested_action": c.suggested_action,
            "params": c.params,
            "reason": c.reason,
            "confidence": c.confidence,
            "status": RECOMMENDATION_MACHINE.initial,
            "intervention_id": None,
            "created_at": now,
            "updated_at": now,
        }
        for c in fresh
    ]
    if stale:
        decide_many(
            session,
            ctx,
            RECOMMENDATION_MACHINE,
            [DecisionRequest(r, "retire", RETIRED_REASON) for r in stale],
            locked=True,
        )
    if rows:
        insert_rows(session, table_of(GraphRecommendation), rows)
        audit.record_many(
            session,
            ctx,
            [
                {
                    "action": "graph_recommendation.create",
                    "entity": GraphRecommendation.__tablename__,
                    "entity_id": r["id"],
                    "after": {k: v for k, v in r.items() if k != "tenant_id"},
                    "at": now,
                }
                for r in rows
            ],
        )
    return {"created": len(rows), "retired": len(stale), "open": len(open_keys) - len(stale) + len(rows)}


def target_ids_of(row: GraphRecommendation) -> list[str]:
    if row.suggested_action == "merge_duplicate":
        return [str(row.target_id), str(row.params.get("primary_id", ""))]
    return [str(row.target_id)]


def accept(
    session: Session,
    ctx: TenantContext,
    row: GraphRecommendation,
    reason: str | None,
    *,
    expected_status: str | None = None,
    ttl_seconds: int | None = None,
) -> GraphIntervention:
    """Accept: its intervention is proposed (validated against the graph now: a pattern that no
    longer holds is a 422 naming why), and the recommendation points at it."""
    ctx.require(INTERVENE)
    lock_for_decision(session, RECOMMENDATION_MACHINE, row, expected_status)
    RECOMMENDATION_MACHINE.check(row.status, "accept", ctx, reason)
    intervention = interventions_repo.propose(
        session,
        ctx,
        row.suggested_action,
        target_ids_of(row),
        dict(row.params),
        (reason or "").strip() or row.reason,
        recommendation_id=row.id,
        ttl_seconds=ttl_seconds,
    )
    mutations.update(
        session,
        ctx,
        row,
        {"intervention_id": intervention.id, "updated_at": utcnow()},
        action="graph_recommendation.link",
    )
    decide(session, ctx, RECOMMENDATION_MACHINE, row, "accept", reason=reason)
    return intervention


def reject(
    session: Session,
    ctx: TenantContext,
    row: GraphRecommendation,
    reason: str | None,
    expected_status: str | None = None,
) -> GraphRecommendation:
    ctx.require(INTERVENE)
    decide(session, ctx, RECOMMENDATION_MACHINE, row, "reject", reason=reason, expected_status=expected_status)
    return row


def for_participant(
    session: Session, ctx: TenantContext, participant_id: str, relationship_ids: list[str]
) -> list[GraphRecommendation]:
    """Recommendations about the participant, one of its relationships, or naming it as a merge's primary."""
    keys = [uuid.UUID(participant_id), *(uuid.UUID(r) for r in relationship_ids)]
    rows = session.exec(
        select(GraphRecommendation)
        .where(GraphRecommendation.tenant_id == ctx.tenant_id, col(GraphRecommendation.target_id).in_(keys))
        .order_by(col(GraphRecommendation.created_at).desc(), col(GraphRecommendation.id))
        .limit(200)
    ).all()
    primary = session.exec(
        select(GraphRecommendation)
        .where(
            GraphRecommendation.tenant_id == ctx.tenant_id,
            text("graph_recommendations.params->>'primary_id' = :pid"),
        )
        .params(pid=participant_id)
        .limit(50)
    ).all()
    seen: dict[Any, GraphRecommendation] = {r.id: r for r in rows}
    for r in primary:
        seen.setdefault(r.id, r)
    return sorted(seen.values(), key=lambda r: (r.status != "open", -r.created_at.timestamp(), str(r.id)))
