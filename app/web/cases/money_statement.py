"""`/statements/[id]`: one statement of account for staff — each line against the ledger, the
vendor's answers (confirm or dispute, with the case a dispute opened), what the ledger has that the
statement lacks, and "Reconcile again"."""

from __future__ import annotations

import reflex as rx

from app.web.cases.money_rows import (
    MONEY_COLORS,
    AllocationRow,
    SoaLineRow,
    StatementRow,
    amount,
    soa_line_rows,
    statement_row,
)
from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.calls import call
from app.web.kit.decisions import record_header
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.cases.permissions import READ, WRITE
from engine.context import TenantContext
from models.cases import ledger_actions as actions
from models.cases import statement_queries


class StatementState(AuthState):
    statement: StatementRow = StatementRow()
    lines: list[SoaLineRow] = []
    missing: list[AllocationRow] = []
    found: bool = False
    loading: bool = False
    error: str = ""
    notice: str = ""
    can_write: bool = False
    _record_id: str = ""

    async def _show(self, ctx: TenantContext) -> None:
        ok, d = await call(self, statement_queries.statement_detail, ctx, fmt.parse_uuid(self._record_id))
        if not ok:
            self.found, self.error = False, "This statement does not exist in your tenant."
            return
        currency = d.statement.currency
        self.statement = statement_row(d.statement)
        self.lines = soa_line_rows(d.lines, currency)
        self.missing = [
            AllocationRow(f"{m.kind} {m.number}", m.at[:10], "", amount(m.amount, currency)) for m in d.missing
        ]
        self.found, self.error = True, ""

    @rx.event
    async def load(self):
        self.found, self.loading, self.error, self.notice = False, True, "", ""
        yield
        ctx = await self._require(READ)
        record = fmt.parse_uuid(fmt.last_segment(self.router.url.path))
        self._record_id = str(record) if record else ""
        if ctx is not None and record is not None:
            self.can_write = ctx.can(WRITE) and ctx.role.value != "vendor"
            await self._show(ctx)
        self.loading = False

    @rx.event
    async def reconcile(self):
        ctx = await self._require(WRITE)
        if ctx is None or not self._record_id:
            return
        ok, _ = await call(self, actions.reconcile_statement, ctx, fmt.parse_uuid(self._record_id), writes=True)
        if ok:
            await self._show(ctx)
            self.notice = "Reconciled against the ledger as it is now."


SOA_COLUMNS = [
    tables.col("#", "no"),
    tables.col("Document", "document"),
    tables.num("Vendor's figure", "amount"),
    tables.num("Our ledger", "ledger"),
    tables.col("Reconciliation", lambda r: badges.status_badge(r["state"], MONEY_COLORS, data_testid="soa-state")),
    tables.num("Difference", "difference"),
    tables.col(
        "Vendor's answer",
        lambda r: rx.vstack(
            badges.status_badge(r["response"], MONEY_COLORS, data_testid="soa-response"),
            rx.cond(r["note"] != "", controls.hint(r["note"])),
            rx.cond(
                r["dispute_href"] != "", rx.link("case", href=r["dispute_href"], size="1", data_testid="soa-dispute")
            ),
            spacing="1",
        ),
    ),
]
MISSING_COLUMNS = [tables.col("Document", "invoice"), tables.col("Date", "payment"), tables.num("Amount", "amount")]


@app_page("/statements/[id]", "Statement of account", permission=READ, on_load=StatementState.load)
def statement_page() -> rx.Component:
    s = StatementState
    st = s.statement
    return rx.cond(
        s.loading,
        rx.center(rx.spinner(), padding="2rem", width="100%"),
        rx.cond(
            s.found,
            rx.vstack(
                rx.link("← All statements", href="/statements", size="2"),
                rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", size="1")),
                rx.cond(s.notice != "", rx.callout(s.notice, color_scheme="green", size="1")),
                record_header(
                    rx.heading(st["reference"], size="6", data_testid="statement-reference"),
                    sub=rx.text(
                        st["vendor"], " · as of ", st["as_of"], " · ", st["lines"], " · ", st["answered"], size="2"
                    ),
                    aside=rx.vstack(
                        controls.hint("Vendor's balance / our ledger / difference"),
                        rx.text(
                            st["vendor_balance"],
                            " / ",
                            st["ledger_balance"],
                            " / ",
                            st["difference"],
                            weight="medium",
                            data_testid="statement-balances",
                        ),
                        align="end",
                        spacing="0",
                    ),
                    footer=(
                        rx.cond(
                            s.can_write,
                            rx.button(
                                "Reconcile again",
                                variant="soft",
                                on_click=s.reconcile,
                                data_testid="statement-reconcile",
                            ),
                        ),
                    ),
                ),
                controls.section("Lines", tables.grid(SOA_COLUMNS, s.lines, "statement-lines", "statement-line")),
                controls.section(
                    "In our ledger, not on the statement",
                    tables.table_or_empty(
                        s.missing,
                        MISSING_COLUMNS,
                        "statement-missing",
                        "Nothing: every ledger entry is on the statement.",
                        "check",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                rx.text(s.error), rx.link("Back to statements", href="/statements"), align="center", width="100%"
            ),
        ),
    )
