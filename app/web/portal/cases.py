"""The vendor's cases: `/portal` (my organization's cases) and `/portal/cases/[id]` (one case: the
timeline, the decisions the machine gives a vendor — Withdraw on its own case — a response box
that puts a waiting case in review, and evidence upload, streamed to the upload storage).

Every handler takes its context from `_vendor()` (a vendor membership only) and calls the cases
module's queries and actions, which limit a vendor to its own organization (and RLS again)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.kit.decisions import Action, Decision, DecisionDialogMixin, action_buttons, decide_by, decision_page
from app.web.kit.evidence import EvidenceUploadMixin, evidence_box
from app.web.kit.lists import KeysetListMixin
from app.web.portal.common import VendorOnly
from app.web.portal.shell import PortalAuthState, portal_page
from engine.cases.machines import ACTIVE, CASE_MACHINE
from engine.cases.permissions import READ, WRITE
from engine.cases.rules import BODY_MAX
from engine.context import TenantContext
from models.cases import actions, queries
from models.cases.cases import CaseFilters
from models.cases.evidence import EvidenceUpload
from models.cases.views import CaseView

COLORS: tuple[tuple[str, str], ...] = (
    ("open", "blue"),
    ("waiting_vendor", "amber"),
    ("in_review", "violet"),
    ("resolved_approved", "green"),
    ("resolved_rejected", "red"),
    ("submitted", "blue"),
    ("verified", "green"),
    ("rejected", "red"),
)
# what the vendor reads for each case status
VENDOR_WORDS = {
    "open": "waiting for your answer",
    "waiting_vendor": "waiting for your answer",
    "in_review": "in review",
    "resolved_approved": "approved",
    "resolved_rejected": "rejected",
    "withdrawn": "withdrawn",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class MyCase:
    id: str = ""
    href: str = ""
    subject: str = ""
    type_label: str = ""
    status: str = ""
    status_words: str = ""
    opened: str = ""
    due: str = ""


def my_case(v: CaseView) -> MyCase:
    return MyCase(
        str(v.id),
        f"/portal/cases/{v.id}",
        v.subject,
        v.type_label,
        v.status,
        VENDOR_WORDS.get(v.status, v.status),
        fmt.when(v.opened_at, time=False),
        fmt.when(v.due_at, time=False),
    )


def fetch_my_cases(ctx: TenantContext, status: str, cursor: str | None) -> tuple[list[MyCase], str]:
    filters = CaseFilters(status=status if status in CASE_MACHINE.states else None)
    page = queries.case_page(ctx, filters, limit=25, cursor=cursor)
    return [my_case(v) for v in page.items], page.next_cursor or ""


class MyCasesState(VendorOnly, KeysetListMixin, PortalAuthState):
    rows: list[MyCase] = []
    f_status: str = ANY

    _list_permission: ClassVar[str] = READ

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[MyCase], str | None]:
        return fetch_my_cases(ctx, self.f_status, cursor)

    @rx.event
    async def load(self):
        ctx = await self._vendor()
        async for _ in self._reload_list(ctx):
            yield

    @rx.event
    async def set_status(self, value: str):
        ctx = await self._vendor()
        value = str(value or ANY)[:40]
        self.f_status = value if value in CASE_MACHINE.states else ANY
        async for _ in self._reload_list(ctx):
            yield


MY_COLUMNS = [
    tables.col(
        "Case", lambda r: rx.link(r["subject"], href=r["href"], weight="medium", data_testid="portal-case-link")
    ),
    tables.col("Type", "type_label"),
    tables.col("Status", lambda r: badges.status_badge(r["status"], COLORS, data_testid="portal-case-status")),
    tables.col("What it waits for", "status_words"),
    tables.when("Opened", "opened"),
    tables.when("Due", "due"),
]


@portal_page("/portal", "My cases", on_load=MyCasesState.load)
def my_cases_page() -> rx.Component:
    s = MyCasesState
    return rx.vstack(
        rx.heading("My cases", size="6"),
        controls.choice(
            [(v, fmt.label(v)) for v in CASE_MACHINE.statuses], s.f_status, s.set_status, "Status", every="All statuses"
        ),
        tables.paged_table(
            s,
            MY_COLUMNS,
            "portal-cases",
            "No cases for your organization.",
            "inbox",
            row_testid="portal-case-row",
            more_testid="portal-more",
        ),
        spacing="4",
        width="100%",
    )


@dataclass(frozen=True)
class Line:
    kind: str = ""
    title: str = ""
    body: str = ""
    who: str = ""
    at: str = ""


@dataclass(frozen=True)
class MyFile:
    id: str = ""
    label: str = ""
    status: str = ""
    filename: str = ""
    size: str = ""
    href: str = ""
    version: str = ""
    can_replace: bool = False


def fetch_my_case(ctx: TenantContext, case_id: str) -> dict[str, Any]:
    d = queries.case_detail(ctx, fmt.parse_uuid(case_id))  # type: ignore[arg-type]
    return {
        "case": my_case(d.case),
        "open": d.case.status in ACTIVE,
        "timeline": [Line(i.kind, i.title, i.body, i.who, fmt.when(i.at)) for i in d.timeline],
        "files": [
            MyFile(
                str(e.id),
                e.label,
                e.status,
                e.filename,
                f"{e.size:,} bytes",
                f"/api/evidence/{e.id}/file",
                f"v{e.current_version}",
                e.can_replace,
            )
            for e in d.evidence
        ],
        "actions": [Action(a.action, a.label, a.reason_required) for a in d.actions],
    }


class MyCaseState(VendorOnly, EvidenceUploadMixin, DecisionDialogMixin, PortalAuthState):
    case: MyCase = MyCase()
    timeline: list[Line] = []
    files: list[MyFile] = []
    is_open: bool = False
    answer: str = ""

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = READ
    _missing_text: ClassVar[str] = "This case does not exist for your organization."
    _denied_text: ClassVar[str] = "You may not change this case."
    _evidence_permission: ClassVar[str] = WRITE

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        return fetch_my_case(ctx, record_id)

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.case, self.timeline, self.files, self.is_open = data["case"], data["timeline"], data["files"], data["open"]
        return data["case"].id

    def _blank_record(self) -> None:
        self.case, self.timeline, self.files, self.is_open = MyCase(), [], [], False
        self.answer = self.file_label = self.upload_message = self.replacing = ""

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        decide_by(actions.decide_case, ctx, record_id, decision)

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["case"].status

    def _done_notice(self, action: str | None) -> str:
        return "You withdrew this case." if action == "withdraw" else "Done."

    def _needs_reason(self, chosen: Action) -> bool:
        return True  # every decision of the vendor is confirmed with a note

    @rx.event
    def set_text(self, name: str, value: str):
        if name == "answer":
            self.answer = str(value or "")[: BODY_MAX + 100]

    @rx.event
    async def send_answer(self):
        ctx = await self._require(WRITE)
        text = self.answer.strip()
        if ctx is None or not self._record_id or not text:
            return
        self.busy = True
        ok, _ = await call(self, actions.respond, ctx, fmt.parse_uuid(self._record_id), text, writes=True)
        self.busy = False
        if ok:
            self.answer = ""
            await self._show(ctx, self._record_id)
            self.notice, self.error = "Your answer is sent; the case is in review.", ""

    def _open_receiver(self, ctx: TenantContext, case_id: uuid.UUID, evidence_id: uuid.UUID | None) -> EvidenceUpload:
        return EvidenceUpload(ctx, None if evidence_id else case_id, evidence_id)

    async def _evidence_stored(self, ctx: TenantContext, evidence_id: uuid.UUID, replaced: bool) -> None:
        """A new version is put in place at once by the REPLACE decision (its own call, §11.3)."""
        if replaced:
            status = next((f.status for f in self.files if f.id == str(evidence_id)), None)
            ok, _ = await call(self, actions.decide_evidence, ctx, evidence_id, "replace", None, status, writes=True)
            self.upload_message = "The new version replaces the file." if ok else self.upload_message
        await self._show(ctx, self._record_id)


def _line(e: Var) -> rx.Component:
    return rx.vstack(
        rx.text(e["title"], weight="medium", size="2"),
        rx.cond(e["body"] != "", rx.text(e["body"], size="2", white_space="pre-wrap", **controls.WRAP)),
        rx.text(e["at"], rx.cond(e["who"] != "", rx.text.span(" · ", e["who"])), size="1", color_scheme="gray"),
        spacing="0",
        width="100%",
        padding_y="0.25rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        data_testid="portal-timeline-item",
    )


def _file(f: Var) -> rx.Component:
    return rx.hstack(
        rx.link(f["label"], href=f["href"], is_external=True, data_testid="portal-file-link"),
        badges.status_badge(f["status"], COLORS, data_testid="portal-file-status"),
        controls.hint(f["filename"], " · ", f["size"], " · ", f["version"]),
        rx.cond(
            f["can_replace"] & MyCaseState.is_open & (MyCaseState.replacing != f["id"]),
            rx.button(
                "Replace file",
                size="1",
                variant="soft",
                on_click=MyCaseState.start_replace(f["id"]),
                data_testid="portal-file-replace",
            ),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
        data_testid="portal-file",
    )


def _respond() -> rx.Component:
    s = MyCaseState
    return controls.section(
        "Answer",
        controls.message_box(
            s.answer,
            lambda v: s.set_text("answer", v),
            "portal-answer",
            BODY_MAX,
            rx.button(
                "Send answer",
                on_click=s.send_answer,
                disabled=controls.send_disabled(s.busy, s.answer),
                data_testid="portal-answer-send",
            ),
            placeholder="Your answer",
            rows="4",
        ),
    )


@portal_page("/portal/cases/[id]", "Case", on_load=MyCaseState.load)
def my_case_page() -> rx.Component:
    s = MyCaseState
    c = s.case
    return decision_page(
        s,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(c["subject"], size="5", data_testid="portal-case-subject"),
                    badges.status_badge(c["status"], COLORS, data_testid="portal-case-status"),
                    wrap="wrap",
                    align="center",
                ),
                rx.text(c["type_label"], " · opened ", c["opened"], " · due ", c["due"], size="2", color_scheme="gray"),
                action_buttons(s, "portal-action", disable_while_busy=True),
                spacing="2",
            ),
            width="100%",
        ),
        controls.section("Timeline", rx.vstack(rx.foreach(s.timeline, _line), spacing="1", width="100%")),
        controls.section(
            "Evidence",
            rx.cond(
                s.files.length() > 0, rx.vstack(rx.foreach(s.files, _file), spacing="2"), controls.hint("No files yet.")
            ),
        ),
        rx.cond(s.is_open, rx.fragment(_respond(), evidence_box(s, "evidence", "portal-"))),
        href="/portal",
        back="my cases",
        missing="Case not found.",
        missing_testid="portal-case-missing",
    )
