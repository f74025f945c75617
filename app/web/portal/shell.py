"""The portal's shell: `PortalAuthState` (admits a vendor membership with an organization, nobody
else), `@portal_page` (its own registry, added to the app by `add_portal_pages`) and the layout: a
top bar with the vendor's organization and the tenant, no staff navigation.

Every portal handler gets its context from `_vendor(permission)`: the live session's context when
it is a vendor's with an organization and the role holds the permission, else None.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote

import reflex as rx

from app.web.shell.auth import AuthState
from app.web.shell.nav import LOGOUT_JS, browser_call
from engine.cases.permissions import READ
from engine.context import TenantContext
from engine.rbac import Role
from engine.sign_in import LOGIN_ROUTE, TENANT_ROUTE, safe_next
from models.cases import queries

PREFIX = "/portal"


@dataclass(frozen=True)
class PortalPage:
    route: str
    title: str
    component: Callable[[], Any] = field(compare=False)
    on_load: tuple[Any, ...] = field(default=(), compare=False)


PORTAL_PAGES: dict[str, PortalPage] = {}


class PortalAuthState(AuthState):
    """The portal's own auth state: `portal_access` is "ok" only for a vendor membership with an
    organization; staff are told to use the staff app."""

    _admits_vendors: ClassVar[bool] = True

    portal_access: str = "pending"  # pending | ok | staff
    organization_name: str = ""

    async def _vendor(self, permission: str = READ) -> TenantContext | None:
        ctx = await self._require(permission)
        if ctx is None or ctx.role is not Role.VENDOR or ctx.organization_id is None:
            return None
        return ctx

    @rx.event
    async def portal_guard(self):
        """on_load of every portal page: signed in, a tenant chosen, a vendor membership."""
        data = await self._load_session()
        self._apply(data)
        if data is None:
            self.portal_access = "pending"
            here = safe_next(self.router.url.path)
            return rx.redirect(f"{LOGIN_ROUTE}?next={quote(here, safe='/')}", replace=True)
        if not data.tenant_id:
            self.portal_access = "pending"
            return rx.redirect(TENANT_ROUTE, replace=True)
        ctx = self._context()
        if ctx is None or ctx.role is not Role.VENDOR or ctx.organization_id is None:
            self.portal_access, self.organization_name = "staff", ""
            return None
        self.organization_name = await asyncio.to_thread(queries.vendor_name, ctx)
        self.portal_access = "ok"
        return None


# the portal's own navigation (no staff page is ever linked)
PORTAL_NAV: tuple[tuple[str, str], ...] = (
    ("My cases", PREFIX),
    ("Invoices", f"{PREFIX}/invoices"),
    ("Payments", f"{PREFIX}/payments"),
    ("Match packs", f"{PREFIX}/match-packs"),
    ("Statements", f"{PREFIX}/statements"),
    ("Send a file", f"{PREFIX}/files"),
)


def _nav() -> rx.Component:
    return rx.hstack(
        *[rx.link(label, href=href, size="2", data_testid="portal-nav") for label, href in PORTAL_NAV],
        spacing="4",
        wrap="wrap",
        display=["none", "flex"],
    )


def _top_bar(title: str) -> rx.Component:
    s = PortalAuthState
    return rx.hstack(
        rx.hstack(rx.icon("store", size=20), rx.heading("Vendor portal", size="4"), spacing="2", align="center"),
        rx.text(title, size="3", color_scheme="gray"),
        rx.cond(s.portal_access == "ok", _nav()),
        rx.spacer(),
        rx.badge(rx.icon("building-2", size=14), s.organization_name, variant="surface", data_testid="portal-org"),
        rx.text(s.tenant_name, size="2", color_scheme="gray", display=["none", "none", "block"]),
        rx.button(
            rx.icon("log-out", size=14),
            "Sign out",
            variant="ghost",
            color_scheme="gray",
            on_click=browser_call(LOGOUT_JS),
            data_testid="portal-logout",
        ),
        align="center",
        spacing="3",
        padding_x="1.5rem",
        padding_y="0.75rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        width="100%",
    )


def _staff_note() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("This is the vendor portal", size="5"),
            rx.text(
                "Your account works for the organization that runs this tenant; use the main app.", color_scheme="gray"
            ),
            rx.link(rx.button("Open the main app", variant="soft"), href="/"),
            align="center",
            spacing="3",
            data_testid="portal-staff",
        ),
        padding="3rem 1rem",
        width="100%",
    )


def portal_shell(title: str, content: rx.Component) -> rx.Component:
    s = PortalAuthState
    return rx.vstack(
        rx.cond(s.session_ended, rx.box(on_mount=rx.redirect(LOGIN_ROUTE, replace=True))),
        _top_bar(title),
        rx.box(
            rx.match(
                s.portal_access,
                ("ok", content),
                ("staff", _staff_note()),
                rx.center(rx.spinner(size="3"), padding="4rem", width="100%"),
            ),
            padding=["1rem", "1.5rem", "2rem"],
            width="100%",
            max_width="64rem",
        ),
        spacing="0",
        width="100%",
        min_height="100vh",
        align="center",
        background=rx.color("gray", 2),
    )


def portal_page(route: str, title: str, *, on_load: Any = None) -> Callable[[Callable[[], rx.Component]], Any]:
    """Register a portal page under /portal; its on_load runs after the portal guard."""
    if not (route == PREFIX or route.startswith(PREFIX + "/")):
        raise ValueError(f"portal page {route} must live under {PREFIX}")
    extra = [] if on_load is None else list(on_load) if isinstance(on_load, list | tuple) else [on_load]

    def decorator(fn: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        if route in PORTAL_PAGES:
            raise ValueError(f"portal page {route} registered twice")
        PORTAL_PAGES[route] = PortalPage(
            route, title, lambda: portal_shell(title, fn()), (PortalAuthState.portal_guard, *extra)
        )
        return fn

    return decorator


def add_portal_pages(app: rx.App) -> None:
    for page in PORTAL_PAGES.values():
        app.add_page(
            page.component, route=page.route, title=f"{page.title} · Vendor portal", on_load=list(page.on_load)
        )
