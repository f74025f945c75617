"""Read models for the operator console's pages and routes: each takes `ctx`, checks `graph.read`,
owns its transaction and records the view (models.graph.views) where the spec asks for it.

The graph as of a past time (`at`): the participants and relationships created by then, with the
fields interventions changed rolled back to what they were (engine.graph.interventions.as_of);
segments are computed at that instant too. Activity times are today's values (they have no history).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.graph import interventions as plans
from engine.graph import segments as seg
from engine.graph.interventions import TYPE_LABELS, Timeline
from engine.graph.layout import layout
from engine.graph.machines import INTERVENTION_MACHINE, RECOMMENDATION_MACHINE
from engine.graph.model import Person
from engine.graph.patterns import PATTERNS
from engine.graph.permissions import READ
from engine.graph.vocab import PARTICIPANT_ROLES
from models.core.base import utcnow
from models.core.db import tenant_session
from models.core.pagination import Page, keyset_page, parse_instant
from models.graph import graph, views
from models.graph import interventions as interventions_repo
from models.graph import recommendations as recommendations_repo
from models.graph.tables import GraphIntervention, GraphRecommendation

MAX_NODES = 2000  # the graph page shows at most this many participants at once (then pages)


@dataclass(frozen=True)
class NodeView:
    id: str
    label: str
    email: str | None
    role: str
    origin: str
    lifecycle_stage: str
    last_activity_at: datetime | None
    created_at: datetime
    degree: int
    segments: tuple[str, ...]
    x: float | None = None
    y: float | None = None


# A relationship of the graph view: the driver's own row, (id, from id, to id, type, source,
# confidence as text "0.3000") — 50,000 of them per whole-graph read, so no object is built per row.
EdgeView = tuple[str, str, str, str, str, str]
ID, FROM, TO, TYPE, SOURCE, CONFIDENCE = range(6)


@dataclass(frozen=True)
class GraphFilters:
    segment: str | None = None
    role: str | None = None
    q: str | None = None
    at: datetime | None = None
    offset: int = 0
    limit: int | None = None
    layout: bool = False

    def check(self) -> None:
        if self.segment is not None and self.segment not in seg.SEGMENT_KEYS:
            raise ValidationFailed(
                f"segment: unknown segment '{self.segment}' (one of: {', '.join(seg.SEGMENT_KEYS)})",
                fields={"segment": "unknown"},
            )
        if self.role is not None and self.role not in PARTICIPANT_ROLES:
            raise ValidationFailed(
                f"role: unknown role '{self.role}' (one of: {', '.join(PARTICIPANT_ROLES)})", fields={"role": "unknown"}
            )
        if self.offset < 0:
            raise ValidationFailed("offset: must be 0 or more", fields={"offset": "negative"})


@dataclass(frozen=True)
class GraphView:
    at: datetime
    as_of: bool
    total_participants: int
    matching: int
    offset: int
    nodes: tuple[NodeView, ...]
    edges: tuple[EdgeView, ...]
    hub_min: int
    segment_counts: dict[str, int]


@dataclass(frozen=True)
class SegmentCount:
    key: str
    label: str
    definition: str
    count: int


@dataclass(frozen=True)
class SegmentsView:
    at: datetime
    hub_min: int
    participants: int
    segments: tuple[SegmentCount, ...]


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


def _snapshot(session: Session, ctx: TenantContext, at: datetime | None) -> tuple[list[Person], list[EdgeView]]:
    """Participants and relationships now, or as they were at `at` (module docstring)."""
    people = graph.load_people(session, ctx, created_by=at)
    edges: list[EdgeView] = graph.load_edges(session, ctx, created_by=at)
    if at is None:
        return people, edges
    rows = session.exec(
        select(GraphIntervention).where(
            GraphIntervention.tenant_id == ctx.tenant_id, col(GraphIntervention.applied_at).is_not(None)
        )
    ).all()
    timelines = [
        Timeline(r.applied_at, r.reversed_at, r.previous_state, r.new_state)
        for r in rows
        if r.applied_at is not None and r.previous_state is not None
    ]
    if not timelines:
        return people, edges
    p_fields = {p.id: {"lifecycle_stage": p.lifecycle_stage} for p in people}
    e_fields = {
        e[ID]: {
            "from_participant_id": e[FROM],
            "to_participant_id": e[TO],
            "confidence_score": e[CONFIDENCE],
            "source": e[SOURCE],
        }
        for e in edges
    }
    p_then, e_then = plans.as_of(p_fields, e_fields, timelines, at)
    people = [replace(p, lifecycle_stage=p_then[p.id]["lifecycle_stage"]) for p in people]
    known = {p.id for p in people}
    rebuilt = []
    for e in edges:
        f = e_then[e[ID]]
        if f["from_participant_id"] in known and f["to_participant_id"] in known:
            rebuilt.append(
                (e[ID], f["from_participant_id"], f["to_participant_id"], e[TYPE], f["source"], f["confidence_score"])
            )
    return people, rebuilt


def _degrees(people: Sequence[Person], edges: Sequence[EdgeView]) -> dict[str, int]:
    found = Counter(e[FROM] for e in edges)
    found.update(e[TO] for e in edges)
    return {p.id: found.get(p.id, 0) for p in people}


def _node(p: Person, degree: int, keys: tuple[str, ...], xy: tuple[float, float] | None = None) -> NodeView:
    return NodeView(
        p.id,
        p.display_name,
        p.email,
        p.role,
        p.origin,
        p.lifecycle_stage,
        p.last_activity_at,
        p.created_at,
        degree,
        keys,
        xy[0] if xy else None,
        xy[1] if xy else None,
    )


def _matches(p: Person, words: Sequence[str]) -> bool:
    hay = f"{p.display_name} {p.email or ''}".casefold()
    return all(w in hay for w in words)


def build_graph(session: Session, ctx: TenantContext, filters: GraphFilters) -> GraphView:
    """The (filtered, paged) graph in the caller's transaction, without recording the view."""
    filters.check()
    now = utcnow()
    at = filters.at or now
    people, all_edges = _snapshot(session, ctx, filters.at)
    degree = _degrees(people, all_edges)
    segmentation = seg.segment(people, degree, at)
    words = (filters.q or "").casefold().split()
    chosen = [
        p
        for p in people
        if (filters.segment is None or filters.segment in segmentation.by_person[p.id])
        and (filters.role is None or p.role == filters.role)
        and (not words or _matches(p, words))
    ]
    chosen.sort(key=lambda p: (-degree[p.id], p.id))
    matching = len(chosen)
    if filters.offset or filters.limit is not None:
        end = None if filters.limit is None else filters.offset + filters.limit
        chosen = chosen[filters.offset : end]
    if len(chosen) == len(people):
        edges = all_edges
    else:
        shown = {p.id for p in chosen}
        edges = [e for e in all_edges if e[FROM] in shown and e[TO] in shown]
    where = layout([p.id for p in chosen], ((e[FROM], e[TO]) for e in edges)) if filters.layout else {}
    nodes = tuple(_node(p, degree[p.id], segmentation.by_person[p.id], where.get(p.id)) for p in chosen)
    return GraphView(
        at,
        filters.at is not None,
        len(people),
        matching,
        filters.offset,
        nodes,
        tuple(edges),
        segmentation.hub_min,
        segmentation.counts(),
    )


