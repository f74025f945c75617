"""Sent notices (/notices): the enforcement notices outbox, newest first.

Reads through the repository function the API's `GET /api/notices` uses
(`models.margin.enforcement.list_notices`, keyset pagination on created_at, id): "Load more" appends
the next page using the cursor kept server-side, a dealer filter restarts from the first page, and an
empty state explains where notices come from. Every handler checks `margin.read` itself.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC
from typing import Any

import reflex as rx
from sqlmodel import select

from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.errors import DomainError
from engine.margin.enforcement import ACTIONS
from models.catalog.tables import Organization
from models.core.db import tenant_session
from models.margin import enforcement
from models.margin.dealers import list_dealers

READ = "margin.read"
ALL = "__all__"
PAGE_SIZE = 25


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def fetch_dealers(ctx: TenantContext) -> list[dict[str, str]]:
    with tenant_session(ctx) as session:
        page, _, _ = list_dealers(session, ctx, limit=200)
        return [{"id": str(d.id), "name": d.name} for d in page.items]


def fetch_notices(ctx: TenantContext, dealer_id: uuid.UUID | None, cursor: str | None) -> dict[str, Any]:
    """One page of the outbox as display rows plus the next cursor ("" when this is the last page)."""
    with tenant_session(ctx) as session:
        page = enforcement.list_notices(session, ctx, dealer_id=dealer_id, limit=PAGE_SIZE, cursor=cursor)
        dealer_ids = {n.dealer_id for n in page.items}
        names: dict[uuid.UUID, str] = {}
        if dealer_ids:
            rows = session.exec(
                select(Organization.id, Organization.name).where(
                    Organization.tenant_id == ctx.tenant_id,
                    Organization.id.in_(dealer_ids),  # type: ignore[attr-defined]
                )
            ).all()
            names = {r[0]: r[1] for r in rows}
        items = [
            {
                "id": str(n.id),
                "sent": n.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                "dealer": names.get(n.dealer_id, str(n.dealer_id)),
                "action": ACTIONS[n.action][0] if n.action in ACTIONS else n.action,
                "subject": n.subject,
                "alerts": str(len(n.alert_ids or [])),
                "channel": n.channel,
                "batch_href": f"/reports/{n.batch_id}",
            }
            for n in page.items
        ]
        return {"items": items, "next": page.next_cursor or ""}


class NoticesState(AuthState):
    rows: list[dict[str, str]] = []
    dealer_options: list[dict[str, str]] = []
    f_dealer: str = ALL
    has_more: bool = False
    loading: bool = False
    error: str = ""
    _cursor: str = ""

    async def _fetch(self, ctx: TenantContext, *, append: bool) -> None:
        cursor = self._cursor if append else None
        try:
            data = await asyncio.to_thread(fetch_notices, ctx, _uuid(self.f_dealer), cursor or None)
        except DomainError as exc:
            self.error = exc.message
            return
        self.rows = [*self.rows, *data["items"]] if append else data["items"]
        self._cursor = data["next"]
        self.has_more = bool(data["next"])
        self.error = ""

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.rows, self._cursor, self.has_more, self.f_dealer, self.error = [], "", False, ALL, ""
        if ctx is None:
            self.dealer_options = []
            return
        self.loading = True
        yield
        self.dealer_options = await asyncio.to_thread(fetch_dealers, ctx)
        await self._fetch(ctx, append=False)
        self.loading = False

    @rx.event
    async def set_dealer(self, value: str):
        ctx = await self._require(READ)
        if ctx is None:
            return
        self.f_dealer = str(_uuid(value)) if _uuid(value) else ALL
        self.loading = True
        yield
        await self._fetch(ctx, append=False)
        self.loading = False

    @rx.event
    async def load_more(self):
        ctx = await self._require(READ)
        if ctx is None or not self._cursor:
            return
        self.loading = True
        yield
        await self._fetch(ctx, append=True)
        self.loading = False


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r["sent"], white_space="nowrap"),
        rx.table.cell(r["dealer"], data_testid="notice-dealer"),
        rx.table.cell(rx.badge(r["action"], variant="soft")),
        rx.table.cell(r["subject"]),
        rx.table.cell(r["alerts"]),
        rx.table.cell(r["channel"]),
        rx.table.cell(rx.link("Report", href=r["batch_href"])),
        data_testid="notice-row",
    )


@app_page("/notices", "Sent notices", permission=READ, nav="Notices", icon="mail", order=16, on_load=NoticesState.load)
def notices_page() -> rx.Component:
    s = NoticesState
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.text("Dealer", size="1", weight="medium", color_scheme="gray"),
                rx.select.root(
                    rx.select.trigger(aria_label="Dealer", width="100%", data_testid="notices-dealer"),
                    rx.select.content(
                        rx.select.item("All dealers", value=ALL),
                        rx.foreach(s.dealer_options, lambda o: rx.select.item(o["name"], value=o["id"])),
                    ),
                    value=s.f_dealer,
                    on_change=s.set_dealer,
                ),
                spacing="1",
                min_width="14rem",
            ),
            rx.cond(s.loading, rx.spinner()),
            align="end",
            spacing="3",
        ),
        rx.cond(
            s.error != "",
            rx.callout(s.error, icon="triangle_alert", color_scheme="red", role="alert", data_testid="page-error"),
        ),
        rx.cond(
            (s.rows.length() == 0) & ~s.loading,
            rx.callout(
                "No notice sent yet. Notices are recorded here when an enforcement batch runs (see Bulk).",
                icon="inbox",
                data_testid="notices-empty",
            ),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("Sent", "Dealer", "Action", "Subject", "Alerts", "Channel", "Batch")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(s.rows, _row)),
                    size="1",
                    variant="surface",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
                data_testid="notices-table",
            ),
        ),
        rx.cond(
            s.has_more,
            rx.button(
                "Load more", on_click=s.load_more, disabled=s.loading, variant="soft", data_testid="notices-more"
            ),
        ),
        spacing="4",
        width="100%",
    )


__all__ = ["NoticesState", "fetch_notices"]
