"""Operator console writes for the pages and the REST API: each takes `ctx`, checks
`graph.intervene`, owns its transaction and answers with the read model built in it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.graph.machines import INTERVENTION_MACHINE, RECOMMENDATION_MACHINE
from engine.graph.permissions import INTERVENE
from models.core.db import tenant_session
from models.graph import graph
from models.graph import interventions as interventions_repo
from models.graph import recommendations as recommendations_repo
from models.graph.queries import InterventionDetail, RecommendationView, intervention_detail_in, recommendation_views
from models.jobs.repo import submit_job


@dataclass(frozen=True)
class RecommendationOutcome:
    recommendation: RecommendationView
    intervention: InterventionDetail | None


def _known(machine: Any, action: str) -> None:
    if action not in machine.actions:
        raise ValidationFailed(
            f"action: unknown action '{action}' (one of: {', '.join(machine.actions)})", fields={"action": "unknown"}
        )
    if any(t.system_only for t in machine.transitions if t.action == action):
        raise ValidationFailed(f"action: '{action}' is taken by the system only", fields={"action": "system only"})


def decide_recommendation(
    ctx: TenantContext,
    recommendation_id: Any,
    action: str,
    reason: str | None,
    expected_status: str | None = None,
) -> RecommendationOutcome:
    """Accept (proposes its intervention: read its blast radius, then apply it) or reject (a reason)."""
    ctx.require(INTERVENE)
    _known(RECOMMENDATION_MACHINE, action)
    with tenant_session(ctx) as session:
        row = graph.get_recommendation(session, ctx, recommendation_id)
        detail = None
        if action == "accept":
            intervention = recommendations_repo.accept(session, ctx, row, reason, expected_status=expected_status)
            detail = intervention_detail_in(session, ctx, intervention)
        else:
            recommendations_repo.reject(session, ctx, row, reason, expected_status)
        return RecommendationOutcome(recommendation_views(session, ctx, [row])[0], detail)


def propose_intervention(
    ctx: TenantContext,
    kind: str,
    target_ids: list[Any],
    params: dict[str, Any],
    reason: str | None,
    ttl_seconds: int | None = None,
) -> InterventionDetail:
    ctx.require(INTERVENE)
    with tenant_session(ctx) as session:
        row = interventions_repo.propose(session, ctx, kind, target_ids, params, reason, ttl_seconds=ttl_seconds)
        return intervention_detail_in(session, ctx, row)


def decide_intervention(
    ctx: TenantContext,
    intervention_id: Any,
    action: str,
    reason: str | None,
    expected_status: str | None = None,
    ttl_seconds: int | None = None,
) -> InterventionDetail:
    """Apply (optionally with a time to live), discard or reverse; each with a reason."""
    ctx.require(INTERVENE)
    _known(INTERVENTION_MACHINE, action)
    if ttl_seconds is not None and action != "apply":
        raise ValidationFailed("ttl_seconds: only an 'apply' takes a time to live", fields={"ttl_seconds": "not here"})
    with tenant_session(ctx) as session:
        row = graph.get_intervention(session, ctx, intervention_id)
        if action == "apply":
            interventions_repo.apply(
                session, ctx, row, reason, ttl_seconds=ttl_seconds, expected_status=expected_status
            )
        elif action == "discard":
            interventions_repo.discard(session, ctx, row, reason, expected_status)
        else:
            interventions_repo.reverse(session, ctx, row, reason, expected_status=expected_status)
        return intervention_detail_in(session, ctx, row)


def run_recommendations(ctx: TenantContext) -> uuid.UUID:
    """Queue a generator run now (job kind graph.recommend); returns the job id."""
    ctx.require(INTERVENE)
    return submit_job(
        ctx, recommendations_repo.KIND, {"trigger": "manual"}, [(f"graph.recommend:manual:{uuid.uuid4()}", {})]
    )
