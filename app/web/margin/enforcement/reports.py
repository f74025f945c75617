"""/reports: the enforcement batches, newest first, with "Load more" (keyset cursor)."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit.feedback import error_box
from app.web.kit.lists import KeysetListMixin
from app.web.kit.table import column_table, load_more
from app.web.margin.enforcement.rows import BatchRow
from app.web.margin.enforcement.views import (
    fetch_batches,
    in_currency,
    stack,
)
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.margin.permissions import ENFORCE, READ
from models.margin.queries import enforcement as enforcement_queries


class ReportsState(KeysetListMixin, AuthState):
    rows: list[BatchRow] = []
    currency: str = ""
    can_run: bool = False

    _list_permission: ClassVar[str] = READ

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[BatchRow], str | None]:
        return fetch_batches(ctx, cursor)

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.can_run = ctx is not None and ctx.can(ENFORCE)
        self.currency = await asyncio.to_thread(enforcement_queries.currency, ctx) if ctx else ""
        async for _ in self._reload_list(ctx):
            yield


def _status(r: Var) -> rx.Component:
    """The batch's status, with a link to start it while it is a draft the person may run."""
    return rx.hstack(
        rx.badge(r["status"], variant="soft"),
        rx.cond(
            ReportsState.can_run & (r["status"] == "draft"),
            rx.link("Start…", href="/execution?batchId=" + r["id"], size="1", data_testid="report-start-draft"),
        ),
        spacing="2",
        align="center",
    )


@app_page(
    "/reports", "Reports", permission=READ, nav="Reports", icon="file-chart-column", order=15, on_load=ReportsState.load
)
def reports_page() -> rx.Component:
    s = ReportsState
    return stack(
        error_box(s.error),
        rx.cond(s.loading & (s.rows.length() == 0), rx.spinner()),
        rx.cond(
            (s.rows.length() == 0) & ~s.loading,
            rx.callout("No enforcement batch yet.", icon="info"),
            column_table(
                [
                    ("Batch", lambda r: rx.link(r["name"], href="/reports/" + r["id"])),
                    ("Action", "action"),
                    ("Status", _status),
                    ("Items", "item_count"),
                    ("Finished", "done"),
                    (in_currency("Expected recoverable", s.currency), "recoverable"),
                    ("Created", lambda r: rx.text(r["created"], white_space="nowrap")),
                ],
                s.rows,
                "reports-table",
                "report-row",
            ),
        ),
        load_more(s.has_more, s.loading, s.load_more, "reports-more"),
    )
