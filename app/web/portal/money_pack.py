"""`/portal/match-packs/[id]`: one match pack, every line explained to the vendor (the rule,
tolerance and variance behind each exception), and "Dispute this line", which opens a linked case
(and holds the invoice's payment while it is open)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.portal.common import COLORS, WORDS, MyRow, VendorRecordMixin, money, qty
from app.web.portal.shell import PortalAuthState, portal_page
from engine.cases.permissions import WRITE
from engine.context import TenantContext
from models.cases import ledger_actions as actions
from models.cases import ledger_queries as queries
from models.cases.ledger_views import MatchLineView


@dataclass(frozen=True)
class MyMatchLine:
    id: str = ""
    invoice: str = ""
    po: str = ""
    figures: str = ""
    variance: str = ""
    exceptions: str = ""
    has_exceptions: bool = False
    explanation: str = ""
    dispute_href: str = ""
    dispute_status: str = ""
    can_dispute: bool = False


def _my_lines(lines: list[MatchLineView], currency: str) -> list[MyMatchLine]:
    out = []
    for ln in lines:
        shown = [c for c in ln.checks if c.exception] or ln.checks
        labels = [c.label for c in ln.checks if c.exception]
        out.append(
            MyMatchLine(
                str(ln.id),
                f"Invoice {ln.invoice_number}, line {ln.line_no}: {ln.description}",
                f"PO {ln.po_number} line {ln.po_line_no}" if ln.po_number else "no purchase order line",
                f"{qty(ln.quantity)} at {qty(ln.unit_price)} · received {qty(ln.received_qty)}"
                f" · PO price {qty(ln.po_price)}",
                money(ln.variance, currency),
                ", ".join(labels),
                bool(labels),
                "\n".join(
                    f"{'✗' if c.exception else '✓'} {c.label}: {c.variance} — tolerance {c.tolerance}. {c.rule}"
                    for c in shown
                ),
                f"/portal/cases/{ln.dispute.id}" if ln.dispute else "",
                ln.dispute.status if ln.dispute else "",
                ln.can_dispute,
            )
        )
    return out


class MyPackState(VendorRecordMixin, PortalAuthState):
    pack: MyRow = MyRow()
    lines: list[MyMatchLine] = []
    dispute_line: str = ""
    dispute_note: str = ""

    _missing_text: ClassVar[str] = "This match pack does not exist for your organization."

    def _reset_record(self) -> None:
        self.dispute_line = ""

    async def _show(self, ctx: TenantContext) -> None:
        ok, d = await call(self, queries.pack_detail, ctx, fmt.parse_uuid(self._record_id))
        if not ok:
            self.found, self.lines, self.pack = False, [], MyRow()
            self.error = self._missing_text
            return
        v = d.pack
        self.pack = MyRow(
            str(v.id),
            "",
            v.title,
            f"{v.line_count} lines, {v.exception_lines} with exceptions",
            money(v.variance, v.currency),
            v.status,
            WORDS.get(v.status, v.status),
            fmt.when(v.created_at),
        )
        self.lines = _my_lines(d.lines, v.currency)
        self.found = True

    @rx.event
    def start_dispute(self, line_id: str):
        line = next((ln for ln in self.lines if ln.id == str(line_id) and ln.can_dispute), None)
        if line is not None:
            self.dispute_line, self.dispute_note, self.error = line.id, "", ""

    @rx.event
    def cancel_dispute(self):
        self.dispute_line = ""

    @rx.event
    def set_note(self, value: str):
        self.dispute_note = str(value or "")[:1100]

    @rx.event
    async def send_dispute(self):
        ctx = await self._require(WRITE)
        line = fmt.parse_uuid(self.dispute_line)
        if ctx is None or line is None or not self.dispute_note.strip() or not self._record_id:
            return
        self.busy = True
        ok, opened = await call(self, actions.dispute_line, ctx, line, self.dispute_note.strip(), writes=True)
        self.busy = False
        if ok:
            self.dispute_line, self.dispute_note = "", ""
            await self._show(ctx)
            self.notice = f'Your dispute is sent: case "{opened.subject}" is in review.'


def _my_line(r: Var) -> rx.Component:
    s = MyPackState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(r["invoice"], weight="medium", **controls.WRAP),
                rx.spacer(),
                rx.cond(
                    r["has_exceptions"],
                    rx.badge(r["exceptions"], color_scheme="red", variant="soft", data_testid="portal-line-exceptions"),
                    rx.badge("matched", color_scheme="green", variant="soft"),
                ),
                width="100%",
                align="center",
            ),
            controls.hint(r["po"], " · ", r["figures"], " · variance ", r["variance"]),
            rx.text(
                r["explanation"],
                size="1",
                white_space="pre-wrap",
                data_testid="portal-line-explanation",
                **controls.WRAP,
            ),
            rx.cond(
                r["dispute_href"] != "",
                rx.hstack(
                    rx.link("Your dispute", href=r["dispute_href"], size="2", data_testid="portal-line-dispute"),
                    badges.status_badge(r["dispute_status"], COLORS),
                    spacing="2",
                ),
            ),
            rx.cond(
                r["can_dispute"] & (s.dispute_line != r["id"]),
                rx.button(
                    "Dispute this line",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=s.start_dispute(r["id"]),
                    data_testid="portal-dispute-start",
                ),
            ),
            rx.cond(
                s.dispute_line == r["id"],
                rx.vstack(
                    controls.note_input(
                        s.dispute_note,
                        s.set_note,
                        "portal-dispute-note",
                        placeholder="What is wrong with this line, and why",
                        rows="3",
                    ),
                    rx.hstack(
                        rx.button(
                            "Send dispute",
                            on_click=s.send_dispute,
                            disabled=s.busy | (s.dispute_note.strip() == ""),
                            data_testid="portal-dispute-send",
                        ),
                        rx.button("Cancel", variant="soft", color_scheme="gray", on_click=s.cancel_dispute),
                        spacing="2",
                    ),
                    width="100%",
                    spacing="2",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="portal-pack-line",
    )


@portal_page("/portal/match-packs/[id]", "Match pack", on_load=MyPackState.load)
def my_pack_page() -> rx.Component:
    s = MyPackState
    p = s.pack
    return rx.cond(
        s.loading,
        rx.center(rx.spinner(), padding="2rem", width="100%"),
        rx.vstack(
            rx.link("← My match packs", href="/portal/match-packs", size="2"),
            rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", size="1", data_testid="portal-pack-error")),
            rx.cond(
                s.notice != "", rx.callout(s.notice, color_scheme="green", size="1", data_testid="portal-pack-notice")
            ),
            rx.cond(
                s.found,
                rx.vstack(
                    rx.card(
                        rx.hstack(
                            rx.heading(p["title"], size="5", data_testid="portal-pack-title"),
                            badges.status_badge(p["status"], COLORS, data_testid="portal-pack-status"),
                            rx.spacer(),
                            rx.text(p["sub"], " · variance ", p["amount"], size="2"),
                            width="100%",
                            align="center",
                            wrap="wrap",
                        ),
                        width="100%",
                    ),
                    controls.hint(
                        "Each line is checked against our purchase order and what we received; "
                        "✗ marks an exception, with the rule and tolerance behind it."
                    ),
                    rx.vstack(rx.foreach(s.lines, _my_line), spacing="3", width="100%"),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )
