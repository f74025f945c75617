"""What both pages share: accepting a recommendation (its intervention is proposed and its blast
radius shown), applying (a reason, an optional time to live) or discarding it, rejecting a
recommendation and reversing an intervention (a reason each). Every handler re-checks
`graph.intervene`, acts only on ids the server listed on this screen, sends the status shown and
writes through kit.calls.write."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.graph import views
from app.web.graph.rows import Proposal
from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit.calls import call, write
from engine.context import TenantContext
from engine.errors import DomainError
from engine.graph.permissions import INTERVENE, READ

TTL_CHOICES: list[tuple[str, str]] = [
    ("none", "No time limit"),
    ("3600", "Reverse after 1 hour"),
    ("86400", "Reverse after 1 day"),
    ("604800", "Reverse after 7 days"),
]
REASON_TITLES = {
    "reject": "Reject the recommendation",
    "reverse": "Reverse the intervention",
    "discard": "Discard the proposed intervention",
}
REASON_MAX = 1000
STATUS_COLORS = (
    ("open", "amber"),
    ("accepted", "green"),
    ("rejected", "gray"),
    ("retired", "gray"),
    ("proposed", "amber"),
    ("applied", "violet"),
    ("reversed", "gray"),
    ("discarded", "gray"),
)


def text_arg(value: object) -> str:
    """An event argument that must be text: anything else a client sends counts as nothing."""
    return value if isinstance(value, str) else ""


class DecideMixin(rx.State, mixin=True):
    error: str = ""
    notice: str = ""
    can_intervene: bool = False
    busy: bool = False
    proposal: Proposal = Proposal()
    proposal_open: bool = False
    apply_reason: str = ""
    ttl: str = "none"
    reason_open: bool = False
    reason_kind: str = ""
    reason_title: str = ""
    reason_text: str = ""
    # ids the server listed on this screen: a handler acts on nothing else
    _open_recommendations: list[str] = []
    _reversible: list[str] = []
    _proposed: list[str] = []
    _target: str = ""

    _read_permission: ClassVar[str] = READ

    async def _after_change(self, ctx: TenantContext) -> None:
        """page: reload what the screen shows after a write."""
        raise NotImplementedError

    async def _intervener(self) -> TenantContext | None:
        ctx = await self._require(INTERVENE)  # type: ignore[attr-defined]
        if ctx is None:
            self.error = "Your role may not change the graph."
        return ctx

    @rx.event
    async def accept_recommendation(self, recommendation_id: str):
        ctx = await self._intervener()
        recommendation_id = text_arg(recommendation_id)
        if ctx is None or recommendation_id not in self._open_recommendations:
            return
        self.busy, self.error, self.notice = True, "", ""
        yield
        ok, found = await call(self, views.accept, ctx, recommendation_id, "", writes=True)
        self.busy = False
        if not ok:
            return
        self.proposal, self.apply_reason, self.ttl = found, "", "none"
        self._proposed = [found.intervention.id]
        self.proposal_open = True
        await self._after_change(ctx)

    @rx.event
    async def open_proposal(self, intervention_id: str):
        ctx = await self._intervener()
        intervention_id = text_arg(intervention_id)
        if ctx is None or intervention_id not in self._proposed:
            return
        ok, found = await call(self, views.proposal, ctx, intervention_id)
        if ok:
            self.proposal, self.apply_reason, self.ttl, self.proposal_open = found, "", "none", True

    @rx.event
    def close_proposal(self):
        self.proposal_open = False

    @rx.event
    def set_apply_reason(self, value: str):
        self.apply_reason = text_arg(value)

    @rx.event
    def set_ttl(self, value: str):
        value = text_arg(value)
        self.ttl = value if value in [v for v, _ in TTL_CHOICES] else "none"

    async def _decide_proposal(self, action: str, done: str) -> None:
        ctx = await self._intervener()
        target = self.proposal.intervention.id
        if ctx is None or not target or target not in self._proposed:
            return
        reason = self.apply_reason.strip()
        if not reason:
            self.error = "Write a reason first."
            return
        ttl = int(self.ttl) if action == "apply" and self.ttl != "none" else None
        self.busy = True
        try:
            await write(views.decide_intervention, ctx, target, action, reason, "proposed", ttl)
        except DomainError as exc:
            self.error, self.busy = fmt.error_text(exc), False
            return
        self.busy, self.proposal_open, self.error, self.notice = False, False, "", done
        await self._after_change(ctx)

    @rx.event
    async def apply_proposal(self):
        await self._decide_proposal("apply", "Intervention applied.")

    @rx.event
    def discard_proposal(self):
        self._open_reason("discard", self.proposal.intervention.id)
        self.proposal_open = False

    def _open_reason(self, kind: str, target: str) -> None:
        self.reason_kind, self.reason_title, self.reason_text = kind, REASON_TITLES[kind], ""
        self._target, self.reason_open, self.error, self.notice = target, True, "", ""

    @rx.event
    async def open_reject(self, recommendation_id: str):
        recommendation_id = text_arg(recommendation_id)
        if await self._intervener() is not None and recommendation_id in self._open_recommendations:
            self._open_reason("reject", recommendation_id)

    @rx.event
    async def open_reverse(self, intervention_id: str):
        intervention_id = text_arg(intervention_id)
        if await self._intervener() is not None and intervention_id in self._reversible:
            self._open_reason("reverse", intervention_id)

    @rx.event
    def close_reason(self):
        self.reason_open, self._target = False, ""

    @rx.event
    def set_reason_text(self, value: str):
        self.reason_text = text_arg(value)

    @rx.event
    async def confirm_reason(self):
        ctx = await self._intervener()
        reason, kind, target = self.reason_text.strip(), self.reason_kind, self._target
        if ctx is None or not target or not reason:
            return
        if len(reason) > REASON_MAX:
            self.error = f"The reason is too long: at most {REASON_MAX:,} characters."
            return
        self.busy = True
        try:
            if kind == "reject":
                await write(views.reject, ctx, target, reason)
            elif kind == "reverse":
                await write(views.decide_intervention, ctx, target, "reverse", reason, "applied", None)
            else:
                await write(views.decide_intervention, ctx, target, "discard", reason, "proposed", None)
        except DomainError as exc:
            self.error, self.busy = fmt.error_text(exc), False
            return
        done = {"reject": "Recommendation rejected.", "reverse": "Intervention reversed.", "discard": "Discarded."}
        self.busy, self.reason_open, self._target, self.notice = False, False, "", done.get(kind, "Done.")
        await self._after_change(ctx)


def status_badge(status: Var, **props: Any) -> rx.Component:
    return badges.status_badge(status, STATUS_COLORS, **props)


def _count(label: str, value: Var, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(value, size="5", weight="bold", data_testid=testid),
        controls.hint(label),
        spacing="0",
        align="center",
    )


def proposal_dialog(state: Any) -> rx.Component:
    """The proposed intervention's blast radius, then apply (reason, time to live) or discard."""
    p = state.proposal
    return controls.dialog(
        "Apply the intervention?",
        rx.vstack(
            rx.text(p.intervention.type, " — ", p.intervention.targets, weight="medium", data_testid="proposal-title"),
            rx.text(p.intervention.reason, size="2", color_scheme="gray", **controls.WRAP),
            controls.caption("Blast radius"),
            rx.hstack(
                _count("participants changed", p.participants_changed, "blast-participants-changed"),
                _count("relationships changed", p.relationships_changed, "blast-relationships-changed"),
                _count("participants touched", p.participants_touched, "blast-participants-touched"),
                _count("relationships touched", p.relationships_touched, "blast-relationships-touched"),
                spacing="5",
                data_testid="blast-radius",
            ),
            rx.cond(
                p.touched_names != "",
                controls.hint("Touched: ", p.touched_names, data_testid="blast-touched", **controls.WRAP),
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(*(rx.table.column_header_cell(h) for h in ("Row", "Field", "Now", "After")))
                ),
                rx.table.body(
                    rx.foreach(
                        p.changes,
                        lambda c: rx.table.row(
                            rx.table.cell(c.what),
                            rx.table.cell(c.field),
                            rx.table.cell(c.before),
                            rx.table.cell(c.after),
                            data_testid="blast-change",
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
            controls.field(
                "Reason (required)",
                controls.note_input(
                    state.apply_reason,
                    state.set_apply_reason,
                    "apply-reason",
                    placeholder="Why this change",
                    rows="2",
                    aria_label="Reason",
                ),
                width="100%",
            ),
            controls.field(
                "Time to live",
                controls.select(
                    TTL_CHOICES, state.ttl, state.set_ttl, "Time to live", trigger={"data_testid": "apply-ttl"}
                ),
            ),
            controls.dialog_footer(
                controls.soft_button(
                    "Discard", on_click=state.discard_proposal, testid="proposal-discard", color="red"
                ),
                controls.busy_button(
                    "Apply",
                    "check",
                    state.busy,
                    state.apply_proposal,
                    "proposal-apply",
                    disabled=state.busy | (state.apply_reason.strip() == ""),
                ),
                on_cancel=state.close_proposal,
                cancel="Later",
            ),
            spacing="3",
            width="100%",
        ),
        open_=state.proposal_open,
        on_close=state.close_proposal,
        max_width="40rem",
    )


def reason_dialog(state: Any) -> rx.Component:
    return controls.dialog(
        state.reason_title,
        rx.vstack(
            controls.note_input(
                state.reason_text,
                state.set_reason_text,
                "reason-input",
                placeholder="A reason (required)",
                rows="3",
                aria_label="Reason",
            ),
            controls.char_counter(state.reason_text, REASON_MAX),
            controls.dialog_footer(
                controls.busy_button(
                    "Confirm",
                    "check",
                    state.busy,
                    state.confirm_reason,
                    "reason-confirm",
                    disabled=state.busy | (state.reason_text.strip() == ""),
                ),
                on_cancel=state.close_reason,
            ),
            spacing="3",
            width="100%",
        ),
        open_=state.reason_open,
        on_close=state.close_reason,
        max_width="32rem",
    )


def recommendation_card(row: Var, state: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.pattern, " · ", row.target, weight="medium", size="2", data_testid="recommendation-title"),
                rx.spacer(),
                rx.badge(row.confidence, variant="soft", color_scheme="indigo", title="confidence"),
                status_badge(row.status),
                width="100%",
                align="center",
            ),
            rx.text(row.reason, size="2", **controls.WRAP),
            controls.hint("Suggested: ", row.action, " · ", row.created),
            rx.cond(
                row.open & state.can_intervene,
                rx.hstack(
                    rx.button(
                        "Accept",
                        size="1",
                        on_click=state.accept_recommendation(row.id),
                        loading=state.busy,
                        data_testid="recommendation-accept",
                    ),
                    rx.button(
                        "Reject",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=state.open_reject(row.id),
                        data_testid="recommendation-reject",
                    ),
                    spacing="2",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="recommendation-card",
    )
