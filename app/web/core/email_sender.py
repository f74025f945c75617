"""/settings/email: the name and address this tenant's e-mail (enforcement notices, invitations)
comes from, and a reply-to. Owners and admins (`core.settings.manage`); empty fields fall back to
the platform's PHAROS_SMTP_FROM_NAME / PHAROS_SMTP_FROM, shown as placeholders."""

from __future__ import annotations

import reflex as rx

from app.web.kit import controls, feedback
from app.web.kit.calls import call, write
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.delivery.permissions import EMAIL_SETTINGS
from engine.errors import DomainError, ValidationFailed
from models.delivery import actions, queries


class EmailSenderState(AuthState):
    from_name: str = ""
    from_address: str = ""
    reply_to: str = ""
    default_name: str = ""
    default_address: str = ""
    smtp_configured: bool = True
    address_error: str = ""
    reply_error: str = ""
    error: str = ""
    notice: str = ""
    saving: bool = False

    def _fill(self, view) -> None:
        self.from_name, self.from_address, self.reply_to = view.from_name, view.from_address, view.reply_to
        self.default_name, self.default_address = view.default_name, view.default_address
        self.smtp_configured = view.smtp_configured

    @rx.event
    async def open_page(self):
        self.error = self.notice = self.address_error = self.reply_error = ""
        ctx = await self._require(EMAIL_SETTINGS)
        if ctx is None:
            return
        ok, view = await call(self, queries.sender, ctx)
        if ok:
            self._fill(view)

    @rx.event
    def set_from_name(self, value: str):
        self.from_name = str(value or "")[:200]

    @rx.event
    def set_from_address(self, value: str):
        self.from_address, self.address_error = str(value or "")[:320], ""

    @rx.event
    def set_reply_to(self, value: str):
        self.reply_to, self.reply_error = str(value or "")[:320], ""

    @rx.event
    async def save(self):
        ctx = await self._require(EMAIL_SETTINGS)
        if ctx is None or self.saving:
            return
        self.error = self.notice = self.address_error = self.reply_error = ""
        self.saving = True
        yield
        try:
            view = await write(actions.set_sender, ctx, self.from_name, self.from_address, self.reply_to)
        except ValidationFailed as exc:
            self.address_error = exc.message if "from_address" in exc.fields else ""
            self.reply_error = exc.message if "reply_to" in exc.fields else ""
            self.error = "" if (self.address_error or self.reply_error) else exc.message
            return
        except DomainError as exc:
            self.error = exc.message
            return
        finally:
            self.saving = False
        self._fill(view)
        self.notice = "Saved: e-mail goes out from this sender from now on."


def _input(label: str, value, on_change, placeholder, testid: str, error=None) -> rx.Component:
    parts = [
        rx.input(
            value=value,
            on_change=on_change,
            placeholder=placeholder,
            aria_label=label,
            width="100%",
            data_testid=testid,
        )
    ]
    if error is not None:
        parts.append(rx.cond(error != "", rx.text(error, size="1", color_scheme="red", role="alert")))
    return controls.field(label, *parts, width="100%")


@app_page(
    "/settings/email",
    "E-mail sender",
    permission=EMAIL_SETTINGS,
    nav="E-mail sender",
    icon="mail",
    order=97,
    on_load=EmailSenderState.open_page,
)
def email_sender_page() -> rx.Component:
    s = EmailSenderState
    return rx.vstack(
        rx.text("Who this tenant's enforcement notices and invitations come from.", color_scheme="gray"),
        rx.cond(
            ~s.smtp_configured,
            rx.callout(
                "No SMTP server is configured (PHAROS_SMTP_HOST): e-mails are recorded as failed, not sent.",
                icon="triangle-alert",
                color_scheme="amber",
                data_testid="smtp-off",
            ),
        ),
        feedback.messages(s.error, s.notice),
        controls.section(
            "Sender",
            rx.form(
                rx.vstack(
                    _input("Sender name", s.from_name, s.set_from_name, s.default_name, "sender-name"),
                    _input(
                        "Sender address",
                        s.from_address,
                        s.set_from_address,
                        s.default_address,
                        "sender-address",
                        s.address_error,
                    ),
                    _input(
                        "Reply-to",
                        s.reply_to,
                        s.set_reply_to,
                        "replies go to the sender",
                        "sender-reply-to",
                        s.reply_error,
                    ),
                    rx.button("Save", type="submit", loading=s.saving, disabled=s.saving, data_testid="sender-save"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=lambda _: s.save,
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
