"""The operator console's queries and actions, shaped into display rows (these run in a worker
thread; pages call them through kit.calls)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from app.web.graph.rows import (
    ChangeRow,
    FlowData,
    FlowEdge,
    FlowNode,
    FlowPosition,
    InterventionRow,
    ParticipantRow,
    Proposal,
    RecommendationRow,
    RelationshipRow,
    SegmentChip,
)
from app.web.kit import format as fmt
from engine.context import TenantContext
from engine.graph.clusters import OTHER, Cluster, ClusterLink
from engine.graph.segments import SEGMENTS
from models.graph import actions, graph_queries, queries

PAGE_SIZE = graph_queries.MAX_NODES
# segment → node colour (first matching segment wins, in this order); no segment: slate
NODE_COLORS: tuple[tuple[str, str], ...] = (
    ("hub", "#6e56cf"),
    ("dormant", "#e5484d"),
    ("at_risk", "#f76b15"),
    ("isolated", "#8b8d98"),
    ("new", "#0090ff"),
    ("active", "#30a46c"),
)
NODE_SIZE = 34


@dataclass(frozen=True)
class GraphScreen:
    nodes: list[FlowNode]
    edges: list[FlowEdge]
    chips: list[SegmentChip]
    shown: int
    matching: int
    total: int
    offset: int


def _colour(segments: tuple[str, ...], origin: str) -> str:
    if origin == "system":
        return "#1c2024"
    return next((c for key, c in NODE_COLORS if key in segments), "#60646c")


def _initials(name: str) -> str:
    parts = [p for p in name.replace(".", " ").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def _flow_node(n: graph_queries.NodeView) -> FlowNode:
    size = NODE_SIZE + min(n.degree, 20) * 2
    return FlowNode(
        id=n.id,
        position=FlowPosition(n.x or 0.0, n.y or 0.0),
        data=FlowData(_initials(n.label)),
        style={
            "width": f"{size}px",
            "height": f"{size}px",
            "borderRadius": "50%",
            "padding": "0",
            "display": "flex",
            "alignItems": "center",
            "justifyContent": "center",
            "fontSize": "10px",
            "color": "white",
            "border": "2px solid white",
            "background": _colour(n.segments, n.origin),
        },
        ariaLabel=f"{n.label} ({', '.join(n.segments) or 'no segment'})",
    )


def _flow_edge(e: graph_queries.EdgeView) -> FlowEdge:
    style = {"stroke": "#b9bbc6", "strokeWidth": "1"}
    if e[graph_queries.SOURCE] == "inferred":
        style["strokeDasharray"] = "4 3"
    return FlowEdge(id=e[graph_queries.ID], source=e[graph_queries.FROM], target=e[graph_queries.TO], style=style)


CLUSTER_PREFIX = "cluster:"
CLUSTER_LABELS = {**{s.key: s.label for s in SEGMENTS}, OTHER: "In no segment"}
CLUSTER_COLORS = {**dict(NODE_COLORS), OTHER: "#60646c"}


def _cluster_node(c: Cluster, index: int, count: int) -> FlowNode:
    """A cluster on a circle (the clusters are few), sized by how many participants it holds."""
    size = 70 + round(14 * math.log10(c.participants + 1))
    angle = 2 * math.pi * index / max(count, 1)
    radius = 0.0 if count == 1 else 320.0
    return FlowNode(
        id=f"{CLUSTER_PREFIX}{c.key}",
        position=FlowPosition(radius * math.cos(angle), radius * math.sin(angle)),
        data=FlowData(f"{CLUSTER_LABELS[c.key]} · {c.participants:,}"),
        style={
            "width": f"{size * 2}px",
            "height": f"{size}px",
            "borderRadius": "12px",
            "padding": "4px",
            "display": "flex",
            "alignItems": "center",
            "justifyContent": "center",
            "textAlign": "center",
            "fontSize": "12px",
            "color": "white",
            "border": "2px solid white",
            "background": CLUSTER_COLORS[c.key],
        },
        ariaLabel=f"{CLUSTER_LABELS[c.key]}: {c.participants:,} participants, {c.inside:,} relationships inside",
    )


def _cluster_edge(link: ClusterLink) -> FlowEdge:
    width = 1 + min(round(math.log10(link.relationships + 1) * 2), 8)
    return FlowEdge(
        id=f"{CLUSTER_PREFIX}{link.a}-{link.b}",
        source=f"{CLUSTER_PREFIX}{link.a}",
        target=f"{CLUSTER_PREFIX}{link.b}",
        style={"stroke": "#b9bbc6", "strokeWidth": str(width)},
        label=f"{link.relationships:,}",
    )


def cluster_screen(ctx: TenantContext, role: str | None, q: str) -> GraphScreen:
    """The graph folded into clusters (one per primary segment): opening one filters by its segment."""
    found = graph_queries.cluster_view(ctx, graph_queries.GraphFilters(role=role, q=q or None))
    count = len(found.clusters)
    return GraphScreen(
        [_cluster_node(c, i, count) for i, c in enumerate(found.clusters)],
        [_cluster_edge(link) for link in found.links],
        [],
        count,
        found.matching,
        found.total_participants,
        0,
    )


def graph_screen(ctx: TenantContext, segment: str | None, role: str | None, q: str, offset: int) -> GraphScreen:
    found = graph_queries.graph_view(
        ctx,
        graph_queries.GraphFilters(
            segment=segment, role=role, q=q or None, offset=offset, limit=PAGE_SIZE, layout=True
        ),
    )
    chips = [SegmentChip(s.key, s.label, f"{found.segment_counts.get(s.key, 0):,}", s.definition) for s in SEGMENTS]
    return GraphScreen(
        [_flow_node(n) for n in found.nodes],
        [_flow_edge(e) for e in found.edges],
        chips,
        len(found.nodes),
        found.matching,
        found.total_participants,
        found.offset,
    )


def recommendation_row(r: queries.RecommendationView) -> RecommendationRow:
    return RecommendationRow(
        r.id,
        r.pattern_label,
        r.target_label,
        r.action_label,
        r.reason,
        f"{r.confidence:.2f}",
        r.status,
        fmt.when(r.created_at),
        r.status == "open",
    )


def intervention_row(i: queries.InterventionView) -> InterventionRow:
    return InterventionRow(
        i.id,
        i.type_label,
        ", ".join(i.target_labels),
        i.reason,
        i.status,
        fmt.when(i.created_at),
        fmt.when(i.applied_at),
        fmt.when(i.expires_at),
        fmt.when(i.reversed_at),
        i.reversal_reason or "",
        i.operator_role,
        any(a.action == "reverse" for a in i.actions),
        i.status == "proposed",
    )


@dataclass(frozen=True)
class ParticipantScreen:
    participant: ParticipantRow
    relationships: list[RelationshipRow]
    recommendations: list[RecommendationRow]
    interventions: list[InterventionRow]


def participant_screen(ctx: TenantContext, participant_id: str) -> ParticipantScreen:
    d = queries.participant_detail(ctx, participant_id)
    p = d.participant
    return ParticipantScreen(
        ParticipantRow(
            p.id,
            p.label,
            p.email or "",
            p.role,
            p.origin,
            p.lifecycle_stage,
            fmt.when(p.last_activity_at) or "never",
            fmt.when(p.created_at),
            str(p.degree),
            ", ".join(fmt.label(s) for s in p.segments) or "none",
        ),
        [
            RelationshipRow(r.id, r.other_id, r.other_label, r.direction, r.type, r.source, f"{r.confidence:.2f}")
            for r in d.relationships
        ],
        [recommendation_row(r) for r in d.recommendations],
        [intervention_row(i) for i in d.interventions],
    )


def proposal_of(detail: queries.InterventionDetail) -> Proposal:
    radius = detail.blast_radius
    return Proposal(
        intervention_row(detail.intervention),
        [ChangeRow(c.label, fmt.label(c.field), c.before, c.after) for c in radius.changes],
        str(len(radius.participants_changed)),
        str(len(radius.relationships_changed)),
        str(len(radius.participants_touched)),
        str(len(radius.relationships_touched)),
        ", ".join(sorted(radius.labels.get(p, p) for p in radius.participants_touched)[:20]),
    )


def accept(ctx: TenantContext, recommendation_id: str, reason: str) -> Proposal:
    outcome = actions.decide_recommendation(ctx, recommendation_id, "accept", reason or None, "open")
    if outcome.intervention is None:  # accept always proposes one
        raise RuntimeError("accepting did not propose an intervention")
    return proposal_of(outcome.intervention)


def reject(ctx: TenantContext, recommendation_id: str, reason: str) -> None:
    actions.decide_recommendation(ctx, recommendation_id, "reject", reason, "open")


def proposal(ctx: TenantContext, intervention_id: str) -> Proposal:
    return proposal_of(queries.intervention_detail(ctx, intervention_id))


def decide_intervention(
    ctx: TenantContext, intervention_id: str, action: str, reason: str, expected: str, ttl: Any
) -> None:
    actions.decide_intervention(ctx, intervention_id, action, reason, expected, ttl)


def recommendation_rows(
    ctx: TenantContext, status: str | None, cursor: str | None
) -> tuple[list[RecommendationRow], str | None]:
    page = queries.recommendation_page(ctx, status=status, limit=50, cursor=cursor)
    return [recommendation_row(r) for r in page.items], page.next_cursor


def run_recommendations(ctx: TenantContext) -> str:
    return str(actions.run_recommendations(ctx))
