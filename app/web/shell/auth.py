"""The one auth state every page state inherits.

Who is signed in, for which tenant and in which role lives in backend-only vars (leading
underscore: kept on the server, never sent to the browser). They are filled from the HttpOnly
`pharos_session` cookie, which the backend reads from the websocket's request headers, and the
session it names in Redis (models.core.sessions). Public vars hold only what the screen displays.

Any client can call any handler with any arguments, so every handler that touches data calls
`await self._require(permission)` first: it re-checks that the session is still alive, rebuilds the
TenantContext from the backend vars and checks the permission from engine.rbac. A session that
ended under an open tab (a deactivated member's, revoked at once) refuses the event, clears the
tab's identity and sets `session_ended`, on which the shell sends the browser to /login.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import ClassVar
from urllib.parse import quote

import reflex as rx

from app.web.shell.registry import PAGES, NavItem, nav_for
from engine.context import TenantContext
from engine.errors import NotFound
from engine.rbac import Role, has_permission
from engine.sign_in import LOGIN_ROUTE, TENANT_ROUTE, safe_next
from models.core import sessions
from models.core.identity import memberships_of

VENDOR_HOME = "/portal"  # where a vendor membership lands (its own shell: app/web/portal)


def token_from_cookie_header(header: str) -> str | None:
    if not header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return None
    morsel = jar.get(sessions.SESSION_COOKIE)
    return morsel.value if morsel and morsel.value else None


@dataclass(frozen=True)
class TenantChoice:
    """One of the user's tenants, for the picker and the user menu."""

    id: str
    name: str
    role: str
    slug: str


