"""/catalog/skus — SKUs, products and channels: lists, create / edit (catalog.write), and
deactivate / reactivate of SKUs and channels (audited; inactive rows stay listed, greyed).

Every handler re-checks catalog.read / catalog.write and the tenant's ENABLE_CHANNELS flag itself
(with the flag off the page shows "not found"), and calls the catalog's queries and actions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.catalog import views
from app.web.catalog.forms import CHANNEL_KIND_OPTIONS, FORMS
from app.web.catalog.widgets import page_context
from app.web.kit.calls import call
from app.web.kit.feedback import feature_off, spinner_block
from app.web.kit.forms import EntityForm, FormSpec, choice_field, edit_button, form_dialog, new_button, text_field
from app.web.kit.table import table
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.catalog.permissions import CATALOG_READ as READ
from engine.catalog.permissions import CATALOG_WRITE as WRITE
from engine.context import TenantContext
from models.catalog import actions
from models.core.flags import ENABLE_CHANNELS


class SkusState(EntityForm, AuthState):
    _forms: ClassVar[Mapping[str, FormSpec]] = FORMS
    _form_kinds = ("channel", "product", "sku")
    can_write: bool = False
    feature_off: bool = False
    loading: bool = False
    notice: str = ""
    error: str = ""
    rows: list[dict[str, str]] = []
    products: list[dict[str, str]] = []
    channels: list[dict[str, str]] = []
    product_options: list[dict[str, str]] = []
    maker_options: list[dict[str, str]] = []

    async def _page_context(self, permission: str, flag: str) -> TenantContext | None:
        ctx, self.feature_off = await page_context(self, permission, flag)
        return ctx

    async def _refresh(self, ctx: TenantContext) -> None:
        data = await asyncio.to_thread(views.sku_page, ctx)
        self.rows, self.products, self.channels = data["skus"], data["products"], data["channels"]
        self.product_options, self.maker_options = data["product_options"], data["maker_options"]

    @rx.event
    async def load(self):
        self.rows, self.products, self.channels, self.loading, self.notice = [], [], [], True, ""
        self.error = ""
        yield
        ctx = await self._page_context(READ, ENABLE_CHANNELS)
        if ctx is not None:
            self.can_write = ctx.can(WRITE)
            await self._refresh(ctx)
        self.loading = False

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        await self._refresh(ctx)
        self.notice = f"Saved {FORMS[kind].noun} {result['label']}."

    @rx.event
    async def set_active(self, kind: str, row_id: str, active: bool):
        """Deactivate (active=False) or reactivate a SKU or channel: catalog.write, ENABLE_CHANNELS."""
        ctx = await self._page_context(WRITE, ENABLE_CHANNELS)
        if ctx is None or kind not in ("sku", "channel") or not isinstance(active, bool):
            return
        self.notice, self.error = "", ""
        ok, code = await call(self, actions.set_active, ctx, kind, str(row_id)[:64], active, writes=True)
        if not ok:
            return
        await self._refresh(ctx)
        noun = "SKU" if kind == "sku" else "channel"
        self.notice = f"{'Reactivated' if active else 'Deactivated'} {noun} {code}."


def _active_cell(row: Var) -> rx.Component:
    return rx.table.cell(
        rx.cond(
            row["active"] == "yes",
            rx.badge("active", color_scheme="green", variant="soft"),
            rx.badge("inactive", color_scheme="gray", variant="solid", data_testid="inactive-badge"),
        )
    )


def _toggle_button(kind: str, row: Var) -> rx.Component:
    active = row["active"] == "yes"
    return rx.button(
        rx.cond(active, rx.icon("circle-off", size=14), rx.icon("circle-check", size=14)),
        rx.cond(active, "Deactivate", "Reactivate"),
        size="1",
        variant="soft",
        color_scheme=rx.cond(active, "gray", "green"),
        on_click=rx.cond(
            active, SkusState.set_active(kind, row["id"], False), SkusState.set_active(kind, row["id"], True)
        ),
        data_testid=f"toggle-{kind}",
    )


def _entity_row(kind: str, columns: tuple[str, ...], *, toggles: bool = False):
    """A table row renderer: the code, then `columns` (`active` as a badge), then Edit — and for SKUs
    and channels Deactivate / Reactivate — for roles with catalog.write. Inactive rows are greyed."""

    def render(row: Var) -> rx.Component:
        actions = [edit_button(SkusState, kind, row["id"])]
        if toggles:
            actions.append(_toggle_button(kind, row))
        return rx.table.row(
            rx.table.cell(rx.code(row["code"], variant="ghost")),
            *[_active_cell(row) if c == "active" else rx.table.cell(row[c]) for c in columns],
            rx.table.cell(rx.cond(SkusState.can_write, rx.hstack(*actions, spacing="2"))),
            opacity=rx.cond(row["active"] == "no", "0.6", "1") if toggles else "1",
            data_testid=f"{kind}-row",
        )

    return render


_sku_row = _entity_row("sku", ("name", "product", "category", "manufacturer", "uom", "active"), toggles=True)
_product_row = _entity_row("product", ("name", "brand", "category", "manufacturer"))
_channel_row = _entity_row("channel", ("name", "kind", "active"), toggles=True)


def _section(title: str, kind: str, button: str, table: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(title, size="4"),
            rx.spacer(),
            rx.cond(SkusState.can_write, new_button(SkusState, kind, button)),
            align="center",
            width="100%",
        ),
        table,
        spacing="2",
        width="100%",
    )


def _catalog_forms() -> rx.Component:
    s = SkusState
    code_name = rx.grid(
        text_field(s, "code", "Code"), text_field(s, "name", "Name"), columns="2", spacing="3", width="100%"
    )
    return form_dialog(
        s,
        {
            "sku": rx.vstack(
                choice_field(s, "product_id", "Product", s.product_options),
                code_name,
                text_field(s, "uom", "Unit"),
                spacing="3",
                width="100%",
            ),
            "product": rx.vstack(
                code_name,
                rx.grid(
                    text_field(s, "brand", "Brand"),
                    text_field(s, "category", "Category"),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                choice_field(s, "manufacturer_org_id", "Manufacturer", s.maker_options, none_label="No manufacturer"),
                text_field(s, "description", "Description", area=True),
                spacing="3",
                width="100%",
            ),
            "channel": rx.vstack(
                code_name, choice_field(s, "kind", "Kind", CHANNEL_KIND_OPTIONS), spacing="3", width="100%"
            ),
        },
    )


@app_page(
    "/catalog/skus", "Products and SKUs", permission=READ, nav="SKUs", icon="package", order=41, on_load=SkusState.load
)
def skus_page() -> rx.Component:
    s = SkusState
    return rx.cond(
        s.feature_off,
        feature_off(),
        rx.cond(
            s.loading,
            spinner_block(),
            rx.vstack(
                rx.cond(
                    s.notice != "",
                    rx.callout(s.notice, icon="check", color_scheme="green", width="100%", data_testid="notice"),
                ),
                rx.cond(
                    s.error != "",
                    rx.callout(s.error, icon="triangle-alert", color_scheme="red", width="100%", role="alert"),
                ),
                _catalog_forms(),
                _section(
                    "SKUs",
                    "sku",
                    "New SKU",
                    table(
                        ["SKU", "Name", "Product", "Category", "Manufacturer", "Unit", "Active", ""],
                        rx.foreach(s.rows, _sku_row),
                        "skus-table",
                    ),
                ),
                _section(
                    "Products",
                    "product",
                    "New product",
                    table(
                        ["Code", "Name", "Brand", "Category", "Manufacturer", ""],
                        rx.foreach(s.products, _product_row),
                        "products-table",
                    ),
                ),
                _section(
                    "Channels",
                    "channel",
                    "New channel",
                    table(
                        ["Code", "Name", "Kind", "Active", ""], rx.foreach(s.channels, _channel_row), "channels-table"
                    ),
                ),
                spacing="5",
                width="100%",
            ),
        ),
    )
