"""`/portal/statements/[id]`: one statement of account of the vendor against our ledger, where the
vendor confirms or disputes each line (a dispute opens a case)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit import badges
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.calls import call
from app.web.portal.common import ACTIVE_CASE, COLORS, MyRow, VendorRecordMixin, money
from app.web.portal.shell import PortalAuthState, portal_page
from engine.cases.ledger import DOC_TYPES
from engine.cases.permissions import WRITE
from engine.context import TenantContext
from models.cases import ledger_actions as actions
from models.cases import statement_queries as queries


@dataclass(frozen=True)
class MySoaLine:
    id: str = ""
    document: str = ""
    amount: str = ""
    ledger: str = ""
    state: str = ""
    response: str = ""
    note: str = ""
    dispute_href: str = ""
    can_answer: bool = False


class MyStatementState(VendorRecordMixin, PortalAuthState):
    statement: MyRow = MyRow()
    lines: list[MySoaLine] = []
    disputing: str = ""
    note: str = ""

    _missing_text: ClassVar[str] = "This statement does not exist for your organization."

    def _reset_record(self) -> None:
        self.disputing = ""

    async def _show(self, ctx: TenantContext) -> None:
        ok, d = await call(self, queries.statement_detail, ctx, fmt.parse_uuid(self._record_id))
        if not ok:
            self.found, self.lines, self.statement = False, [], MyRow()
            self.error = self._missing_text
            return
        v, cur = d.statement, d.statement.currency
        self.statement = MyRow(
            str(v.id),
            "",
            v.reference,
            f"as of {fmt.when(v.as_of, time=False)}",
            money(v.vendor_balance, cur),
            "matched" if v.difference == 0 else "amount_differs",
            f"our ledger: {money(v.ledger_balance, cur)} · difference {money(v.difference, cur)}",
            f"{v.confirmed} confirmed · {v.disputed} disputed of {v.line_count}",
        )
        self.lines = [
            MySoaLine(
                str(ln.id),
                f"{DOC_TYPES.get(ln.doc_type, ln.doc_type)} {ln.doc_number}",
                money(ln.amount, cur),
                money(ln.ledger_amount, cur),
                ln.recon_state,
                ln.response,
                ln.response_note,
                f"/portal/cases/{ln.dispute.id}" if ln.dispute else "",
                not (ln.dispute is not None and ln.dispute.status in ACTIVE_CASE),
            )
            for ln in d.lines
        ]
        self.found = True

    async def _answer(self, line_id: str, response: str, note: str | None) -> None:
        ctx = await self._require(WRITE)
        line = next((ln for ln in self.lines if ln.id == str(line_id) and ln.can_answer), None)
        if ctx is None or line is None:
            return
        self.busy = True
        ok, _ = await call(self, actions.respond_line, ctx, fmt.parse_uuid(line.id), response, note, writes=True)
        self.busy = False
        if ok:
            self.disputing, self.note = "", ""
            await self._show(ctx)
            self.notice = (
                "Line confirmed." if response == "confirmed" else "Your dispute is sent: a case is open for it."
            )

    @rx.event
    async def confirm(self, line_id: str):
        await self._answer(line_id, "confirmed", None)

    @rx.event
    def start_dispute(self, line_id: str):
        if any(ln.id == str(line_id) and ln.can_answer for ln in self.lines):
            self.disputing, self.note = str(line_id), ""

    @rx.event
    def set_note(self, value: str):
        self.note = str(value or "")[:1100]

    @rx.event
    async def send_dispute(self):
        if self.disputing and self.note.strip():
            await self._answer(self.disputing, "disputed", self.note.strip())


def _soa_line(r: Var) -> rx.Component:
    s = MyStatementState
    return rx.table.row(
        rx.table.cell(r["document"]),
        rx.table.cell(r["amount"], text_align="right"),
        rx.table.cell(r["ledger"], text_align="right"),
        rx.table.cell(badges.status_badge(r["state"], COLORS, data_testid="portal-soa-state")),
        rx.table.cell(
            rx.vstack(
                badges.status_badge(r["response"], COLORS, data_testid="portal-soa-response"),
                rx.cond(r["dispute_href"] != "", rx.link("case", href=r["dispute_href"], size="1")),
                rx.cond(
                    r["can_answer"],
                    rx.hstack(
                        rx.cond(
                            r["response"] != "confirmed",
                            rx.button(
                                "Confirm",
                                size="1",
                                variant="soft",
                                color_scheme="green",
                                on_click=s.confirm(r["id"]),
                                disabled=s.busy,
                                data_testid="portal-soa-confirm",
                            ),
                        ),
                        rx.button(
                            "Dispute",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=s.start_dispute(r["id"]),
                            data_testid="portal-soa-dispute",
                        ),
                        spacing="1",
                    ),
                ),
                rx.cond(
                    s.disputing == r["id"],
                    rx.vstack(
                        rx.input(
                            value=s.note,
                            on_change=s.set_note,
                            placeholder="What is wrong",
                            data_testid="portal-soa-note",
                        ),
                        rx.button(
                            "Send",
                            size="1",
                            on_click=s.send_dispute,
                            disabled=s.busy | (s.note.strip() == ""),
                            data_testid="portal-soa-send",
                        ),
                        spacing="1",
                    ),
                ),
                spacing="1",
            )
        ),
        data_testid="portal-soa-line",
    )


@portal_page("/portal/statements/[id]", "Statement of account", on_load=MyStatementState.load)
def my_statement_page() -> rx.Component:
    s = MyStatementState
    st = s.statement
    return rx.cond(
        s.loading,
        rx.center(rx.spinner(), padding="2rem", width="100%"),
        rx.vstack(
            rx.link("← My statements", href="/portal/statements", size="2"),
            rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", size="1")),
            rx.cond(
                s.notice != "", rx.callout(s.notice, color_scheme="green", size="1", data_testid="portal-soa-notice")
            ),
            rx.cond(
                s.found,
                rx.vstack(
                    rx.card(
                        rx.vstack(
                            rx.hstack(
                                rx.heading(st["title"], size="5", data_testid="portal-statement-reference"),
                                rx.text(st["sub"], size="2"),
                                rx.spacer(),
                                rx.heading(st["amount"], size="5"),
                                width="100%",
                                align="center",
                            ),
                            rx.text(st["words"], " · ", st["when"], size="2", color_scheme="gray"),
                            spacing="1",
                        ),
                        width="100%",
                    ),
                    tables.compact_table(
                        ["Document", "Your figure", "Our ledger", "Reconciliation", "Your answer"],
                        rx.foreach(s.lines, _soa_line),
                        "portal-soa-lines",
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )
