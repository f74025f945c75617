"""/catalog/channels — a channel's catalog: its versions, the live listing, the diff between two
versions, and publish / unlist of one offering (each a new published version; catalog.write).

Every handler re-checks the permission and the tenant's ENABLE_CATALOG_PUBLISHING flag itself and
calls the catalog's queries and actions.
"""

from __future__ import annotations

import uuid

import reflex as rx
from reflex.vars import Var

from app.web.catalog import views
from app.web.catalog.views import ChannelRow, ItemRow, OfferingRow, VersionRow
from app.web.catalog.widgets import CatalogPage, catalog_page, flagged_page, two_panes
from app.web.kit import controls
from app.web.kit.badges import status_badge
from app.web.kit.calls import call
from app.web.kit.feedback import messages
from app.web.kit.format import parse_uuid
from app.web.kit.table import table
from app.web.shell.auth import AuthState
from engine.catalog.permissions import CATALOG_READ as READ
from engine.catalog.permissions import CATALOG_WRITE as WRITE
from engine.context import TenantContext
from models.catalog import actions
from models.core.flags import ENABLE_CATALOG_PUBLISHING


def change_listing(ctx: TenantContext, channel_id: str, change: str, offering_id: str, note: str) -> int:
    """Publish or unlist one offering; the new version's number."""
    view = actions.change_catalog(ctx, channel_id, change, [uuid.UUID(offering_id)], note.strip() or None)
    return view.version.version if view.version else 0


class ChannelCatalogState(CatalogPage, AuthState):
    loading: bool = False
    error: str = ""
    notice: str = ""
    channels: list[ChannelRow] = []
    channel_id: str = ""
    current: str = ""
    versions: list[VersionRow] = []
    items: list[ItemRow] = []
    offerings: list[OfferingRow] = []
    diff_from: str = ""
    diff_to: str = ""
    diff_rows: list[ItemRow] = []
    note: str = ""

    @rx.event
    async def load(self):
        async for _ in self._load():
            yield

    async def _load(self):
        self.channels, self.versions, self.items, self.offerings, self.diff_rows = [], [], [], [], []
        self.error = self.notice = self.current = self.note = ""
        self.loading = True
        yield
        ctx = await self._page_context(READ, ENABLE_CATALOG_PUBLISHING)
        if ctx is not None:
            self.can_write = ctx.can(WRITE)
            ok, channels = await call(self, views.channel_rows, ctx)
            self.channels = channels if ok else []
            if self.channel_id not in {c.id for c in self.channels}:
                self.channel_id = self.channels[0].id if self.channels else ""
            await self._refresh(ctx)
        self.loading = False

    async def _refresh(self, ctx: TenantContext) -> None:
        if not self.channel_id:
            return
        ok, data = await call(self, views.channel_catalog, ctx, self.channel_id)
        if not ok:
            return
        self.current, self.versions = data.current, data.versions
        self.items, self.offerings = data.items, data.offerings
        numbers = [v.version for v in self.versions]
        self.diff_to = numbers[0] if numbers else ""
        self.diff_from = numbers[1] if len(numbers) > 1 else self.diff_to
        self.diff_rows = []

    @rx.event
    async def pick_channel(self, channel_id: str):
        self.channel_id = str(channel_id)[:64]
        async for _ in self._load():
            yield

    @rx.event
    def set_note(self, value: str):
        self.note = str(value or "")[:1000]

    @rx.event
    def set_diff_from(self, value: str):
        self.diff_from = str(value)[:10]

    @rx.event
    def set_diff_to(self, value: str):
        self.diff_to = str(value)[:10]

    @rx.event
    async def show_diff(self):
        ctx = await self._page_context(READ, ENABLE_CATALOG_PUBLISHING)
        if ctx is None:
            return
        try:
            old, new = int(self.diff_from), int(self.diff_to)
        except ValueError:
            self.error = "pick two versions"
            return
        ok, rows = await call(self, views.catalog_diff, ctx, self.channel_id, old, new)
        if ok:
            self.diff_rows, self.error = rows, ""

    @rx.event
    async def toggle(self, offering_id: str, listed: bool):
        ctx = await self._page_context(WRITE, ENABLE_CATALOG_PUBLISHING)
        if ctx is None:
            self.error = "Your role may not publish or unlist."
            return
        change, offering = "unlist" if listed else "publish", parse_uuid(offering_id)
        if offering is None:
            self.error = "invalid offering"
            return
        ok, number = await call(
            self, change_listing, ctx, self.channel_id, change, str(offering), self.note, writes=True
        )
        if not ok:
            return
        self.error, self.note = "", ""
        self.notice = f"Version {number} published ({change})."
        await self._refresh(ctx)


