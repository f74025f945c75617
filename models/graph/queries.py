"""Read models for the operator console's participants, recommendations and interventions: each
takes `ctx`, checks `graph.read`, owns its transaction and records the view (models.graph.views)
where the spec asks for it. The whole graph and the segments are models.graph.graph_queries.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.graph import segments as seg
from engine.graph.interventions import TYPE_LABELS
from engine.graph.machines import INTERVENTION_MACHINE, RECOMMENDATION_MACHINE
from engine.graph.patterns import PATTERNS
from engine.graph.permissions import READ
from models.core.base import utcnow
from models.core.db import tenant_session
from models.core.pagination import Page, keyset_page, parse_instant
from models.graph import graph, views
from models.graph import interventions as interventions_repo
from models.graph import recommendations as recommendations_repo
from models.graph.current import current
from models.graph.graph_queries import NodeView, node_of
from models.graph.tables import GraphIntervention, GraphRecommendation


@dataclass(frozen=True)
class ActionView:
    action: str
    label: str
    reason_required: bool


@dataclass(frozen=True)
class RecommendationView:
    id: str
    pattern: str
    pattern_label: str
    target_type: str
    target_id: str
    target_label: str
    suggested_action: str
    action_label: str
    params: dict[str, Any]
    reason: str
    confidence: Decimal
    status: str
    intervention_id: str | None
    created_at: datetime
    actions: tuple[ActionView, ...]


@dataclass(frozen=True)
class InterventionView:
    id: str
    type: str
    type_label: str
    scope: str
    target_ids: tuple[str, ...]
    target_labels: tuple[str, ...]
    params: dict[str, Any]
    reason: str
    status: str
    previous_state: dict[str, Any] | None
    new_state: dict[str, Any]
    recommendation_id: str | None
    operator_user_id: str | None
    operator_role: str
    ttl_seconds: int | None
    created_at: datetime
    applied_at: datetime | None
    expires_at: datetime | None
    reversed_at: datetime | None
    reversed_by_user_id: str | None
    reversal_reason: str | None
    actions: tuple[ActionView, ...]


@dataclass(frozen=True)
class ChangeView:
    kind: str  # participants | relationships
    id: str
    label: str
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class BlastRadiusView:
    participants_changed: tuple[str, ...]
    relationships_changed: tuple[str, ...]
    participants_touched: tuple[str, ...]
    relationships_touched: tuple[str, ...]
    changes: tuple[ChangeView, ...]
    labels: dict[str, str]


@dataclass(frozen=True)
class InterventionDetail:
    intervention: InterventionView
    blast_radius: BlastRadiusView


@dataclass(frozen=True)
class RelationshipView:
    id: str
    other_id: str
    other_label: str
    direction: str  # out | in
    type: str
    source: str
    confidence: Decimal
    created_at: datetime


@dataclass(frozen=True)
class ParticipantDetail:
    participant: NodeView
    hub_min: int
    relationships: tuple[RelationshipView, ...]
    recommendations: tuple[RecommendationView, ...]
    interventions: tuple[InterventionView, ...]


def _actions(machine: Any, row: Any, ctx: TenantContext) -> tuple[ActionView, ...]:
    return tuple(ActionView(t.action, t.display, t.reason_required) for t in machine.actions_for(row, ctx))


def recommendation_views(
    session: Session, ctx: TenantContext, rows: Sequence[GraphRecommendation]
) -> list[RecommendationView]:
    targets = [str(r.target_id) for r in rows if r.target_type == "participant"]
    rel_ids = [str(r.target_id) for r in rows if r.target_type == "relationship"]
    rels = {lnk.id: lnk for lnk in graph.load_links_by_id(session, ctx, rel_ids)} if rel_ids else {}
    labels = graph.names(
        session,
        ctx,
        [
            *targets,
            *(e for lnk in rels.values() for e in (lnk.from_id, lnk.to_id)),
            *(str(r.params.get("primary_id", "")) for r in rows if r.params.get("primary_id")),
        ],
    )

    def label(r: GraphRecommendation) -> str:
        tid = str(r.target_id)
        if r.target_type == "relationship":
            lnk = rels.get(tid)
            return f"{labels.get(lnk.from_id, '?')} – {labels.get(lnk.to_id, '?')}" if lnk else tid
        return labels.get(tid, tid)

    return [
        RecommendationView(
            str(r.id),
            r.pattern,
            PATTERNS.get(r.pattern, r.pattern),
            r.target_type,
            str(r.target_id),
            label(r),
            r.suggested_action,
            TYPE_LABELS.get(r.suggested_action, r.suggested_action),
            dict(r.params),
            r.reason,
            r.confidence,
            r.status,
            str(r.intervention_id) if r.intervention_id else None,
            r.created_at,
            _actions(RECOMMENDATION_MACHINE, r, ctx),
        )
        for r in rows
    ]


def intervention_views(
    session: Session, ctx: TenantContext, rows: Sequence[GraphIntervention]
) -> list[InterventionView]:
    ids = {t for r in rows for t in r.target_ids}
    labels = graph.names(session, ctx, ids)
    rel_ids = [t for t in ids if t not in labels]
    rels = graph.load_links_by_id(session, ctx, rel_ids) if rel_ids else []
    ends = graph.names(session, ctx, {e for lnk in rels for e in (lnk.from_id, lnk.to_id)})
    for lnk in rels:
        labels[lnk.id] = f"{ends.get(lnk.from_id, '?')} – {ends.get(lnk.to_id, '?')}"
    return [
        InterventionView(
            str(r.id),
            r.type,
            TYPE_LABELS.get(r.type, r.type),
            r.scope,
            tuple(r.target_ids),
            tuple(labels.get(t, t) for t in r.target_ids),
            dict(r.params),
            r.reason,
            r.status,
            r.previous_state,
            r.new_state,
            str(r.recommendation_id) if r.recommendation_id else None,
            str(r.operator_user_id) if r.operator_user_id else None,
            r.operator_role,
            r.ttl_seconds,
            r.created_at,
            r.applied_at,
            r.expires_at,
            r.reversed_at,
            str(r.reversed_by_user_id) if r.reversed_by_user_id else None,
            r.reversal_reason,
            _actions(INTERVENTION_MACHINE, r, ctx),
        )
        for r in rows
    ]


def participant_detail_in(session: Session, ctx: TenantContext, participant_id: Any) -> ParticipantDetail:
    row = graph.get_participant(session, ctx, participant_id)
    pid = str(row.id)
    now = current(session, ctx)
    degree = now.degree
    segmentation = seg.segment(now.people, degree, utcnow())
    links = graph.load_links(session, ctx, touching=[pid])
    others = graph.names(session, ctx, {lnk.to_id if lnk.from_id == pid else lnk.from_id for lnk in links})
    relationships = tuple(
        RelationshipView(
            lnk.id,
            other,
            others.get(other, other),
            "out" if lnk.from_id == pid else "in",
            lnk.type,
            lnk.source,
            lnk.confidence,
            lnk.created_at,
        )
        for lnk in links
        for other in [lnk.to_id if lnk.from_id == pid else lnk.from_id]
    )
    rel_ids = [lnk.id for lnk in links]
    recs = recommendations_repo.for_participant(session, ctx, pid, rel_ids)
    ivs = interventions_repo.touching(session, ctx, pid, rel_ids)
    return ParticipantDetail(
        node_of(graph.person_of(row), degree.get(pid, 0), segmentation.by_person.get(pid, ())),
        segmentation.hub_min,
        relationships,
        tuple(recommendation_views(session, ctx, recs)),
        tuple(intervention_views(session, ctx, ivs)),
    )


def participant_detail(ctx: TenantContext, participant_id: Any) -> ParticipantDetail:
    """One participant with its relationships, recommendations and interventions; recorded."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        found = participant_detail_in(session, ctx, participant_id)
        metadata = {
            "relationships": len(found.relationships),
            "recommendations": len(found.recommendations),
            "interventions": len(found.interventions),
        }
        views.record_view(session, ctx, views.PARTICIPANT, "graph_participants", found.participant.id, metadata)
        return found


