"""`/graph`: the participant graph (React Flow, laid out on the server), filtered by segment, role
and search, at most 2,000 participants at a time (most connected first; "Next" pages on); a click
on a participant opens its panel: details, relationships, recommendations (accept → blast radius →
apply; reject) and its intervention history (reverse). `/graph?participant=<id>` (a search hit) opens
that participant's panel."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.graph import views
from app.web.graph.decide import (
    DecideMixin,
    proposal_dialog,
    reason_dialog,
    recommendation_card,
    status_badge,
    text_arg,
)
from app.web.graph.flow import flow
from app.web.graph.rows import (
    FlowEdge,
    FlowNode,
    InterventionRow,
    ParticipantRow,
    RecommendationRow,
    RelationshipRow,
    SegmentChip,
)
from app.web.kit import controls, feedback
from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.graph.permissions import INTERVENE, READ
from engine.graph.segments import SEGMENT_KEYS, SEGMENTS
from engine.graph.vocab import PARTICIPANT_ROLES

PAGE = views.PAGE_SIZE


class GraphState(DecideMixin, AuthState):
    loading: bool = False
    segment: str = ANY
    participant_role: str = ANY
    q: str = ""
    offset: int = 0
    clustered: bool = False  # the graph folded into one cluster per primary segment
    nodes: list[FlowNode] = []
    edges: list[FlowEdge] = []
    chips: list[SegmentChip] = []
    shown: int = 0
    matching: int = 0
    total: int = 0
    panel_open: bool = False
    participant: ParticipantRow = ParticipantRow()
    relationships: list[RelationshipRow] = []
    recommendations: list[RecommendationRow] = []
    interventions: list[InterventionRow] = []
    # React Flow fits the view when it mounts: a new key per fetch remounts it on the new nodes
    render_key: int = 0
    _shown_ids: list[str] = []

    _read_permission: ClassVar[str] = READ

    async def _fetch(self, ctx: TenantContext) -> None:
        segment = self.segment if self.segment in SEGMENT_KEYS else None
        role = self.participant_role if self.participant_role in PARTICIPANT_ROLES else None
        if self.clustered:
            ok, screen = await call(self, views.cluster_screen, ctx, role, self.q.strip())
        else:
            ok, screen = await call(self, views.graph_screen, ctx, segment, role, self.q.strip(), self.offset)
        if not ok:
            return
        self.nodes, self.edges = screen.nodes, screen.edges
        self.chips = screen.chips or self.chips  # clusters keep the segment chips of the last node view
        self.shown, self.matching, self.total, self.offset = screen.shown, screen.matching, screen.total, screen.offset
        self._shown_ids = [n.id for n in screen.nodes]
        self.render_key += 1

    async def _open(self, ctx: TenantContext, participant_id: str) -> None:
        ok, screen = await call(self, views.participant_screen, ctx, participant_id)
        if not ok:
            self.panel_open = False
            return
        self.participant, self.relationships = screen.participant, screen.relationships
        self.recommendations, self.interventions = screen.recommendations, screen.interventions
        self._open_recommendations = [r.id for r in screen.recommendations if r.open]
        self._reversible = [i.id for i in screen.interventions if i.reversible]
        self._proposed = [i.id for i in screen.interventions if i.proposed]
        self.panel_open = True

    async def _after_change(self, ctx: TenantContext) -> None:
        await self._fetch(ctx)
        if self.panel_open and self.participant.id:
            await self._open(ctx, self.participant.id)

    @rx.event
    async def load(self):
        self.error = self.notice = ""
        self.panel_open = self.proposal_open = self.reason_open = self.clustered = False
        self.loading = True
        yield
        ctx = await self._require(READ)
        if ctx is not None:
            self.can_intervene = ctx.can(INTERVENE)
            await self._fetch(ctx)
            # `/graph?participant=<id>` (a search hit): its panel opens, wherever it is in the graph
            linked = fmt.parse_uuid(self.router.url.query_parameters.get("participant", ""))
            if linked is not None:
                await self._open(ctx, str(linked))
        self.loading = False

    async def _refilter(self):
        ctx = await self._require(READ)
        if ctx is None:
            return
        self.offset, self.panel_open = 0, False
        self.loading = True
        yield
        await self._fetch(ctx)
        self.loading = False

    @rx.event
    async def set_segment(self, value: str):
        value = text_arg(value)
        self.segment = value if value in SEGMENT_KEYS else ANY
        self.clustered = False  # a segment is opened node by node
        async for _ in self._refilter():
            yield

    @rx.event
    async def toggle_clusters(self):
        """Between the participants (2,000 at a time) and the whole graph folded into clusters."""
        self.clustered = not self.clustered
        async for _ in self._refilter():
            yield

    @rx.event
    async def set_participant_role(self, value: str):
        value = text_arg(value)
        self.participant_role = value if value in PARTICIPANT_ROLES else ANY
        async for _ in self._refilter():
            yield

    @rx.event
    def set_q(self, value: str):
        self.q = text_arg(value)[:100]

    @rx.event
    async def search(self, _form: dict | None = None):
        async for _ in self._refilter():
            yield

    @rx.event
    async def page_by(self, step: int):
        ctx = await self._require(READ)
        if ctx is None or type(step) is not int:
            return
        target = self.offset + (PAGE if step > 0 else -PAGE)
        if target < 0 or target >= max(self.matching, 1):
            return
        self.offset, self.loading = target, True
        yield
        await self._fetch(ctx)
        self.loading = False

    @rx.event
    async def open_participant(self, participant_id: str):
        """A node click: a participant's panel, or (clusters) the cluster's segment node by node."""
        ctx = await self._require(READ)
        participant_id = text_arg(participant_id)
        if ctx is None or participant_id not in self._shown_ids:
            return
        self.error = self.notice = ""
        if self.clustered:
            key = participant_id.removeprefix(views.CLUSTER_PREFIX)
            if key in SEGMENT_KEYS:
                self.segment, self.clustered = key, False
                async for _ in self._refilter():
                    yield
            return
        await self._open(ctx, participant_id)

    @rx.event
    async def open_related(self, participant_id: str):
        """A relationship's other end, from the panel (it may be off this page of the graph)."""
        ctx = await self._require(READ)
        participant_id = text_arg(participant_id)
        if ctx is None or not participant_id or all(r.other_id != participant_id for r in self.relationships):
            return
        await self._open(ctx, participant_id)

    @rx.event
    def close_panel(self):
        self.panel_open = False