def _version_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text("v", row.version, weight="bold")),
        rx.table.cell(status_badge(row.status, words=False)),
        rx.table.cell(row.change, " ", row.count),
        rx.table.cell(row.note),
        rx.table.cell(rx.text(row.at, size="1", color_scheme="gray")),
        data_testid="version-row",
    )


def _offering_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.title),
        rx.table.cell(rx.cond(row.listed, rx.badge("listed", color_scheme="green"), rx.badge("not listed"))),
        rx.table.cell(
            rx.cond(
                ChannelCatalogState.can_write,
                rx.button(
                    rx.cond(row.listed, "Unlist", "Publish"),
                    size="1",
                    variant="soft",
                    on_click=ChannelCatalogState.toggle(row.id, row.listed),
                ),
            )
        ),
        data_testid="offering-row",
    )


def _diff_row(d: Var) -> rx.Component:
    color = rx.match(d.change, ("added", "green"), ("removed", "red"), "gray")
    return rx.hstack(
        rx.badge(d.change, color_scheme=color),
        rx.code(d.sku_code, variant="ghost"),
        rx.text(d.title, size="2"),
        data_testid="diff-row",
    )


def _version_select(value: Var, on_change, label: str) -> rx.Component:
    items = rx.foreach(ChannelCatalogState.versions, lambda v: rx.select.item("v" + v.version, value=v.version))
    return rx.select.root(
        rx.select.trigger(placeholder=label, aria_label=label),
        rx.select.content(items),
        value=value,
        on_change=on_change,
    )


@catalog_page("/catalog/channels", "Channel catalogs", READ, ChannelCatalogState, icon="store", order=42)
def channel_catalog_page() -> rx.Component:
    s = ChannelCatalogState
    return flagged_page(
        s,
        rx.hstack(
            controls.select(
                s.channels,
                s.channel_id,
                s.pick_channel,
                "Channel",
                keys=("id", "name"),
                trigger={"placeholder": "Channel"},
            ),
            rx.text(rx.cond(s.current != "", "Live: v" + s.current, "Nothing published yet"), color_scheme="gray"),
            align="center",
        ),
        messages(s.error, s.notice),
        two_panes(
            rx.vstack(
                rx.heading("Offerings", size="3"),
                rx.cond(
                    s.can_write,
                    rx.input(placeholder="Note for the next version", value=s.note, on_change=s.set_note, width="100%"),
                ),
                table(["Offering", "Live", ""], rx.foreach(s.offerings, _offering_row), "offerings-table"),
                rx.heading("Live listing", size="3"),
                rx.vstack(
                    rx.foreach(s.items, lambda i: rx.text(rx.code(i.sku_code, variant="ghost"), " ", i.title)),
                    spacing="1",
                ),
                width="100%",
            ),
            rx.vstack(
                rx.heading("Versions", size="3"),
                table(
                    ["Version", "Status", "Change", "Note", "When"],
                    rx.foreach(s.versions, _version_row),
                    "versions-table",
                ),
                rx.heading("Compare versions", size="3"),
                rx.hstack(
                    _version_select(s.diff_from, s.set_diff_from, "From version"),
                    rx.text("→"),
                    _version_select(s.diff_to, s.set_diff_to, "To version"),
                    rx.button("Show diff", on_click=s.show_diff, variant="soft"),
                    align="center",
                    wrap="wrap",
                ),
                rx.vstack(
                    rx.foreach(s.diff_rows, _diff_row),
                    spacing="1",
                ),
                width="100%",
            ),
        ),
    )
