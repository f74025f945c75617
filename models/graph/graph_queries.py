"""Read models of the whole graph: the (filtered, paged, laid out) participants and relationships
(`graph_view`) and the segments' sizes (`segments_view`). Each takes `ctx`, checks `graph.read`,
owns its transaction and records the view (models.graph.views). Split from models.graph.queries
(participants, recommendations, interventions), which uses `NodeView` and the degree helpers.

The graph as of a past time (`at`): the participants and relationships created by then, with the
fields interventions changed rolled back to what they were (engine.graph.interventions.as_of);
segments are computed at that instant too. Activity times are today's values (they have no history).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import polars as pl
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.graph import interventions as plans
from engine.graph import segments as seg
from engine.graph.clusters import Cluster, ClusterLink, fold, primary
from engine.graph.interventions import Timeline
from engine.graph.layout import layout
from engine.graph.model import Person
from engine.graph.permissions import READ
from engine.graph.vocab import PARTICIPANT_ROLES
from models.core.base import utcnow
from models.core.db import tenant_session
from models.graph import current, graph, views
from models.graph.tables import GraphIntervention

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
    edge_frame: pl.DataFrame  # the relationships between `nodes`, id order (models.graph.graph.EDGE_SCHEMA)
    hub_min: int
    segment_counts: dict[str, int]

    @property
    def edges(self) -> tuple[EdgeView, ...]:
        """The relationships as rows (the page's few thousand; the API encodes `edge_frame` itself)."""
        return tuple(self.edge_frame.rows())


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


def _snapshot(
    session: Session, ctx: TenantContext, at: datetime | None
) -> tuple[Sequence[Person], pl.DataFrame, dict[str, int]]:
    """Participants, relationships and degrees now (kept between reads: models.graph.current), or
    as they were at `at` (module docstring)."""
    if at is None:
        now = current.current(session, ctx)
        return now.people, now.edges, now.degree
    people = graph.load_people(session, ctx, created_by=at)
    frame = graph.load_edge_frame(session, ctx, created_by=at)
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
        return people, frame, current.degrees(people, frame)
    edges: list[EdgeView] = frame.rows()
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
            ends = (f["from_participant_id"], f["to_participant_id"])
            rebuilt.append((e[ID], *map(str, ends), e[TYPE], str(f["source"]), str(f["confidence_score"])))
    frame = pl.DataFrame(rebuilt, schema=graph.EDGE_SCHEMA, orient="row")
    return people, frame, current.degrees(people, frame)


def node_of(p: Person, degree: int, keys: tuple[str, ...], xy: tuple[float, float] | None = None) -> NodeView:
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
    people, all_edges, degree = _snapshot(session, ctx, filters.at)
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
        shown = [p.id for p in chosen]
        edges = all_edges.filter(pl.col("from").is_in(shown) & pl.col("to").is_in(shown))
    ends = zip(edges["from"].to_list(), edges["to"].to_list(), strict=True)
    where = layout([p.id for p in chosen], ends) if filters.layout else {}
    nodes = tuple(node_of(p, degree[p.id], segmentation.by_person[p.id], where.get(p.id)) for p in chosen)
    return GraphView(
        at,
        filters.at is not None,
        len(people),
        matching,
        filters.offset,
        nodes,
        edges,
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
            "edges": found.edge_frame.height,
            "matching": found.matching,
        }
        views.record_view(session, ctx, views.GRAPH, "graph", ctx.tenant_id, metadata)
        return found


def segments_view(ctx: TenantContext, at: datetime | None = None) -> SegmentsView:
    """Every segment's definition and size (at `at`, default now); the view is recorded."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        people, _, degree = _snapshot(session, ctx, at)
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


@dataclass(frozen=True)
class ClusterView:
    at: datetime
    total_participants: int
    matching: int
    clusters: tuple[Cluster, ...]
    links: tuple[ClusterLink, ...]


def cluster_view(ctx: TenantContext, filters: GraphFilters) -> ClusterView:
    """The graph folded into clusters (engine.graph.clusters) for the participants the filters
    match (`segment` and paging aside: a cluster is a segment); the view is recorded."""
    ctx.require(READ)
    filters.check()
    with tenant_session(ctx) as session:
        at = filters.at or utcnow()
        people, edges, degree = _snapshot(session, ctx, filters.at)
        segmentation = seg.segment(people, degree, at)
        words = (filters.q or "").casefold().split()
        cluster_of = {
            p.id: primary(segmentation.by_person[p.id])
            for p in people
            if (filters.role is None or p.role == filters.role) and (not words or _matches(p, words))
        }
        clusters, links = fold(cluster_of, zip(edges["from"].to_list(), edges["to"].to_list(), strict=True))
        found = ClusterView(at, len(people), len(cluster_of), tuple(clusters), tuple(links))
        metadata = {
            "clusters": len(found.clusters),
            "participant_role": filters.role,
            "q": filters.q,
            "at": filters.at,
            "matching": found.matching,
        }
        views.record_view(session, ctx, views.GRAPH, "graph", ctx.tenant_id, metadata)
        return found
