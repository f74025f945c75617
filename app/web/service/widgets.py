"""The service pages' shared pieces: the permission + feature-flag check every handler makes (the
catalog pages' own, app/web/catalog/widgets.py), the page decorator, and small display blocks."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.catalog.widgets import flagged_page, page_context, panel
from app.web.shell.layout import app_page
from engine.context import TenantContext

__all__ = ["ServicePage", "fact", "flagged_page", "outcome_badge", "panel", "priority_badge", "service_page"]


class ServicePage(rx.State, mixin=True):
    """A service page state: whether its flag is off for the tenant (the page shows the 404 block).
    Inherit it first: `class TicketsState(ServicePage, EntityForm, AuthState)`."""

    feature_off: bool = False

    async def _page_context(self, permission: str, flag: str) -> TenantContext | None:
        """The context when the role holds `permission` and the tenant has `flag` on, else None."""
        ctx, self.feature_off = await page_context(self, permission, flag)
        return ctx


def service_page(route: str, title: str, permission: str, state: Any, *, icon: str, order: int, nav: str | None = None):
    """`@app_page` for a service page (in the nav as `nav`; no nav entry with nav="")."""
    return app_page(
        route,
        title,
        permission=permission,
        nav=title if nav is None else (nav or None),
        icon=icon,
        order=order,
        on_load=state.load,
    )


def priority_badge(priority: Var) -> rx.Component:
    return rx.badge(
        priority,
        color_scheme=rx.match(priority, ("urgent", "red"), ("high", "orange"), ("normal", "blue"), "gray"),
        variant="surface",
        data_testid="priority-badge",
    )


def outcome_badge(outcome: Var) -> rx.Component:
    """winner / chosen green, outranked / skipped amber, the rest gray."""
    return rx.badge(
        outcome,
        color_scheme=rx.match(
            outcome,
            ("winner", "green"),
            ("chosen", "green"),
            ("eligible", "green"),
            ("outranked", "amber"),
            ("skipped", "amber"),
            "gray",
        ),
        variant="soft",
    )


def fact(label: str, value: Any, testid: str = "", **props: Any) -> rx.Component:
    """A small captioned value ("Response due", "2026-12-06 14:00 UTC")."""
    extra = {"data_testid": testid} if testid else {}
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.text(value, size="2", **extra, **props),
        spacing="0",
        min_width="9rem",
    )