def graph_view(ctx: TenantContext, filters: GraphFilters) -> GraphView:
    """The graph (nodes, edges) with the filters; the view is recorded."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        found = build_graph(session, ctx, filters)
        metadata = {
            "segment": filters.segment,
            "participant_role": filters.role,
            "q": filters.q,
            "at": filters.at,
            "offset": filters.offset,
            "limit": filters.limit,
            "nodes": len(found.nodes),
            "edges": len(found.edges),
            "matching": found.matching,
        }
        views.record_view(session, ctx, views.GRAPH, "graph", ctx.tenant_id, metadata)
        return found


def _degree_counts(session: Session, ctx: TenantContext) -> dict[str, int]:
    rows = session.execute(
        text(
            "select pid::text, count(*) from (select from_participant_id pid from graph_relationships "
            "where tenant_id = :t union all select to_participant_id from graph_relationships "
            "where tenant_id = :t) e group by pid"
        ),
        {"t": ctx.tenant_id},
    ).all()
    return {r[0]: int(r[1]) for r in rows}


def segments_view(ctx: TenantContext, at: datetime | None = None) -> SegmentsView:
    """Every segment's definition and size (at `at`, default now); the view is recorded."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        if at is None:
            people = graph.load_people(session, ctx)
            degree = _degree_counts(session, ctx)
        else:
            people, edges = _snapshot(session, ctx, at)
            degree = _degrees(people, edges)
        moment = at or utcnow()
        segmentation = seg.segment(people, degree, moment)
        counts = segmentation.counts()
        found = SegmentsView(
            moment,
            segmentation.hub_min,
            len(people),
            tuple(SegmentCount(s.key, s.label, s.definition, counts[s.key]) for s in seg.SEGMENTS),
        )
        views.record_view(
            session, ctx, views.SEGMENTS, "graph", ctx.tenant_id, {"at": at, "counts": counts, "hub_min": found.hub_min}
        )
        return found


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
    people = graph.load_people(session, ctx)
    degree = _degree_counts(session, ctx)
    segmentation = seg.segment(people, degree, utcnow())
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
        _node(graph.person_of(row), degree.get(pid, 0), segmentation.by_person.get(pid, ())),
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


def recommendation_page(
    ctx: TenantContext, *, status: str | None = "open", limit: int | None = None, cursor: str | None = None
) -> Page[RecommendationView]:
    """Recommendations (open by default), the most confident first; the view is recorded."""
    ctx.require(READ)
    if status is not None and status not in RECOMMENDATION_MACHINE.states:
        raise ValidationFailed(
            f"status: unknown status '{status}' (one of: {', '.join(RECOMMENDATION_MACHINE.statuses)})",
            fields={"status": "unknown"},
        )
    with tenant_session(ctx) as session:
        query = select(GraphRecommendation).where(GraphRecommendation.tenant_id == ctx.tenant_id)
        if status is not None:
            query = query.where(GraphRecommendation.status == status)
        page = keyset_page(
            session,
            query,
            GraphRecommendation.created_at,
            GraphRecommendation.id,
            limit=limit,
            cursor=cursor,
            descending=True,
            parse=parse_instant,
        )
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
    if status is not None and status not in INTERVENTION_MACHINE.states:
        raise ValidationFailed(
            f"status: unknown status '{status}' (one of: {', '.join(INTERVENTION_MACHINE.statuses)})",
            fields={"status": "unknown"},
        )
    with tenant_session(ctx) as session:
        query = select(GraphIntervention).where(GraphIntervention.tenant_id == ctx.tenant_id)
        if status is not None:
            query = query.where(GraphIntervention.status == status)
        page = keyset_page(
            session,
            query,
            GraphIntervention.created_at,
            GraphIntervention.id,
            limit=limit,
            cursor=cursor,
            descending=True,
            parse=parse_instant,
        )
        return Page(intervention_views(session, ctx, page.items), page.next_cursor)


def intervention_id_of(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
