"""/reports/[batch_id]: one batch's report: totals, outcomes, before/after deltas, lines, CSV."""

from __future__ import annotations

import asyncio

import reflex as rx

from app.web.kit import format as fmt
from app.web.kit.feedback import error_box
from app.web.kit.table import column_table
from app.web.margin.enforcement.views import (
    batch_header,
    caption,
    fetch_report,
    in_currency,
    stack,
    status_cell,
)
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.errors import DomainError
from engine.margin.permissions import READ


class ReportState(AuthState):
    name: str = ""
    label: str = ""
    status: str = ""
    currency: str = ""
    totals: list[dict[str, str]] = []
    outcomes: list[dict[str, str]] = []
    deltas: list[dict[str, str]] = []
    lines: list[dict[str, str]] = []
    csv_href: str = ""
    csv_name: str = ""
    execution_href: str = ""
    loading: bool = False
    error: str = ""

    def _clear(self) -> None:
        self.name = self.label = self.status = self.currency = ""
        self.csv_href = self.csv_name = self.execution_href = ""
        self.totals, self.outcomes, self.deltas, self.lines = [], [], [], []

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.error = ""
        if ctx is None:
            self._clear()
            return
        batch_id = fmt.parse_uuid(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])
        if batch_id is None:
            self._clear()
            self.error = "Report not found."
            return
        self.loading = True
        yield
        try:
            data = await asyncio.to_thread(fetch_report, ctx, str(batch_id))
        except DomainError as exc:
            self._clear()
            self.error = fmt.error_text(exc)
        else:
            self.name, self.label, self.status = data["name"], data["label"], data["status"]
            self.totals, self.outcomes, self.deltas = data["totals"], data["outcomes"], data["deltas"]
            self.lines, self.csv_href, self.csv_name = data["lines"], data["csv"], data["csv_name"]
            self.currency, self.execution_href = data["currency"], data["execution"]
        self.loading = False


@app_page("/reports/[batch_id]", "Batch report", permission=READ, on_load=ReportState.load)
def report_page() -> rx.Component:
    s = ReportState
    return stack(
        error_box(s.error),
        rx.cond(s.loading, rx.spinner()),
        rx.cond(
            s.name != "",
            stack(
                batch_header(
                    s,
                    rx.badge(s.status),
                    rx.cond(
                        s.currency != "",
                        rx.badge("Amounts in ", s.currency, variant="outline", data_testid="report-currency"),
                    ),
                    rx.spacer(),
                    rx.link("Execution", href=s.execution_href, data_testid="report-execution"),
                    # a real download: `rx.el.a` is react-router's Link, so `reload_document` hands the
                    # click back to the browser, which fetches the CSV (session cookie) and saves it
                    # (`download`) instead of routing to /api/... as a page (client-side 404)
                    rx.button(
                        rx.el.a(
                            rx.icon("download", size=16),
                            "CSV",
                            href=s.csv_href,
                            download=s.csv_name,
                            reload_document=True,
                            data_testid="report-csv",
                        ),
                        as_child=True,
                        variant="soft",
                    ),
                ),
                rx.flex(
                    rx.foreach(
                        s.totals,
                        lambda t: rx.card(
                            rx.vstack(caption(t["label"]), rx.heading(t["value"], size="5"), spacing="1"),
                            data_testid="report-total",
                        ),
                    ),
                    rx.foreach(s.outcomes, lambda o: rx.badge(o["outcome"], ": ", o["count"], size="2")),
                    spacing="3",
                    wrap="wrap",
                    align="center",
                ),
                column_table(
                    [
                        ("", "label"),
                        ("Before", "before"),
                        ("After", "after"),
                        ("Δ", lambda d: rx.text.strong(d["delta"])),
                    ],
                    s.deltas,
                    "report-deltas",
                    "report-delta",
                ),
                column_table(
                    [
                        ("Dealer", "dealer"),
                        ("Outcome", lambda r: rx.badge(r["outcome"], variant="soft")),
                        ("Dealer status", status_cell),
                        ("SKU", "sku"),
                        ("Rule", "rule"),
                        (in_currency("Floor", s.currency), "floor"),
                        (in_currency("Price before", s.currency), "price_before"),
                        (in_currency("Price after", s.currency), "price_after"),
                        ("Now", "complied"),
                        ("Time to comply", "hours"),
                    ],
                    s.lines,
                    "report-lines",
                    "report-line",
                ),
            ),
        ),
    )
