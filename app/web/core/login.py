"""/login and /select-tenant.

The browser POSTs the credentials to /api/auth/login itself, so the server sets the HttpOnly
session cookie on a normal HTTP response; the password never travels over the websocket. On
success the page reloads at the destination (a fresh websocket then carries the cookie).

Single sign-on: one "Sign in with <provider>" link per provider offered (the environment's, and the
tenant's own when the address names it: `/login?tenant=<slug>`); each is a plain navigation to
`/api/auth/oidc/<id>/start`. A refused sign-in comes back as `/login?error=<code>`, shown as the
sentence engine.sign_in gives that code (the URL's text itself is never displayed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import reflex as rx
from reflex.vars import Var

from app.web.kit.calls import call
from app.web.kit.feedback import error_box
from app.web.shell import nav as c
from app.web.shell.auth import AuthState
from engine.sign_in import refusal_message, safe_next
from models.core.sign_in_config import offered

# Compiled into the bundle (no eval: the CSP has no 'unsafe-eval').
LOGIN_JS = """(async () => {
  const email = (document.getElementById('login-email')?.value || '').trim();
  const password = document.getElementById('login-password')?.value || '';
  if (!email || !password) { return {ok: false, status: 0}; }
  try {
    const r = await fetch('/api/auth/login', {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
      body: JSON.stringify({email, password}),
    });
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (r.ok) {
      const asked = new URLSearchParams(window.location.search).get('next') || '/';
      const safe = asked.startsWith('/') && !asked.startsWith('//') && !asked.includes('\\\\') ? asked : '/';
      const picker = safe === '/' ? '/select-tenant' : '/select-tenant?next=' + encodeURIComponent(safe);
      window.location.assign(body && body.tenant ? safe : picker);
      return null;
    }
    return {ok: false, status: r.status};
  } catch (e) {
    return {ok: false, status: -1};
  }
})"""

MESSAGES = {
    0: "Enter your e-mail address and password.",
    -1: "The server could not be reached. Check your connection and try again.",
    401: "E-mail or password is incorrect.",
    422: "Enter a valid e-mail address and password.",
    429: "Too many failed sign-in attempts. Wait a minute, then try again.",
}


@dataclass(frozen=True)
class SsoLink:
    """One single sign-on button: its label and the start route it loads."""

    name: str
    href: str


class LoginState(AuthState):
    error: str = ""
    submitting: bool = False
    sso: list[SsoLink] = []

    @rx.event
    def reset_form(self):
        """First on_load of /login: a tab's state outlives sign-in, sign-out and reloads, so a
        successful sign-in (which leaves `submitting` set while the browser navigates) must not
        leave the next login form disabled. A refused single sign-on shows its sentence."""
        code = str(self.router.url.query_parameters.get("error", ""))
        self.error = refusal_message(code) if code else ""
        self.submitting = False

    @rx.event
    async def load_sso(self):
        """The single sign-on providers this address offers, as links to their start route."""
        params = self.router.url.query_parameters
        tenant = str(params.get("tenant", ""))[:63]
        asked = str(params.get("next", ""))
        query = f"?{urlencode({'next': safe_next(asked)})}" if asked else ""
        ok, options = await call(self, offered, tenant)
        self.sso = [SsoLink(o.name, f"/api/auth/oidc/{o.id}/start{query}") for o in options] if ok else []

    @rx.event
    def start(self):
        self.error = ""
        self.submitting = True

    @rx.event
    def finish(self, result: Any):
        """Receives only the HTTP status of the browser's login request."""
        status = result.get("status") if isinstance(result, dict) else None
        if isinstance(result, dict) and result.get("ok") is True:
            return  # the browser is already navigating
        self.submitting = False
        try:
            code = int(status) if status is not None else -1
        except (TypeError, ValueError):
            code = -1
        self.error = MESSAGES.get(code, "Sign-in failed. Please try again.")


def _field(label: str, id_: str, **props) -> rx.Component:
    """A labelled, required input; the browser's login script reads it by its id."""
    return rx.vstack(
        rx.text(label, as_="label", html_for=id_, size="2", weight="medium"),
        rx.input(id=id_, required=True, size="3", width="100%", **props),
        spacing="1",
        width="100%",
    )


def login_page() -> rx.Component:
    return c.centered_card(
        rx.vstack(
            c.brand(),
            rx.heading("Sign in", size="6"),
            rx.text("Use your work e-mail and password.", color_scheme="gray", size="2"),
            spacing="2",
        ),
        error_box(LoginState.error, "login-error"),
        rx.form(
            rx.vstack(
                _field(
                    "E-mail",
                    "login-email",
                    type="email",
                    placeholder="you@company.com",
                    auto_complete="username",
                    auto_focus=True,
                ),
                _field("Password", "login-password", type="password", auto_complete="current-password"),
                c.submit_button("Sign in", "Signing in…", LoginState.submitting, "login-submit", icon="log-in"),
                spacing="4",
                width="100%",
            ),
            on_submit=[LoginState.start, c.browser_call(LOGIN_JS, LoginState.finish)],
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(
            LoginState.sso.length() > 0,
            rx.vstack(
                rx.hstack(rx.separator(), rx.text("or", size="1", color_scheme="gray"), rx.separator(), align="center"),
                rx.foreach(LoginState.sso, _sso_link),
                spacing="3",
                width="100%",
            ),
        ),
    )


def _sso_link(option: Var) -> rx.Component:
    """A link drawn as a button. `rx.el.a` is react-router's Link: `reload_document` makes the
    browser load the API route itself instead of routing to it inside the app."""
    return rx.button(
        rx.el.a(rx.icon("key-round", size=18), "Sign in with ", option.name, href=option.href, reload_document=True),
        as_child=True,
        variant="outline",
        size="3",
        width="100%",
        data_testid="sso-link",
    )


def _tenant_choice(item: Var) -> rx.Component:
    return rx.button(
        rx.hstack(
            rx.icon("building-2", size=18),
            rx.text(item.name, weight="medium"),
            rx.spacer(),
            rx.badge(item.role, variant="soft"),
            width="100%",
            align="center",
        ),
        on_click=AuthState.choose_tenant(item.id),
        variant="outline",
        size="3",
        width="100%",
        data_testid="tenant-choice",
    )


def select_tenant_page() -> rx.Component:
    return c.centered_card(
        c.brand(),
        rx.heading("Choose a tenant", size="6"),
        rx.text(
            rx.cond(AuthState.display_name != "", AuthState.display_name + ", you", "You"),
            " belong to several tenants. You can switch later from the user menu.",
            color_scheme="gray",
            size="2",
        ),
        error_box(AuthState.switch_error, "switch-error"),
        rx.vstack(rx.foreach(AuthState.tenants, _tenant_choice), spacing="2", width="100%"),
        rx.button("Sign out", variant="ghost", color_scheme="gray", on_click=c.browser_call(c.LOGOUT_JS)),
    )


def add_public_pages(app: rx.App) -> None:
    app.add_page(
        login_page,
        route="/login",
        title="Sign in · PharOS",
        on_load=[LoginState.reset_form, AuthState.open_login, LoginState.load_sso],
    )
    app.add_page(
        select_tenant_page,
        route="/select-tenant",
        title="Choose a tenant · PharOS",
        on_load=AuthState.open_tenant_picker,
    )
    app.add_page(
        lambda: c.status_page("404", "Page not found", "There is no page at this address.", "page-404"),
        route="404",
        title="Not found · PharOS",
    )