def _newest_first(
    session: Session,
    ctx: TenantContext,
    model: Any,
    machine: Any,
    status: str | None,
    limit: int | None,
    cursor: str | None,
) -> Page[Any]:
    """A keyset page of the tenant's rows of `model` (a recommendation or intervention table),
    newest first, of one `status` of its machine (any when None); an unknown status names the field."""
    if status is not None and status not in machine.states:
        raise ValidationFailed(
            f"status: unknown status '{status}' (one of: {', '.join(machine.statuses)})", fields={"status": "unknown"}
        )
    query = select(model).where(model.tenant_id == ctx.tenant_id)
    if status is not None:
        query = query.where(model.status == status)
    return keyset_page(
        session, query, model.created_at, model.id, limit=limit, cursor=cursor, descending=True, parse=parse_instant
    )


def recommendation_page(
    ctx: TenantContext, *, status: str | None = "open", limit: int | None = None, cursor: str | None = None
) -> Page[RecommendationView]:
    """Recommendations (open by default), the most confident first; the view is recorded."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        page = _newest_first(session, ctx, GraphRecommendation, RECOMMENDATION_MACHINE, status, limit, cursor)
        items = recommendation_views(session, ctx, page.items)
        views.record_view(
            session,
            ctx,
            views.RECOMMENDATIONS,
            "graph_recommendations",
            ctx.tenant_id,
            {"status": status, "cursor": cursor, "shown": len(items)},
        )
        return Page(items, page.next_cursor)


def recommendation_detail(ctx: TenantContext, recommendation_id: Any) -> RecommendationView:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        row = graph.get_recommendation(session, ctx, recommendation_id)
        found = recommendation_views(session, ctx, [row])[0]
        views.record_view(session, ctx, views.RECOMMENDATION, "graph_recommendations", row.id, {"status": row.status})
        return found


def blast_radius_view(session: Session, ctx: TenantContext, row: GraphIntervention) -> BlastRadiusView:
    radius = interventions_repo.blast_radius_of(session, ctx, row)
    people = {*radius.participants_changed, *radius.participants_touched}
    labels = graph.names(session, ctx, people)
    changes = tuple(
        ChangeView(
            kind,
            rid,
            labels.get(rid, rid),
            field,
            labels.get(before, before) if field.endswith("_participant_id") else before,
            labels.get(after, after) if field.endswith("_participant_id") else after,
        )
        for kind, rid, field, before, after in radius.fields
    )
    return BlastRadiusView(
        radius.participants_changed,
        radius.relationships_changed,
        radius.participants_touched,
        radius.relationships_touched,
        changes,
        labels,
    )


def intervention_detail_in(session: Session, ctx: TenantContext, row: GraphIntervention) -> InterventionDetail:
    return InterventionDetail(intervention_views(session, ctx, [row])[0], blast_radius_view(session, ctx, row))


def intervention_detail(ctx: TenantContext, intervention_id: Any) -> InterventionDetail:
    """An intervention with its blast radius (what applying would change, or what it changed)."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        row = graph.get_intervention(session, ctx, intervention_id)
        found = intervention_detail_in(session, ctx, row)
        views.record_view(
            session,
            ctx,
            views.INTERVENTION,
            "graph_interventions",
            row.id,
            {"status": row.status, "changed": len(found.blast_radius.changes)},
        )
        return found


def intervention_page(
    ctx: TenantContext, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Page[InterventionView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        page = _newest_first(session, ctx, GraphIntervention, INTERVENTION_MACHINE, status, limit, cursor)
        return Page(intervention_views(session, ctx, page.items), page.next_cursor)


def intervention_id_of(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
