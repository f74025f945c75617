"""The catalog pages' shared pieces of their own: the permission + feature-flag check every handler
makes, the state every catalog page holds for it, the page decorator and frame (which shows "not
found" while the flag is off), and the layout of their forms and panels (the blocks, badge and
table come from app/web/kit)."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from app.web.kit.feedback import feature_off
from app.web.kit.forms import text_field
from app.web.shell.layout import app_page
from engine.context import TenantContext
from models.catalog.queries import feature_enabled


async def page_context(state: Any, permission: str, flag: str) -> tuple[TenantContext | None, bool]:
    """(ctx, feature_off): ctx is None when the role lacks `permission` or the flag is off."""
    ctx = await state._require(permission)
    if ctx is None:
        return None, False
    if not await asyncio.to_thread(feature_enabled, ctx, flag):
        return None, True
    return ctx, False


class CatalogPage(rx.State, mixin=True):
    """A catalog page state: whether its flag is off for the tenant and whether the role may write.
    Inherit it first: `class SkusState(CatalogPage, EntityForm, AuthState)`."""

    feature_off: bool = False
    can_write: bool = False

    async def _page_context(self, permission: str, flag: str) -> TenantContext | None:
        """The context when the role holds `permission` and the tenant has `flag` on, else None."""
        ctx, self.feature_off = await page_context(self, permission, flag)
        return ctx


def flagged_page(state: Any, *children: rx.Component, **props) -> rx.Component:
    """The page's `children` in a column, or the feature-off 404 while the flag is off."""
    return rx.cond(
        state.feature_off, feature_off(), rx.vstack(*children, spacing=props.pop("spacing", "4"), width="100%")
    )


def notice(text: Any) -> rx.Component:
    """The green "saved" callout, shown while `text` is set."""
    return rx.cond(text != "", rx.callout(text, icon="check", color_scheme="green", width="100%", data_testid="notice"))


def pair(*fields: rx.Component) -> rx.Component:
    """Form fields two to a row."""
    return rx.grid(*fields, columns="2", spacing="3", width="100%")


def form_body(*fields: rx.Component) -> rx.Component:
    """A form's fields, one under the other."""
    return rx.vstack(*fields, spacing="3", width="100%")


def code_and_name(state: Any) -> rx.Component:
    """The Code and Name fields every catalog entity's form starts with."""
    return pair(text_field(state, "code", "Code"), text_field(state, "name", "Name"))


def panel(*children: rx.Component, testid: str) -> rx.Component:
    """A card of stacked blocks (the selected organization, the "why this price?" panel)."""
    return rx.card(rx.vstack(*children, spacing="3", width="100%"), width="100%", data_testid=testid)


def catalog_page(route: str, title: str, permission: str, state: Any, *, icon: str, order: int, nav: str = ""):
    """`@app_page` for a catalog page: in the nav (as `nav`, else its title), loaded by `state.load`."""
    return app_page(route, title, permission=permission, nav=nav or title, icon=icon, order=order, on_load=state.load)


def two_panes(*children: rx.Component) -> rx.Component:
    """A list and its detail side by side on wide screens, one under the other on narrow ones."""
    return rx.grid(*children, columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%")
