"""/catalog/skus — SKUs, products and channels: lists, create / edit (catalog.write), and
deactivate / reactivate of SKUs and channels (audited; inactive rows stay listed, greyed).

Every handler re-checks catalog.read / catalog.write and the tenant's ENABLE_CHANNELS flag itself
(with the flag off the page shows "not found"), and calls the catalog's queries and actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.catalog import views
from app.web.catalog.forms import CHANNEL_KIND_OPTIONS, FORMS
from app.web.catalog.views import ChannelRow, Option, ProductRow, SkuRow
from app.web.catalog.widgets import CatalogPage, catalog_page, code_and_name, flagged_page, form_body, notice, pair
from app.web.kit.calls import call
from app.web.kit.feedback import error_box, spinner_block
from app.web.kit.forms import EntityForm, FormSpec, choice_field, edit_button, form_dialog, new_button, text_field
from app.web.kit.table import table
from app.web.shell.auth import AuthState
from engine.catalog.permissions import CATALOG_READ as READ
from engine.catalog.permissions import CATALOG_WRITE as WRITE
from engine.context import TenantContext
from models.catalog import actions
from models.core.flags import ENABLE_CHANNELS


class SkusState(CatalogPage, EntityForm, AuthState):
    _forms: ClassVar[Mapping[str, FormSpec]] = FORMS
    _form_kinds = ("channel", "product", "sku")
    loading: bool = False
    notice: str = ""
    error: str = ""
    rows: list[SkuRow] = []
    products: list[ProductRow] = []
    channels: list[ChannelRow] = []
    product_options: list[Option] = []
    maker_options: list[Option] = []

    async def _refresh(self, ctx: TenantContext) -> None:
        ok, data = await call(self, views.sku_page, ctx)
        if not ok:
            return
        self.rows, self.products, self.channels = data.skus, data.products, data.channels
        self.product_options, self.maker_options = data.product_options, data.maker_options

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
            row.is_active,
            rx.badge("active", color_scheme="green", variant="soft"),
            rx.badge("inactive", color_scheme="gray", variant="solid", data_testid="inactive-badge"),
        )
    )


def _toggle_button(kind: str, row: Var) -> rx.Component:
    active = row.is_active
    return rx.button(
        rx.cond(active, rx.icon("circle-off", size=14), rx.icon("circle-check", size=14)),
        rx.cond(active, "Deactivate", "Reactivate"),
        size="1",
        variant="soft",
        color_scheme=rx.cond(active, "gray", "green"),
        on_click=rx.cond(active, SkusState.set_active(kind, row.id, False), SkusState.set_active(kind, row.id, True)),
        data_testid=f"toggle-{kind}",
    )


def _entity_row(kind: str, columns: tuple[str, ...], *, toggles: bool = False):
    """A table row renderer: the code, then `columns` (`is_active` as a badge), then Edit — and for SKUs
    and channels Deactivate / Reactivate — for roles with catalog.write. Inactive rows are greyed."""

    def render(row: Var) -> rx.Component:
        actions = [edit_button(SkusState, kind, row.id)]
        if toggles:
            actions.append(_toggle_button(kind, row))
        return rx.table.row(
            rx.table.cell(rx.code(row.code, variant="ghost")),
            *[_active_cell(row) if c == "is_active" else rx.table.cell(getattr(row, c)) for c in columns],
            rx.table.cell(rx.cond(SkusState.can_write, rx.hstack(*actions, spacing="2"))),
            opacity=rx.cond(row.is_active, "1", "0.6") if toggles else "1",
            data_testid=f"{kind}-row",
        )

    return render


_sku_row = _entity_row("sku", ("name", "product", "category", "manufacturer", "uom", "is_active"), toggles=True)
_product_row = _entity_row("product", ("name", "brand", "category", "manufacturer"))
_channel_row = _entity_row("channel", ("name", "kind", "is_active"), toggles=True)


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
    return form_dialog(
        s,
        {
            "sku": form_body(
                choice_field(s, "product_id", "Product", s.product_options),
                code_and_name(s),
                text_field(s, "uom", "Unit"),
            ),
            "product": form_body(
                code_and_name(s),
                pair(text_field(s, "brand", "Brand"), text_field(s, "category", "Category")),
                choice_field(s, "manufacturer_org_id", "Manufacturer", s.maker_options, none_label="No manufacturer"),
                text_field(s, "description", "Description", area=True),
            ),
            "channel": form_body(code_and_name(s), choice_field(s, "kind", "Kind", CHANNEL_KIND_OPTIONS)),
        },
    )


@catalog_page("/catalog/skus", "Products and SKUs", READ, SkusState, icon="package", order=41, nav="SKUs")
def skus_page() -> rx.Component:
    s = SkusState
    return flagged_page(
        s,
        rx.cond(
            s.loading,
            spinner_block(),
            rx.vstack(
                notice(s.notice),
                error_box(s.error, "skus-error"),
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