class AuthState(rx.State):
    """Session, tenant and role of the browser tab; page states inherit it."""

    # the vendor portal's states set this; every other state refuses a vendor membership
    _admits_vendors: ClassVar[bool] = False

    # backend-only: never serialized to the client
    _user_id: str = ""
    _tenant_id: str = ""
    _tenant_slug: str = ""
    _role: str = ""
    _organization_id: str = ""

    # public, display only
    signed_in: bool = False
    display_name: str = ""
    email: str = ""
    tenant_name: str = ""
    role: str = ""
    nav_items: list[NavItem] = []
    tenants: list[TenantChoice] = []
    # "pending" until the guard ran, then "ok" or "denied"
    access: str = "pending"
    switch_error: str = ""
    # the tab's session ended under it (deactivated, signed out elsewhere, expired): the shell
    # then sends the browser to /login at once
    session_ended: bool = False

    # ---- session plumbing (server side only) -------------------------------------------

    def _token(self) -> str | None:
        return token_from_cookie_header(self.router.headers.cookie)

    async def _load_session(self) -> sessions.SessionData | None:
        token = self._token()
        if not token:
            return None
        return await asyncio.to_thread(sessions.load, token)

    def _apply(self, data: sessions.SessionData | None) -> None:
        self.session_ended = False
        if data is None or not data.tenant_id or not data.role:
            self._user_id = data.user_id if data else ""
            self._tenant_id = self._tenant_slug = self._role = self._organization_id = ""
            self.signed_in = data is not None
            self.display_name = data.display_name if data else ""
            self.email = data.email if data else ""
            self.tenant_name = self.role = ""
            self.nav_items = []
            return
        self._user_id = data.user_id
        self._tenant_id = data.tenant_id
        self._tenant_slug = data.tenant_slug or ""
        self._role = data.role
        self._organization_id = data.organization_id or ""
        self.signed_in = True
        self.display_name = data.display_name
        self.email = data.email
        self.tenant_name = data.tenant_name or ""
        self.role = data.role
        self.nav_items = nav_for(data.role)

    def _clear(self) -> None:
        self._apply(None)
        self.tenants = []
        self.access = "pending"

    def _context(self) -> TenantContext | None:
        if not (self._tenant_id and self._role and self._user_id):
            return None
        return TenantContext(
            tenant_id=uuid.UUID(self._tenant_id),
            user_id=uuid.UUID(self._user_id),
            role=Role(self._role),
            organization_id=uuid.UUID(self._organization_id) if self._organization_id else None,
            tenant_slug=self._tenant_slug,
        )

    async def _require(self, permission: str) -> TenantContext | None:
        """The caller's context when the live session's role holds `permission`, else None."""
        data = await self._load_session()
        if data is None:
            ended = bool(self._user_id)
            self._clear()
            self.session_ended = ended
            return None
        if data.user_id != self._user_id or data.tenant_id != self._tenant_id or data.role != self._role:
            self._apply(data)  # switched tenant in another tab, or a fresh connection
        ctx = self._context()
        if ctx is None or not has_permission(ctx.role, permission):
            return None
        if ctx.role is Role.VENDOR and not self._admits_vendors:
            return None  # a staff page's handler never serves a vendor (ADR 0003), whatever the matrix says
        return ctx

    async def _memberships(self) -> list[TenantChoice]:
        if not self._user_id:
            return []
        rows = await asyncio.to_thread(memberships_of, uuid.UUID(self._user_id))
        return [TenantChoice(str(m.tenant_id), m.tenant_name, m.role.value, m.tenant_slug) for m in rows]

    # ---- events ------------------------------------------------------------------------

    @rx.event
    async def guard(self, route: str):
        """on_load of every guarded page: sign-in, tenant choice and the page's permission."""
        data = await self._load_session()
        self._apply(data)
        self.switch_error = ""
        if data is None:
            self.access = "pending"
            here = safe_next(self.router.url.path)
            target = LOGIN_ROUTE if here == "/" else f"{LOGIN_ROUTE}?next={quote(here, safe='/')}"
            return rx.redirect(target, replace=True)
        if not data.tenant_id:
            self.access = "pending"
            here = safe_next(self.router.url.path)
            target = TENANT_ROUTE if here == "/" else f"{TENANT_ROUTE}?next={quote(here, safe='/')}"
            return rx.redirect(target, replace=True)
        if data.role == Role.VENDOR.value:
            # the staff shell never admits a vendor, whatever the permission matrix gives the role
            # (docs/adr/0003-vendor-portal-shell.md): vendors have their own portal
            self.access = "denied"
            return rx.redirect(VENDOR_HOME, replace=True)
        page = PAGES.get(route) if isinstance(route, str) else None
        allowed = page is not None and (page.permission is None or has_permission(data.role, page.permission))
        self.access = "ok" if allowed else "denied"
        self.tenants = await self._memberships()
        return None

    @rx.event
    async def open_login(self):
        """on_load of /login: a signed-in user with a tenant goes straight to the dashboard."""
        data = await self._load_session()
        self._apply(data)
        if data is not None and data.tenant_id:
            return rx.redirect("/", replace=True)
        return None

    @rx.event
    async def open_tenant_picker(self):
        """on_load of /select-tenant: list the user's tenants (must be signed in)."""
        data = await self._load_session()
        self._apply(data)
        self.switch_error = ""
        if data is None:
            return rx.redirect(LOGIN_ROUTE, replace=True)
        self.tenants = await self._memberships()
        if not self.tenants:
            self.switch_error = "Your account has no active tenant. Ask an administrator for access."
        return None

    @rx.event
    async def choose_tenant(self, tenant_id: str):
        """Move this session to another of the user's tenants (unknown ids look absent)."""
        token = self._token()
        if not token or await self._load_session() is None:
            self._clear()
            return rx.redirect(LOGIN_ROUTE, replace=True)
        try:
            wanted = uuid.UUID(str(tenant_id))
            data = await asyncio.to_thread(sessions.switch_tenant, token, wanted)
        except (ValueError, NotFound):
            self.switch_error = "That tenant is not available to you."
            return None
        self._apply(data)
        self.switch_error = ""
        if data.role == Role.VENDOR.value:
            self.access = "denied"
            self.tenants = await self._memberships()
            return rx.redirect(VENDOR_HOME, replace=True)
        home = PAGES.get("/")
        self.access = (
            "ok" if home and (home.permission is None or has_permission(data.role or "", home.permission)) else "denied"
        )
        self.tenants = await self._memberships()
        # the page the user asked for before the picker (a deep link), else the dashboard
        return rx.redirect(safe_next(self.router.url.query_parameters.get("next")), replace=True)
