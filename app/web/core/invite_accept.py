"""/invite/accept?token=…: the public page an invitation link opens.

It shows whom the invitation is for and where (or why it cannot be used). The browser POSTs the
token, display name and password to /api/invitations/accept itself, so the server sets the
HttpOnly session cookie and the password never crosses the websocket; on success the page goes to
the dashboard, signed in to the inviting tenant.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from app.web.kit.feedback import error_box
from app.web.shell import nav as c
from app.web.shell.auth import AuthState
from models.people.queries import invite_preview

ROUTE = "/invite/accept"

# Compiled into the bundle (no eval: the CSP has no 'unsafe-eval').
ACCEPT_JS = """(async () => {
  const token = new URLSearchParams(window.location.search).get('token') || '';
  const display_name = (document.getElementById('accept-name')?.value || '').trim();
  const password = document.getElementById('accept-password')?.value || '';
  const confirm = document.getElementById('accept-confirm')?.value || '';
  if (!password) { return {ok: false, status: 0}; }
  if (password !== confirm) { return {ok: false, status: 1}; }
  try {
    const r = await fetch('/api/invitations/accept', {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
      body: JSON.stringify({token, password, display_name}),
    });
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (r.ok) { window.location.assign('/'); return null; }
    const error = body && body.error ? body.error : {};
    return {ok: false, status: r.status, message: error.message || '', fields: error.fields || {}};
  } catch (e) {
    return {ok: false, status: -1};
  }
})"""

MESSAGES = {
    0: "Choose a password.",
    1: "The two passwords differ.",
    -1: "The server could not be reached. Check your connection and try again.",
}


class InviteAcceptState(AuthState):
    invited_to: str = ""
    invited_email: str = ""
    invited_role: str = ""
    usable: bool = False
    checked: bool = False
    problem: str = ""
    error: str = ""
    password_error: str = ""
    submitting: bool = False

    @rx.event
    async def open(self):
        """on_load: what the link's token names (the token is the only proof; nothing else is shown)."""
        self.error = self.password_error = ""
        self.submitting = False
        token = str(self.router.page.params.get("token", "") or "")[:200]
        preview = await asyncio.to_thread(invite_preview, token)
        self.invited_to, self.invited_email, self.invited_role = preview.tenant_name, preview.email, preview.role
        self.usable, self.problem, self.checked = preview.usable, preview.problem, True

    @rx.event
    def start(self):
        self.error = self.password_error = ""
        self.submitting = True

    @rx.event
    def finish(self, result: Any):
        """Receives the status and the API's error text of the browser's request, never a password."""
        if not isinstance(result, dict) or result.get("ok") is True:
            return
        self.submitting = False
        try:
            code = int(result.get("status", -1))
        except (TypeError, ValueError):
            code = -1
        fields = result.get("fields") if isinstance(result.get("fields"), dict) else {}
        message = str(result.get("message") or "")[:300] or MESSAGES.get(code, "That did not work. Try again.")
        if code in (0, 1) or "password" in fields:
            self.password_error = MESSAGES.get(code, message)
        else:
            self.error = message


def _input(caption: str, html_id: str, kind: str, complete: str, **props) -> rx.Component:
    return rx.vstack(
        rx.text(caption, as_="label", html_for=html_id, size="2", weight="medium"),
        rx.input(id=html_id, type=kind, auto_complete=complete, size="3", width="100%", data_testid=html_id, **props),
        spacing="1",
        width="100%",
    )


def accept_form() -> rx.Component:
    s = InviteAcceptState
    return rx.form(
        rx.vstack(
            _input("Your name", "accept-name", "text", "name", placeholder="As colleagues will see it"),
            _input("Password", "accept-password", "password", "new-password", required=True),
            _input("Confirm password", "accept-confirm", "password", "new-password", required=True),
            rx.cond(
                s.password_error != "",
                rx.text(
                    s.password_error, size="1", color_scheme="red", role="alert", data_testid="accept-password-error"
                ),
            ),
            rx.text(
                "Already have a PharOS account with this e-mail? Enter its password: the tenant is added to it.",
                size="1",
                color_scheme="gray",
            ),
            c.submit_button("Join", "Joining…", s.submitting, "accept-submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=[s.start, c.browser_call(ACCEPT_JS, s.finish)],
        reset_on_submit=False,
        width="100%",
    )


def invite_accept_page() -> rx.Component:
    s = InviteAcceptState
    return c.centered_card(
        c.brand(),
        rx.heading("Join your team", size="6"),
        rx.cond(
            ~s.checked,
            rx.spinner(size="3"),
            rx.cond(
                s.usable,
                rx.vstack(
                    rx.text(
                        "You are invited to ",
                        rx.text.strong(s.invited_to),
                        " as ",
                        rx.text.strong(s.invited_role),
                        ", with the e-mail ",
                        rx.text.strong(s.invited_email),
                        ".",
                        size="2",
                        data_testid="accept-summary",
                    ),
                    error_box(s.error, "accept-error"),
                    accept_form(),
                    spacing="3",
                    width="100%",
                ),
                rx.vstack(
                    error_box(s.problem, "accept-problem"),
                    rx.link("Go to sign-in", href="/login"),
                    spacing="3",
                    width="100%",
                ),
            ),
        ),
    )


def add_invite_page(app: rx.App) -> None:
    app.add_page(invite_accept_page, route=ROUTE, title="Join · PharOS", on_load=InviteAcceptState.open)
