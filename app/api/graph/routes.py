"""The operator console's REST API (operator-graph spec §5), under `/api/orgs/{org_id}`.

The organization is a tenant: `org_id` is checked against the caller's own active memberships
(`org_member`) — not a member: 403, and the answer never names the organization; a member whose role
lacks the permission: 403 too. The context is the caller's membership there (its role), whatever
tenant the session has open. Rows of another organization are simply not found (404). Reads of the
graph, segments, a participant and recommendations are recorded in the audit chain (§6).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from app.api.deps import Cursor, InstantParam, Limit, SearchText, current_session
from app.api.graph import schemas
from app.api.graph.graph_json import graph_json
from engine.context import TenantContext
from engine.errors import Forbidden
from engine.graph.permissions import INTERVENE, READ
from engine.inputs import query_int
from models.core.identity import memberships_of
from models.graph import actions, graph_queries, queries
from models.graph.inputs import (
    InterventionCreate,
    InterventionDecision,
    InterventionStatus,
    ParticipantRole,
    RecommendationDecision,
    RecommendationStatus,
    SegmentKey,
)

router = APIRouter(prefix="/api/orgs/{org_id}", tags=["graph"])
NOT_MEMBER = "you are not a member of this organization"
Offset = Annotated[query_int(0, 10_000_000), Query(description="participants to skip (most connected first)")]
NodeLimit = Annotated[query_int(1, 100_000), Query(description="participants to return at most")]


def org_member(permission: str) -> Callable[..., TenantContext]:
    """Dependency: the caller's context in organization `org_id` (their membership there), holding `permission`."""

    def dependency(org_id: uuid.UUID, request: Request) -> TenantContext:
        session = current_session(request)
        user_id = uuid.UUID(session.user_id)
        membership = next((m for m in memberships_of(user_id) if m.tenant_id == org_id), None)
        if membership is None:
            raise Forbidden(NOT_MEMBER)
        ctx = membership.context(user_id)
        ctx.require(permission)
        return ctx

    return dependency


def _node(n: graph_queries.NodeView) -> dict[str, Any]:
    data = asdict(n)
    data["display_name"] = data.pop("label")
    data["segments"] = list(n.segments)
    return data


def _recommendation(r: queries.RecommendationView) -> dict[str, Any]:
    return asdict(r)


def _intervention(i: queries.InterventionView) -> dict[str, Any]:
    return asdict(i)


def _detail(d: queries.InterventionDetail) -> dict[str, Any]:
    return {"intervention": _intervention(d.intervention), "blast_radius": asdict(d.blast_radius)}


@router.get("/graph", response_model=schemas.GraphOut)
def get_graph(
    org_id: uuid.UUID,
    ctx: TenantContext = Depends(org_member(READ)),
    segment: SegmentKey | None = None,
    role: ParticipantRole | None = None,
    q: SearchText = None,
    at: InstantParam = None,
    offset: Offset = 0,
    limit: NodeLimit | None = None,
    layout: bool = False,
) -> Response:
    """Participants (nodes, most connected first) and the relationships between them (edges).
    `at`: the graph as it was then; `layout`: server-side positions (x, y)."""
    filters = graph_queries.GraphFilters(
        segment=segment, role=role, q=q, at=at, offset=offset, limit=limit, layout=layout
    )
    return Response(graph_json(org_id, graph_queries.graph_view(ctx, filters)), media_type="application/json")


@router.get("/graph/clusters", response_model=schemas.ClustersOut)
def get_graph_clusters(
    org_id: uuid.UUID,
    ctx: TenantContext = Depends(org_member(READ)),
    role: ParticipantRole | None = None,
    q: SearchText = None,
    at: InstantParam = None,
) -> dict[str, Any]:
    """The graph folded into one cluster per primary segment (for graphs beyond the page's 2,000
    participants): each cluster's size and inner relationships, and the relationships between them."""
    found = graph_queries.cluster_view(ctx, graph_queries.GraphFilters(role=role, q=q, at=at))
    return {
        "org_id": str(org_id),
        "at": found.at,
        "total_participants": found.total_participants,
        "matching": found.matching,
        "clusters": [asdict(c) for c in found.clusters],
        "links": [asdict(link) for link in found.links],
    }


@router.get("/segments", response_model=schemas.SegmentsOut)
def get_segments(
    org_id: uuid.UUID, ctx: TenantContext = Depends(org_member(READ)), at: InstantParam = None
) -> dict[str, Any]:
    """Every segment's definition and how many participants it holds (computed, never stored)."""
    found = graph_queries.segments_view(ctx, at)
    return {
        "org_id": str(org_id),
        "at": found.at,
        "participants": found.participants,
        "hub_min_degree": found.hub_min,
        "segments": [asdict(s) for s in found.segments],
    }


