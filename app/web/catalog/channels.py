"""/catalog/channels — a channel's catalog: its versions, the live listing, the diff between two
versions, and publish / unlist of one offering (each a new published version; catalog.write).

Every handler re-checks the permission and the tenant's ENABLE_CATALOG_PUBLISHING flag itself and
calls the catalog's queries and actions.
"""

from __future__ import annotations

import asyncio
import uuid

import reflex as rx
from reflex.vars import Var

from app.web.catalog import views
from app.web.catalog.widgets import page_context
from app.web.kit.badges import status_badge
from app.web.kit.calls import call, write
from app.web.kit.feedback import feature_off, messages
from app.web.kit.table import table
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.catalog.permissions import CATALOG_READ as READ
from engine.catalog.permissions import CATALOG_WRITE as WRITE
from engine.context import TenantContext
from engine.errors import DomainError
from models.catalog import actions
from models.core.flags import ENABLE_CATALOG_PUBLISHING


def change_listing(ctx: TenantContext, channel_id: str, change: str, offering_id: str, note: str) -> int:
    """Publish or unlist one offering; the new version's number."""
    view = actions.change_catalog(ctx, channel_id, change, [uuid.UUID(offering_id)], note.strip() or None)
    return view.version.version if view.version else 0


class ChannelCatalogState(AuthState):
    feature_off: bool = False
    loading: bool = False
    error: str = ""
    notice: str = ""
    channels: list[dict[str, str]] = []
    channel_id: str = ""
    current: str = ""
    versions: list[dict[str, str]] = []
    items: list[dict[str, str]] = []
    offerings: list[dict[str, str]] = []
    diff_from: str = ""
    diff_to: str = ""
    diff_rows: list[dict[str, str]] = []
    note: str = ""
    can_write: bool = False

    @rx.event
    async def load(self):
        async for _ in self._load():
            yield

    async def _load(self):
        self.channels, self.versions, self.items, self.offerings, self.diff_rows = [], [], [], [], []
        self.error = self.notice = self.current = self.note = ""
        self.loading = True
        yield
        ctx, self.feature_off = await page_context(self, READ, ENABLE_CATALOG_PUBLISHING)
        if ctx is not None:
            self.can_write = ctx.can(WRITE)
            self.channels = await asyncio.to_thread(views.channel_rows, ctx)
            known = {c["id"] for c in self.channels}
            if self.channel_id not in known:
                self.channel_id = self.channels[0]["id"] if self.channels else ""
            await self._refresh(ctx)
        self.loading = False

    async def _refresh(self, ctx: TenantContext) -> None:
        if not self.channel_id:
            return
        ok, data = await call(self, views.channel_catalog, ctx, self.channel_id)
        if not ok:
            return
        self.current, self.versions = data["current"], data["versions"]
        self.items, self.offerings = data["items"], data["offerings"]
        numbers = [v["version"] for v in self.versions]
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
        ctx, self.feature_off = await page_context(self, READ, ENABLE_CATALOG_PUBLISHING)
        if ctx is None:
            return
        try:
            self.diff_rows = await asyncio.to_thread(
                views.catalog_diff, ctx, self.channel_id, int(self.diff_from), int(self.diff_to)
            )
            self.error = ""
        except (DomainError, ValueError) as exc:
            self.error = getattr(exc, "message", "pick two versions")

    @rx.event
    async def toggle(self, offering_id: str, listed: str):
        ctx, self.feature_off = await page_context(self, WRITE, ENABLE_CATALOG_PUBLISHING)
        if ctx is None:
            self.error = "Your role may not publish or unlist."
            return
        change = "unlist" if listed else "publish"
        try:
            number = await write(change_listing, ctx, self.channel_id, change, str(offering_id), self.note)
        except (DomainError, ValueError) as exc:
            self.error = getattr(exc, "message", "invalid offering")
            return
        self.error, self.note = "", ""
        self.notice = f"Version {number} published ({change})."
        await self._refresh(ctx)


def _version_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text("v", row["version"], weight="bold")),
        rx.table.cell(status_badge(row["status"], words=False)),
        rx.table.cell(row["change"], " ", row["count"]),
        rx.table.cell(row["note"]),
        rx.table.cell(rx.text(row["at"], size="1", color_scheme="gray")),
        data_testid="version-row",
    )


def _offering_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["title"]),
        rx.table.cell(rx.cond(row["listed"] != "", rx.badge("listed", color_scheme="green"), rx.badge("not listed"))),
        rx.table.cell(
            rx.cond(
                ChannelCatalogState.can_write,
                rx.button(
                    rx.cond(row["listed"] != "", "Unlist", "Publish"),
                    size="1",
                    variant="soft",
                    on_click=ChannelCatalogState.toggle(row["id"], row["listed"]),
                ),
            )
        ),
        data_testid="offering-row",
    )


def _version_select(value: Var, on_change, label: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=label, aria_label=label),
        rx.select.content(
            rx.foreach(ChannelCatalogState.versions, lambda v: rx.select.item("v" + v["version"], value=v["version"]))
        ),
        value=value,
        on_change=on_change,
    )


@app_page(
    "/catalog/channels",
    "Channel catalogs",
    permission=READ,
    nav="Channel catalogs",
    icon="store",
    order=42,
    on_load=ChannelCatalogState.load,
)
def channel_catalog_page() -> rx.Component:
    s = ChannelCatalogState
    return rx.cond(
        s.feature_off,
        feature_off(),
        rx.vstack(
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(placeholder="Channel", aria_label="Channel"),
                    rx.select.content(rx.foreach(s.channels, lambda c: rx.select.item(c["name"], value=c["id"]))),
                    value=s.channel_id,
                    on_change=s.pick_channel,
                ),
                rx.text(rx.cond(s.current != "", "Live: v" + s.current, "Nothing published yet"), color_scheme="gray"),
                align="center",
            ),
            messages(s.error, s.notice),
            rx.grid(
                rx.vstack(
                    rx.heading("Offerings", size="3"),
                    rx.cond(
                        s.can_write,
                        rx.input(
                            placeholder="Note for the next version", value=s.note, on_change=s.set_note, width="100%"
                        ),
                    ),
                    table(["Offering", "Live", ""], rx.foreach(s.offerings, _offering_row), "offerings-table"),
                    rx.heading("Live listing", size="3"),
                    rx.vstack(
                        rx.foreach(
                            s.items, lambda i: rx.text(rx.code(i["sku_code"], variant="ghost"), " ", i["title"])
                        ),
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
                        rx.foreach(
                            s.diff_rows,
                            lambda d: rx.hstack(
                                rx.badge(
                                    d["change"],
                                    color_scheme=rx.match(d["change"], ("added", "green"), ("removed", "red"), "gray"),
                                ),
                                rx.code(d["sku_code"], variant="ghost"),
                                rx.text(d["title"], size="2"),
                                data_testid="diff-row",
                            ),
                        ),
                        spacing="1",
                    ),
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", lg="2"),
                spacing="4",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
    )
