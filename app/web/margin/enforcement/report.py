"""/reports/[batch_id]: one batch's report: totals, outcomes, before/after deltas, lines, CSV."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls
from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.feedback import error_box
from app.web.kit.table import column_table
from app.web.margin.enforcement.rows import Report
from app.web.margin.enforcement.views import (
    batch_header,
    count_badges,
    fetch_report,
    in_currency,
    stack,
    status_cell,
)
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.margin.permissions import READ


class ReportState(AuthState):
    report: Report = Report()
    loading: bool = False
    error: str = ""

    def _clear(self) -> None:
        self.report = Report()

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.error = ""
        if ctx is None:
            self._clear()
            return
        batch_id = fmt.parse_uuid(fmt.last_segment(self.router.url.path))
        if batch_id is None:
            self._clear()
            self.error = "Report not found."
            return
        self.loading = True
        yield
        ok, report = await call(self, fetch_report, ctx, str(batch_id))
        self.report = report if ok else Report()
        self.loading = False


TOTAL_COLUMNS = [
    ("", "label"),
    ("Before", "before"),
    ("After", "after"),
    ("Δ", lambda d: rx.text.strong(d["delta"])),
]


def _line_columns(currency: Var) -> list:
    return [
        ("Dealer", "dealer"),
        ("Outcome", lambda r: rx.badge(r["outcome"], variant="soft")),
        ("Dealer status", status_cell),
        ("SKU", "sku"),
        ("Rule", "rule"),
        (in_currency("Floor", currency), "floor"),
        (in_currency("Price before", currency), "price_before"),
        (in_currency("Price after", currency), "price_after"),
        ("Now", "complied"),
        ("Time to comply", "hours"),
    ]


def _header(r: Var) -> rx.Component:
    return batch_header(
        r,
        rx.badge(r.status),
        rx.cond(
            r.currency != "",
            rx.badge("Amounts in ", r.currency, variant="outline", data_testid="report-currency"),
        ),
        rx.spacer(),
        rx.link("Execution", href=r.execution, data_testid="report-execution"),
        # a real download: `rx.el.a` is react-router's Link, so `reload_document` hands the
        # click back to the browser, which fetches the CSV (session cookie) and saves it
        # (`download`) instead of routing to /api/... as a page (client-side 404)
        rx.button(
            rx.el.a(
                rx.icon("download", size=16),
                "CSV",
                href=r.csv,
                download=r.csv_name,
                reload_document=True,
                data_testid="report-csv",
            ),
            as_child=True,
            variant="soft",
        ),
    )


@app_page("/reports/[batch_id]", "Batch report", permission=READ, on_load=ReportState.load)
def report_page() -> rx.Component:
    s = ReportState
    r = s.report
    return stack(
        error_box(s.error),
        rx.cond(s.loading, rx.spinner()),
        rx.cond(
            r.name != "",
            stack(
                _header(r),
                rx.flex(
                    rx.foreach(
                        r.totals,
                        lambda t: rx.card(
                            rx.vstack(controls.caption(t["label"]), rx.heading(t["value"], size="5"), spacing="1"),
                            data_testid="report-total",
                        ),
                    ),
                    count_badges(r.outcomes),
                    spacing="3",
                    wrap="wrap",
                    align="center",
                ),
                column_table(TOTAL_COLUMNS, r.deltas, "report-deltas", "report-delta"),
                column_table(_line_columns(r.currency), r.lines, "report-lines", "report-line"),
            ),
        ),
    )
