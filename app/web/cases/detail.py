"""`/cases/[id]`: one case for staff — header with at most four decision buttons (by role, ownership
and status, from the machine), one timeline of messages, evidence uploads and decision events, the
checklist, the evidence files with their own decisions, a reply box (comment or "ask the vendor")
and the invitation of a vendor person to the portal."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.cases.as_of import AsOfMixin, as_of_bar
from app.web.cases.rows import (
    CASE_COLORS,
    CaseRow,
    EvidenceRow,
    StepRow,
    TimelineRow,
    case_row,
    evidence_rows,
    step_rows,
    timeline_rows,
)
from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.decisions import (
    Action,
    Decision,
    DecisionDialogMixin,
    action_buttons,
    decide_by,
    decision_page,
    record_header,
)
from app.web.kit.evidence import EvidenceUploadMixin, evidence_box
from app.web.kit.rows import Option
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.cases.permissions import APPROVE, READ, WRITE
from engine.cases.rules import BODY_MAX, STEP_MAX
from engine.context import TenantContext
from engine.people.permissions import USERS_MANAGE
from models.cases import actions, queries
from models.cases.evidence import EvidenceUpload
from models.cases.inputs import CaseUpdate

DONE = {
    "approve": "Case approved.",
    "reject": "Case rejected.",
    "withdraw": "Case withdrawn.",
    "cancel": "Case cancelled.",
}


UNASSIGNED = "nobody"


def fetch_case(ctx: TenantContext, case_id: str, as_of: datetime | None = None) -> dict[str, Any]:
    detail = queries.case_detail(ctx, fmt.parse_uuid(case_id), as_of)  # type: ignore[arg-type]
    people = queries.assignee_options(ctx) if ctx.can(WRITE) and as_of is None else []
    return {
        "assignees": [Option(UNASSIGNED, "Unassigned"), *people] if people else [],
        "case": case_row(detail.case),
        "timeline": timeline_rows(detail.timeline),
        "steps": step_rows(detail.checklist),
        "evidence": evidence_rows(detail.evidence),
        "actions": [Action(a.action, a.label, a.reason_required) for a in detail.actions],
    }


class CaseState(AsOfMixin, EvidenceUploadMixin, DecisionDialogMixin, AuthState):
    case: CaseRow = CaseRow()
    timeline: list[TimelineRow] = []
    steps: list[StepRow] = []
    evidence: list[EvidenceRow] = []
    assignees: list[Option] = []
    can_write: bool = False
    can_review: bool = False
    can_invite: bool = False
    reply: str = ""
    new_step: str = ""
    evidence_note: str = ""
    invite_email: str = ""
    invite_link: str = ""

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = READ  # the machine checks each decision's own permission
    _missing_text: ClassVar[str] = "This case does not exist in your tenant."
    _denied_text: ClassVar[str] = "Your role may not change this case."
    _evidence_permission: ClassVar[str] = WRITE

    def _fetch_record(self, ctx: TenantContext, record_id: str, at: datetime | None = None) -> dict[str, Any]:
        return fetch_case(ctx, record_id, at or self._as_of_value())

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.case, self.timeline, self.steps, self.evidence = (
            data["case"],
            data["timeline"],
            data["steps"],
            data["evidence"],
        )
        now = not self._in_past()  # a past moment is read-only
        self.can_write, self.can_review = now and ctx.can(WRITE), now and ctx.can(APPROVE)
        self.can_invite = now and ctx.can(USERS_MANAGE)
        self.assignees = data["assignees"]
        return data["case"].id

    def _blank_record(self) -> None:
        self.case, self.timeline, self.steps, self.evidence, self.assignees = CaseRow(), [], [], [], []
        self.can_write = self.can_review = self.can_invite = False
        self.reply = self.new_step = self.evidence_note = self.invite_email = self.invite_link = ""
        self.file_label = self.upload_message = self.replacing = self.as_of_text = ""
        self._leave_past()

    def _open_receiver(self, ctx: TenantContext, case_id: uuid.UUID, evidence_id: uuid.UUID | None) -> EvidenceUpload:
        """Staff add new files (the vendor replaces its own); the same receiver as the portal's."""
        return EvidenceUpload(ctx, case_id)

    async def _evidence_stored(self, ctx: TenantContext, evidence_id: uuid.UUID, replaced: bool) -> None:
        await self._show(ctx, self._record_id)

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        decide_by(actions.decide_case, ctx, record_id, decision)

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["case"].status

    def _done_notice(self, action: str | None) -> str:
        return DONE.get(action or "", "Case updated.")

    def _needs_reason(self, chosen: Action) -> bool:
        return chosen.reason

    async def _write(self, permission: str, fn, *args: Any, notice: str) -> bool:
        """Run one of the case's CRUD writes, then show the case again."""
        ctx = await self._require(permission)
        if ctx is None or not self._record_id:
            self.error = self._denied_text
            return False
        self.busy = True
        ok, _ = await call(self, fn, ctx, fmt.parse_uuid(self._record_id), *args, writes=True)
        self.busy = False
        if ok:
            await self._show(ctx, self._record_id)
            self.error, self.notice = "", notice
        return ok

    @rx.event
    def set_text(self, name: str, value: str):
        value = str(value or "")[: BODY_MAX + 100]
        if name == "reply":
            self.reply = value
        elif name == "step":
            self.new_step = value[: STEP_MAX + 50]
        elif name == "evidence_note":
            self.evidence_note = value
        elif name == "invite":
            self.invite_email = value[:320]

    @rx.event
    async def send_reply(self, kind: str):
        text = self.reply.strip()
        if not text:
            return
        if kind == "request":
            ok = await self._write(
                WRITE, actions.request_info, text, notice="Sent to the vendor; the case waits for them."
            )
        else:
            ok = await self._write(WRITE, actions.comment, text, notice="Comment added.")
        if ok:
            self.reply = ""

    @rx.event
    async def add_step(self):
        text = self.new_step.strip()
        if text and await self._write(WRITE, actions.add_step, text, notice="Step added."):
            self.new_step = ""

    @rx.event
    async def toggle_step(self, step_id: str):
        step = next((s for s in self.steps if s.id == str(step_id)), None)
        if step is not None:
            await self._write(WRITE, _set_step, step.id, not step.done, notice="Checklist updated.")

    @rx.event
    async def decide_evidence(self, evidence_id: str, action: str):
        row = next((e for e in self.evidence if e.id == str(evidence_id)), None)
        if row is None or action not in ("verify", "reject", "remove") or not getattr(row, action):
            return
        note = self.evidence_note.strip() or None
        if action in ("reject", "remove") and not note:
            self.error = "Write a note first: rejecting or removing a file needs one."
            return
        if await self._write(
            READ, _evidence_decision, row.id, action, note, row.status, notice=f"Evidence: {action} done."
        ):
            self.evidence_note = ""

    @rx.event
    async def assign(self, value: str):
        """A non-decision edit (PATCH's): the models check the person is an active staff member of
        the tenant and audit the change; only the offered choices are sent."""
        value = str(value or "")[:40]
        if value not in {o.id for o in self.assignees} or value == (self.case.assignee_id or UNASSIGNED):
            return
        chosen = None if value == UNASSIGNED else fmt.parse_uuid(value)
        await self._write(WRITE, _assign, chosen, notice="Assignee changed.")

    @rx.event
    async def invite(self):
        ctx = await self._require(USERS_MANAGE)
        if ctx is None or not self._record_id or not self.invite_email.strip():
            return
        ok, made = await call(
            self, actions.invite_vendor, ctx, fmt.parse_uuid(self._record_id), self.invite_email.strip(), writes=True
        )
        if ok:
            base = f"{self.router.page.host}" if self.router.page.host else ""
            self.invite_link = base + made.accept_path
            self.invite_email, self.notice = "", "Invitation created: send the link below to the vendor (shown once)."