def _chip(chip: Var) -> rx.Component:
    return rx.tooltip(
        rx.button(
            chip.label,
            rx.badge(chip.count, variant="solid", color_scheme="gray", size="1"),
            size="1",
            variant=rx.cond(GraphState.segment == chip.key, "solid", "soft"),
            on_click=GraphState.set_segment(rx.cond(GraphState.segment == chip.key, ANY, chip.key)),
            data_testid="segment-chip",
            data_segment=chip.key,
        ),
        content=chip.definition,
    )


def _filters() -> rx.Component:
    s = GraphState
    return rx.hstack(
        controls.choice(
            [(seg.key, seg.label) for seg in SEGMENTS],
            s.segment,
            s.set_segment,
            "Segment",
            every="All segments",
            data_testid="segment-filter",
        ),
        controls.choice(
            [(r, r.capitalize()) for r in PARTICIPANT_ROLES],
            s.participant_role,
            s.set_participant_role,
            "Role",
            every="All roles",
            data_testid="role-filter",
        ),
        rx.form(
            rx.hstack(
                controls.search_input(
                    "Name or e-mail",
                    "Search participants",
                    value=s.q,
                    on_change=s.set_q,
                    data_testid="graph-search",
                ),
                rx.button("Search", type="submit", variant="soft", data_testid="graph-search-go"),
                spacing="2",
            ),
            on_submit=s.search,
        ),
        rx.spacer(),
        rx.cond(s.loading, rx.spinner(size="2")),
        **controls.ROW,
        width="100%",
        spacing="3",
    )


def _pager() -> rx.Component:
    s = GraphState
    return rx.hstack(
        rx.cond(
            s.clustered,
            rx.text(
                s.matching.to_string(),
                " matching participants (",
                s.total.to_string(),
                ") in ",
                s.shown.to_string(),
                " clusters, one per segment: open one to see its participants",
                size="2",
                color_scheme="gray",
                data_testid="graph-count",
            ),
            rx.text(
                "Showing ",
                s.shown.to_string(),
                " of ",
                s.matching.to_string(),
                " matching (",
                s.total.to_string(),
                " participants), most connected first",
                size="2",
                color_scheme="gray",
                data_testid="graph-count",
            ),
        ),
        rx.spacer(),
        rx.button(
            rx.cond(s.clustered, "Participants", "Clusters"),
            size="1",
            variant="soft",
            on_click=s.toggle_clusters,
            data_testid="graph-clusters",
        ),
        rx.cond(
            (s.matching > PAGE) & ~s.clustered,
            rx.hstack(
                rx.button("Previous", size="1", variant="soft", on_click=s.page_by(-1), disabled=s.offset == 0),
                rx.button(
                    "Next",
                    size="1",
                    variant="soft",
                    on_click=s.page_by(1),
                    disabled=s.offset + PAGE >= s.matching,
                    data_testid="graph-next",
                ),
            ),
        ),
        width="100%",
        align="center",
    )


