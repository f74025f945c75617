"""`/graph/recommendations`: the recommendations queue (open first; a status filter), each with its
reason and confidence; accept (its intervention's blast radius, then apply) or reject with a reason;
"Run now" queues the generator (job graph.recommend)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from app.web.graph import views
from app.web.graph.decide import DecideMixin, proposal_dialog, reason_dialog, recommendation_card, text_arg
from app.web.graph.rows import RecommendationRow
from app.web.kit import controls, feedback
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.kit.table import load_more
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.graph.machines import RECOMMENDATION_MACHINE
from engine.graph.permissions import INTERVENE, READ


class RecommendationsState(DecideMixin, AuthState):
    loading: bool = False
    status: str = "open"
    rows: list[RecommendationRow] = []
    has_more: bool = False
    _cursor: str = ""

    _read_permission: ClassVar[str] = READ

    async def _fetch(self, ctx: TenantContext, *, append: bool) -> None:
        status = self.status if self.status in RECOMMENDATION_MACHINE.statuses else None
        ok, found = await call(self, views.recommendation_rows, ctx, status, self._cursor if append else None)
        if not ok:
            return
        rows, cursor = found
        self.rows = [*self.rows, *rows] if append else rows
        self._cursor, self.has_more = cursor or "", bool(cursor)
        self._open_recommendations = [r.id for r in self.rows if r.open]

    async def _after_change(self, ctx: TenantContext) -> None:
        await self._fetch(ctx, append=False)

    @rx.event
    async def load(self):
        self.error = self.notice = ""
        self.proposal_open = self.reason_open = False
        self.loading = True
        yield
        ctx = await self._require(READ)
        if ctx is not None:
            self.can_intervene = ctx.can(INTERVENE)
            await self._fetch(ctx, append=False)
        self.loading = False

    @rx.event
    async def set_status(self, value: str):
        value = text_arg(value)
        self.status = value if value in RECOMMENDATION_MACHINE.statuses else ANY
        ctx = await self._require(READ)
        if ctx is not None:
            await self._fetch(ctx, append=False)

    @rx.event
    async def more(self):
        ctx = await self._require(READ)
        if ctx is not None and self._cursor and not self.loading:
            await self._fetch(ctx, append=True)

    @rx.event
    async def run_now(self):
        ctx = await self._require(INTERVENE)
        if ctx is None:
            self.error = "Your role may not run the generator."
            return
        ok, job_id = await call(self, views.run_recommendations, ctx, writes=True)
        if ok:
            self.error, self.notice = "", f"The generator is queued (job {job_id}); reload in a moment."


@app_page(
    "/graph/recommendations",
    "Recommendations",
    permission=READ,
    nav="Recommendations",
    icon="lightbulb",
    order=71,
    on_load=RecommendationsState.load,
)
def recommendations_page() -> rx.Component:
    s = RecommendationsState
    return rx.vstack(
        rx.hstack(
            controls.choice(
                [(st, st.capitalize()) for st in RECOMMENDATION_MACHINE.statuses],
                s.status,
                s.set_status,
                "Status",
                every="All statuses",
                data_testid="recommendation-status",
            ),
            rx.spacer(),
            rx.cond(
                s.can_intervene,
                controls.soft_button(
                    rx.icon("play", size=16), "Run now", on_click=s.run_now, testid="recommendations-run"
                ),
            ),
            width="100%",
            **controls.ROW,
        ),
        feedback.messages(s.error, s.notice),
        rx.cond(
            s.loading,
            feedback.spinner_block(),
            rx.cond(
                s.rows.length() > 0,
                rx.vstack(rx.foreach(s.rows, lambda r: recommendation_card(r, s)), width="100%", spacing="2"),
                feedback.empty("No recommendations here.", "lightbulb", "recommendations-empty"),
            ),
        ),
        load_more(s.has_more, s.loading, s.more, "recommendations-more"),
        proposal_dialog(s),
        reason_dialog(s),
        spacing="3",
        width="100%",
    )