def _assign(ctx: TenantContext, case_id, assignee_id) -> Any:  # noqa: ANN001
    return actions.update_case(ctx, case_id, CaseUpdate(assignee_id=assignee_id))


def _set_step(ctx: TenantContext, case_id, step_id: str, done: bool) -> Any:  # noqa: ANN001
    return actions.set_step(ctx, case_id, fmt.parse_uuid(step_id), done)  # type: ignore[arg-type]


def _evidence_decision(ctx: TenantContext, case_id, evidence_id: str, action: str, note, status: str) -> Any:  # noqa: ANN001
    return actions.decide_evidence(ctx, fmt.parse_uuid(evidence_id), action, note, status)  # type: ignore[arg-type]


def _timeline_item(e: Var) -> rx.Component:
    icon = rx.match(
        e["kind"],
        ("message", rx.icon("message-square", size=16)),
        ("evidence", rx.icon("paperclip", size=16)),
        ("decision", rx.icon("gavel", size=16)),
        rx.icon("circle", size=16),
    )
    return rx.hstack(
        rx.box(icon, padding="0.4rem", border_radius="full", background=rx.color("accent", 3)),
        rx.vstack(
            rx.text(e["title"], weight="medium", size="2", **controls.WRAP),
            rx.cond(e["body"] != "", rx.text(e["body"], size="2", white_space="pre-wrap", **controls.WRAP)),
            rx.text(e["at"], rx.cond(e["who"] != "", rx.text.span(" · ", e["who"])), size="1", color_scheme="gray"),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        align="start",
        spacing="3",
        width="100%",
        data_testid="timeline-item",
    )


def _step(s: Var) -> rx.Component:
    st = CaseState
    return rx.hstack(
        rx.checkbox(
            checked=s["done"],
            on_change=lambda _: st.toggle_step(s["id"]),
            disabled=~st.can_write,
            data_testid="step-check",
        ),
        rx.text(s["label"], size="2", text_decoration=rx.cond(s["done"], "line-through", "none")),
        rx.cond(s["done"], controls.hint(s["done_at"])),
        align="center",
        spacing="2",
        data_testid="step",
    )


def _evidence(e: Var) -> rx.Component:
    st = CaseState
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.link(e["label"], href=e["href"], is_external=True, weight="medium", data_testid="evidence-link"),
                badges.status_badge(e["status"], CASE_COLORS, data_testid="evidence-status"),
                rx.text(e["version"], size="1", color_scheme="gray"),
                rx.cond(
                    e["new_version_waiting"], rx.badge("new version uploaded", variant="soft", color_scheme="amber")
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            controls.hint(e["filename"], " · ", e["size"], " · SHA-256 ", e["sha256"], "…"),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.cond(
            e["verify"],
            rx.button(
                "Verify",
                size="1",
                variant="soft",
                on_click=st.decide_evidence(e["id"], "verify"),
                data_testid="evidence-verify",
            ),
        ),
        rx.cond(
            e["reject"],
            rx.button(
                "Reject",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=st.decide_evidence(e["id"], "reject"),
                data_testid="evidence-reject",
            ),
        ),
        rx.cond(
            e["remove"],
            rx.button(
                "Remove",
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=st.decide_evidence(e["id"], "remove"),
                data_testid="evidence-remove",
            ),
        ),
        align="center",
        spacing="2",
        width="100%",
        data_testid="evidence-row",
    )


def _header(c: Var) -> rx.Component:
    return record_header(
        rx.heading(c["subject"], size="6", data_testid="case-subject"),
        badges.status_badge(c["status"], CASE_COLORS, data_testid="case-status"),
        rx.cond(c["overdue"], rx.badge("overdue", color_scheme="red", variant="soft")),
        sub=rx.text(
            c["vendor"], " · ", c["type_label"], " · opened ", c["opened"], size="2", data_testid="case-vendor"
        ),
        aside=rx.vstack(
            controls.hint("Age / SLA"), rx.heading(c["age"], " / ", c["sla"], size="5"), align="end", spacing="0"
        ),
        footer=(
            rx.divider(margin_y="0.75rem"),
            rx.flex(
                action_buttons(CaseState, "case-action", solid="approve", disable_while_busy=True),
                rx.spacer(),
                rx.cond(
                    CaseState.assignees.length() > 0,
                    controls.field(
                        "Assignee",
                        controls.select(
                            CaseState.assignees,
                            rx.cond(c["assignee_id"] != "", c["assignee_id"], UNASSIGNED),
                            CaseState.assign,
                            "Assignee",
                            trigger={"data_testid": "case-assignee", "min_width": "12rem"},
                            disabled=CaseState.busy,
                        ),
                    ),
                    controls.hint("Assignee: ", c["assignee"], data_testid="case-assignee-name"),
                ),
                align="center",
                wrap="wrap",
                gap="0.5rem",
                width="100%",
            ),
        ),
    )


def _reply() -> rx.Component:
    s = CaseState
    return controls.message_box(
        s.reply,
        lambda v: s.set_text("reply", v),
        "reply-input",
        BODY_MAX,
        rx.button(
            "Comment",
            variant="soft",
            on_click=s.send_reply("comment"),
            disabled=controls.send_disabled(s.busy, s.reply),
            data_testid="reply-comment",
        ),
        rx.cond(
            s.can_review,
            rx.button(
                "Ask the vendor",
                on_click=s.send_reply("request"),
                disabled=controls.send_disabled(s.busy, s.reply),
                data_testid="reply-request",
            ),
        ),
        placeholder="Write to the vendor",
        rows="3",
    )


def _invite() -> rx.Component:
    s = CaseState
    return controls.section(
        "Invite a vendor person",
        controls.hint("They get the vendor portal for this case's organization only."),
        rx.hstack(
            rx.input(
                value=s.invite_email,
                on_change=lambda v: s.set_text("invite", v),
                placeholder="name@vendor.com",
                data_testid="invite-email",
                width="100%",
            ),
            rx.button("Invite", on_click=s.invite, data_testid="invite-send"),
            width="100%",
        ),
        rx.cond(s.invite_link != "", rx.code(s.invite_link, data_testid="invite-link", **controls.WRAP)),
    )


def _active(c: Var) -> Var:
    """The case still takes messages and files (engine.cases.machines.ACTIVE)."""
    return (c["status"] == "open") | (c["status"] == "waiting_vendor") | (c["status"] == "in_review")


@app_page("/cases/[id]", "Case", permission=READ, on_load=CaseState.load)
def case_page() -> rx.Component:
    s = CaseState
    return decision_page(
        s,
        _header(s.case),
        as_of_bar(s),
        rx.grid(
            controls.section(
                "Timeline",
                rx.vstack(rx.foreach(s.timeline, _timeline_item), spacing="3", width="100%"),
                rx.cond(s.can_write & _active(s.case), _reply()),
            ),
            rx.vstack(
                controls.section(
                    "Checklist",
                    rx.vstack(rx.foreach(s.steps, _step), spacing="2", width="100%"),
                    rx.cond(
                        s.can_write,
                        rx.hstack(
                            rx.input(
                                value=s.new_step,
                                on_change=lambda v: s.set_text("step", v),
                                placeholder="A new step",
                                data_testid="step-input",
                                width="100%",
                            ),
                            rx.button("Add", variant="soft", on_click=s.add_step, data_testid="step-add"),
                            width="100%",
                        ),
                    ),
                ),
                controls.section(
                    "Evidence",
                    rx.cond(
                        s.evidence.length() > 0,
                        rx.vstack(rx.foreach(s.evidence, _evidence), spacing="3", width="100%"),
                        controls.hint("No evidence yet."),
                    ),
                    rx.cond(
                        s.can_review & (s.evidence.length() > 0),
                        rx.input(
                            value=s.evidence_note,
                            on_change=lambda v: s.set_text("evidence_note", v),
                            placeholder="Note for a rejection or removal",
                            data_testid="evidence-note",
                            width="100%",
                        ),
                    ),
                ),
                rx.cond(s.can_write & _active(s.case), evidence_box(s, "case-evidence", "case-")),
                rx.cond(s.can_invite, _invite()),
                spacing="4",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        href="/cases",
        back="cases",
        missing="Case not found.",
        missing_testid="case-missing",
    )
