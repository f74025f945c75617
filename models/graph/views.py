"""The record of views (operator-graph spec §6): every graph, segments, participant and
recommendation view is an event in the tenant's audit chain, in the reader's transaction, with the
actor, the actor's role (the chain's own columns), the target (entity and id) and metadata (what was
asked for and how much was shown). The spec's `events` table is this chain."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from engine.context import TenantContext
from models.core import audit

GRAPH = "graph.view"
SEGMENTS = "graph.segments.view"
PARTICIPANT = "graph.participant.view"
RECOMMENDATIONS = "graph.recommendations.view"
RECOMMENDATION = "graph.recommendation.view"
INTERVENTION = "graph.intervention.view"
ACTIONS = (GRAPH, SEGMENTS, PARTICIPANT, RECOMMENDATIONS, RECOMMENDATION, INTERVENTION)


def record_view(
    session: Session, ctx: TenantContext, action: str, entity: str, entity_id: Any, metadata: dict[str, Any]
) -> None:
    audit.record(
        session,
        ctx,
        action=action,
        entity=entity,
        entity_id=entity_id,
        after={"role": str(ctx.role), **metadata},
    )