def _relationship(row: Var) -> rx.Component:
    return rx.hstack(
        rx.link(row.other, on_click=GraphState.open_related(row.other_id), data_testid="relationship-other"),
        controls.hint(row.type, " · ", row.source, " · ", row.confidence),
        width="100%",
        justify="between",
        data_testid="relationship-row",
    )


def _intervention(row: Var) -> rx.Component:
    s = GraphState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.type, weight="medium", size="2"),
                rx.spacer(),
                status_badge(row.status, data_testid="intervention-status"),
                width="100%",
            ),
            rx.text(row.reason, size="2", **controls.WRAP),
            controls.hint(
                "Proposed ", row.created, rx.cond(row.applied != "", rx.text.span(" · applied ", row.applied))
            ),
            rx.cond(row.expires != "", controls.hint("Reversed automatically at ", row.expires)),
            rx.cond(row.reversed != "", controls.hint("Reversed ", row.reversed, ": ", row.reversal_reason)),
            rx.cond(
                s.can_intervene & row.reversible,
                rx.button(
                    "Reverse",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=s.open_reverse(row.id),
                    data_testid="intervention-reverse",
                ),
            ),
            rx.cond(
                s.can_intervene & row.proposed,
                rx.button(
                    "Review and apply", size="1", on_click=s.open_proposal(row.id), data_testid="intervention-open"
                ),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        data_testid="intervention-row",
    )


def _panel() -> rx.Component:
    s = GraphState
    p = s.participant
    fact = lambda label, value: rx.hstack(controls.hint(label), rx.text(value, size="2"), spacing="2")  # noqa: E731
    return rx.cond(
        s.panel_open,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(p.name, size="4", data_testid="participant-name"),
                    rx.spacer(),
                    rx.icon_button(rx.icon("x", size=16), variant="ghost", on_click=s.close_panel, aria_label="Close"),
                    width="100%",
                ),
                fact("E-mail", p.email),
                fact("Role", p.role),
                fact("Origin", p.origin),
                rx.hstack(controls.hint("Stage"), rx.badge(p.stage, variant="soft", data_testid="participant-stage")),
                fact("Last activity", p.last_activity),
                fact("Relationships", p.degree),
                rx.hstack(controls.hint("Segments"), rx.text(p.segments, size="2", data_testid="participant-segments")),
                controls.caption("Relationships"),
                rx.foreach(s.relationships, _relationship),
                controls.caption("Recommendations"),
                rx.cond(
                    s.recommendations.length() > 0,
                    rx.foreach(s.recommendations, lambda r: recommendation_card(r, s)),
                    controls.hint("None."),
                ),
                controls.caption("Intervention history"),
                rx.cond(
                    s.interventions.length() > 0,
                    rx.foreach(s.interventions, _intervention),
                    controls.hint("None."),
                ),
                spacing="2",
                width="100%",
            ),
            width=["100%", "100%", "24rem"],
            min_width=["0", "0", "24rem"],
            max_height="75vh",
            overflow="auto",
            data_testid="participant-panel",
        ),
    )


@app_page(
    "/graph", "Operator console", permission=READ, nav="Graph", icon="waypoints", order=70, on_load=GraphState.load
)
def graph_page() -> rx.Component:
    s = GraphState
    return rx.vstack(
        _filters(),
        rx.hstack(rx.foreach(s.chips, _chip), spacing="2", wrap="wrap"),
        feedback.messages(s.error, s.notice),
        _pager(),
        rx.hstack(
            rx.cond(
                s.total == 0,
                feedback.empty("No participants in this organization yet.", "waypoints", "graph-empty"),
                flow(
                    s.nodes,
                    s.edges,
                    s.open_participant,
                    height="75vh",
                    width="100%",
                    min_width="0",
                    border=f"1px solid {rx.color('gray', 6)}",
                    border_radius="8px",
                    background="white",
                    data_testid="graph-canvas",
                    key=s.render_key,
                ),
            ),
            _panel(),
            width="100%",
            align="start",
            spacing="3",
        ),
        proposal_dialog(s),
        reason_dialog(s),
        spacing="3",
        width="100%",
    )