@router.get("/participants/{participant_id}", response_model=schemas.ParticipantDetailOut)
def get_participant(
    org_id: uuid.UUID, participant_id: uuid.UUID, ctx: TenantContext = Depends(org_member(READ))
) -> dict[str, Any]:
    found = queries.participant_detail(ctx, participant_id)
    return {
        "participant": _node(found.participant),
        "hub_min_degree": found.hub_min,
        "relationships": [
            {
                "id": r.id,
                "other_participant_id": r.other_id,
                "other_display_name": r.other_label,
                "direction": r.direction,
                "type": r.type,
                "source": r.source,
                "confidence_score": r.confidence,
                "created_at": r.created_at,
            }
            for r in found.relationships
        ],
        "recommendations": [_recommendation(r) for r in found.recommendations],
        "interventions": [_intervention(i) for i in found.interventions],
    }


@router.get("/recommendations", response_model=schemas.RecommendationPage)
def list_recommendations(
    org_id: uuid.UUID,
    ctx: TenantContext = Depends(org_member(READ)),
    status: RecommendationStatus | None = "open",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    page = queries.recommendation_page(ctx, status=status, limit=limit, cursor=cursor)
    return {"items": [_recommendation(r) for r in page.items], "next_cursor": page.next_cursor}


@router.post("/recommendation-runs", status_code=202, response_model=schemas.JobOut)
def run_recommendations(org_id: uuid.UUID, ctx: TenantContext = Depends(org_member(INTERVENE))) -> dict[str, str]:
    """Queue a run of the generator now (job kind graph.recommend; follow it at /api/jobs/{id})."""
    return {"job_id": str(actions.run_recommendations(ctx))}


@router.get("/recommendations/{recommendation_id}", response_model=schemas.RecommendationOut)
def get_recommendation(
    org_id: uuid.UUID, recommendation_id: uuid.UUID, ctx: TenantContext = Depends(org_member(READ))
) -> dict[str, Any]:
    return _recommendation(queries.recommendation_detail(ctx, recommendation_id))


@router.post("/recommendations/{recommendation_id}/update", response_model=schemas.RecommendationDecisionOut)
def decide_recommendation(
    org_id: uuid.UUID,
    recommendation_id: uuid.UUID,
    body: RecommendationDecision,
    ctx: TenantContext = Depends(org_member(INTERVENE)),
) -> dict[str, Any]:
    """`accept` (its intervention is proposed: read its blast radius, then apply it) or `reject`
    (a reason is required)."""
    outcome = actions.decide_recommendation(ctx, recommendation_id, body.action, body.reason, body.expected_status)
    return {
        "recommendation": _recommendation(outcome.recommendation),
        "intervention": _detail(outcome.intervention) if outcome.intervention else None,
    }


@router.get("/interventions", response_model=schemas.InterventionPage)
def list_interventions(
    org_id: uuid.UUID,
    ctx: TenantContext = Depends(org_member(READ)),
    status: InterventionStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    page = queries.intervention_page(ctx, status=status, limit=limit, cursor=cursor)
    return {"items": [_intervention(i) for i in page.items], "next_cursor": page.next_cursor}


@router.post("/interventions", status_code=201, response_model=schemas.InterventionDetailOut)
def propose_intervention(
    org_id: uuid.UUID, body: InterventionCreate, ctx: TenantContext = Depends(org_member(INTERVENE))
) -> dict[str, Any]:
    """Propose an intervention (nothing changes until it is applied); answers its blast radius."""
    detail = actions.propose_intervention(
        ctx, body.type, [str(t) for t in body.target_ids], body.plan_params(), body.reason, body.ttl_seconds
    )
    return _detail(detail)


@router.get("/interventions/{intervention_id}", response_model=schemas.InterventionDetailOut)
def get_intervention(
    org_id: uuid.UUID, intervention_id: uuid.UUID, ctx: TenantContext = Depends(org_member(READ))
) -> dict[str, Any]:
    """An intervention and its blast radius: what applying it would change now, or what it changed."""
    return _detail(queries.intervention_detail(ctx, intervention_id))


@router.post("/interventions/{intervention_id}/update", response_model=schemas.InterventionDetailOut)
def decide_intervention(
    org_id: uuid.UUID,
    intervention_id: uuid.UUID,
    body: InterventionDecision,
    ctx: TenantContext = Depends(org_member(INTERVENE)),
) -> dict[str, Any]:
    """`apply` (optional `ttl_seconds`: the system reverses it then), `discard` or `reverse`; each
    with a reason. Reversing writes back exactly the previous state (409 if a later change holds it)."""
    detail = actions.decide_intervention(
        ctx, intervention_id, body.action, body.reason, body.expected_status, body.ttl_seconds
    )
    return _detail(detail)
