"""/notice-delivery — how each dealer receives its enforcement notices: every dealer by name with its
preference (e-mail to an address, its own webhook endpoint, or none: only the webhooks subscribed to
`margin.notice.sent`), edited inline on the dealer's row by those who hold margin.dealers.status
(owner, admin, ops).

Reads `models.margin.queries.dealers.notice_deliveries` (as `GET /api/notice-delivery`); a change
calls `models.margin.actions.set_notice_delivery` (as `PUT /api/dealers/{id}/notice-delivery`:
validated, audited `margin_notice_preference.set|clear`). A refusal is shown under its field and the
row stays open with what was typed. Enter saves, Escape (in the address) cancels. The dealer being edited is kept in
a backend var, taken from this tenant's list, never from the browser's argument alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls
from app.web.kit import format as fmt
from app.web.kit.calls import call, write
from app.web.kit.feedback import empty, error_box, spinner_block
from app.web.kit.forms import save_button
from app.web.kit.rows import Option
from app.web.kit.table import table
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.errors import DomainError
from engine.margin.permissions import DEALERS_STATUS, READ
from models.margin import actions
from models.margin.notice_delivery import CHANNEL_CHOICES
from models.margin.queries import dealers as dealer_queries

CHANNEL_LABELS = {"none": "Webhook subscriptions only", "email": "E-mail", "webhook": "Its webhook endpoint"}
CHANNEL_OPTIONS = [(c, CHANNEL_LABELS[c]) for c in CHANNEL_CHOICES]
NO_ENDPOINT = "__none__"


@dataclass(frozen=True)
class PreferenceRow:
    id: str = ""
    code: str = ""
    name: str = ""
    channel: str = ""
    channel_label: str = ""
    target: str = ""
    email: str = ""
    endpoint_id: str = ""
    updated: str = ""


@dataclass(frozen=True)
class PreferencePage:
    rows: list[PreferenceRow]
    endpoints: list[Option]


def fetch_preferences(ctx: TenantContext) -> PreferencePage:
    found = dealer_queries.notice_deliveries(ctx)
    rows = [
        PreferenceRow(
            id=str(d.dealer_id),
            code=d.code,
            name=d.name,
            channel=d.channel,
            channel_label=CHANNEL_LABELS.get(d.channel, d.channel),
            target=d.email or d.endpoint_url or fmt.DASH,
            email=d.email or "",
            endpoint_id=str(d.endpoint_id) if d.endpoint_id else NO_ENDPOINT,
            updated=fmt.when(d.updated_at) or fmt.DASH,
        )
        for d in found.dealers
    ]
    endpoints = [
        Option(
            str(e.id),
            e.url
            + (f" — {e.description}" if e.description else "")
            + (" (disabled)" if e.status == "disabled" else ""),
        )
        for e in found.endpoints
    ]
    return PreferencePage(rows, endpoints)


def save_preference(ctx: TenantContext, dealer_id: str, channel: str, email: str, endpoint_id: str) -> str:
    """The dealer's new preference through the margin action; its name for the notice."""
    endpoint = fmt.parse_uuid(endpoint_id) if endpoint_id != NO_ENDPOINT else None
    view = actions.set_notice_delivery(ctx, dealer_id, channel, email.strip() or None, endpoint)
    return CHANNEL_LABELS.get(view.channel, view.channel)


class NoticePreferencesState(AuthState):
    loading: bool = False
    error: str = ""
    notice: str = ""
    can_edit: bool = False
    rows: list[PreferenceRow] = []
    endpoints: list[Option] = []
    editing_id: str = ""  # which row shows the editor (display only)
    e_channel: str = "none"
    e_email: str = ""
    e_endpoint: str = NO_ENDPOINT
    e_errors: dict[str, str] = {}
    e_message: str = ""
    saving: bool = False
    _edit_id: str = ""

    def _stop_editing(self) -> None:
        self.editing_id = self._edit_id = self.e_message = ""
        self.e_errors, self.saving = {}, False

    async def _refresh(self, ctx: TenantContext) -> None:
        ok, data = await call(self, fetch_preferences, ctx)
        if ok:
            self.rows, self.endpoints = data.rows, data.endpoints

    @rx.event
    async def load(self):
        self.loading, self.error, self.notice, self.rows = True, "", "", []
        self._stop_editing()
        yield
        ctx = await self._require(READ)
        if ctx is not None:
            self.can_edit = ctx.can(DEALERS_STATUS)
            await self._refresh(ctx)
        self.loading = False

    @rx.event
    async def edit(self, dealer_id: str):
        if self.saving or await self._require(DEALERS_STATUS) is None:
            return
        row = next((r for r in self.rows if r.id == str(dealer_id)[:64]), None)
        if row is None:
            return
        self._stop_editing()
        self.editing_id = self._edit_id = row.id
        self.e_channel, self.e_email, self.e_endpoint = row.channel, row.email, row.endpoint_id
        self.notice = ""

    @rx.event
    def set_channel(self, value: str):
        if value in CHANNEL_CHOICES:
            self.e_channel = value
            self.e_errors = {}

    @rx.event
    def set_email(self, value: str):
        self.e_email = str(value or "")[:320]
        self.e_errors = {k: v for k, v in self.e_errors.items() if k != "email"}

    @rx.event
    def set_endpoint(self, value: str):
        self.e_endpoint = str(value or NO_ENDPOINT)[:64]
        self.e_errors = {k: v for k, v in self.e_errors.items() if k != "endpoint_id"}

    @rx.event
    def cancel(self):
        if not self.saving:
            self._stop_editing()

    @rx.event
    def key(self, key: str, _info: dict | None = None):
        if key == "Escape" and not self.saving:
            self._stop_editing()

    @rx.event
    async def save(self):
        if not self._edit_id or self.saving:
            return
        ctx = await self._require(DEALERS_STATUS)
        if ctx is None:
            self.e_message = "Your role may not change how dealers receive notices."
            return
        self.saving, self.e_message = True, ""
        yield
        name = next((r.name for r in self.rows if r.id == self._edit_id), "")
        try:
            label = await write(save_preference, ctx, self._edit_id, self.e_channel, self.e_email, self.e_endpoint)
        except DomainError as exc:
            self.e_errors = {str(k): str(v) for k, v in exc.fields.items()}
            self.e_message, self.saving = exc.message, False
            return
        self._stop_editing()
        await self._refresh(ctx)
        self.notice = f"{name}: {label}."


def _error(name: str) -> rx.Component:
    s = NoticePreferencesState
    return rx.cond(
        s.e_errors.contains(name),
        rx.text(s.e_errors[name], color_scheme="red", size="1", role="alert", data_testid=f"error-{name}"),
    )


def _editor(row: Var) -> rx.Component:
    s = NoticePreferencesState
    return rx.table.row(
        rx.table.cell(
            rx.box(
                rx.form(
                    rx.vstack(
                        rx.text(row.name, weight="medium"),
                        rx.flex(
                            controls.field(
                                "Receives notices by",
                                controls.select(
                                    CHANNEL_OPTIONS,
                                    s.e_channel,
                                    s.set_channel,
                                    "Channel",
                                    trigger={"min_width": "14rem", "data_testid": "pref-channel"},
                                ),
                                _error("channel"),
                            ),
                            rx.cond(
                                s.e_channel == "email",
                                controls.field(
                                    "E-mail address",
                                    rx.input(
                                        value=s.e_email,
                                        on_change=s.set_email,
                                        input_mode="email",
                                        aria_label="E-mail address",
                                        auto_focus=True,
                                        on_key_down=s.key,  # Escape cancels
                                        min_width="18rem",
                                        data_testid="pref-email",
                                    ),
                                    _error("email"),
                                ),
                            ),
                            rx.cond(
                                s.e_channel == "webhook",
                                controls.field(
                                    "Webhook endpoint",
                                    rx.cond(
                                        s.endpoints.length() > 0,
                                        controls.select(
                                            s.endpoints,
                                            s.e_endpoint,
                                            s.set_endpoint,
                                            "Webhook endpoint",
                                            first=(NO_ENDPOINT, "Pick an endpoint"),
                                            trigger={"min_width": "18rem", "data_testid": "pref-endpoint"},
                                        ),
                                        rx.link("Add a webhook endpoint first", href="/settings/webhooks"),
                                    ),
                                    _error("endpoint_id"),
                                ),
                            ),
                            save_button(s.saving, "pref-save"),
                            rx.button(
                                "Cancel",
                                type="button",
                                variant="soft",
                                color_scheme="gray",
                                on_click=s.cancel,
                                disabled=s.saving,
                                data_testid="pref-cancel",
                            ),
                            spacing="3",
                            wrap="wrap",
                            align="end",
                        ),
                        error_box(s.e_message, "pref-error"),
                        controls.hint("Enter saves; Escape or Cancel leaves it as it was."),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=lambda _form: s.save,
                    reset_on_submit=False,
                ),
            ),
            col_span=5,
        ),
        data_testid="pref-editor",
    )


def _row(row: Var) -> rx.Component:
    s = NoticePreferencesState
    return rx.cond(
        row.id == s.editing_id,
        _editor(row),
        rx.table.row(
            rx.table.cell(rx.text(row.name, weight="medium"), rx.code(row.code, variant="ghost", size="1")),
            rx.table.cell(
                rx.badge(
                    row.channel_label, color_scheme=rx.cond(row.channel == "none", "gray", "blue"), variant="soft"
                ),
                data_testid="pref-channel-label",
            ),
            rx.table.cell(rx.text(row.target, size="2", **controls.WRAP), data_testid="pref-target"),
            rx.table.cell(rx.text(row.updated, size="1")),
            rx.table.cell(
                rx.cond(
                    s.can_edit,
                    rx.button(
                        rx.icon("pencil", size=14),
                        "Change",
                        size="1",
                        variant="soft",
                        on_click=s.edit(row.id),
                        disabled=s.editing_id != "",
                        data_testid="pref-edit",
                    ),
                )
            ),
            data_testid="pref-row",
        ),
    )


@app_page(
    "/notice-delivery",
    "Notice delivery by dealer",
    permission=READ,
    nav="Notice delivery",
    icon="send",
    order=17,
    on_load=NoticePreferencesState.load,
)
def notice_preferences_page() -> rx.Component:
    s = NoticePreferencesState
    return rx.vstack(
        controls.hint(
            "How each dealer receives its enforcement notices, besides the webhooks subscribed to "
            "margin.notice.sent. Every change is audited."
        ),
        rx.cond(s.notice != "", rx.callout(s.notice, icon="check", color_scheme="green", data_testid="notice")),
        error_box(s.error, "prefs-error"),
        rx.cond(
            s.loading,
            spinner_block(),
            rx.cond(
                s.rows.length() > 0,
                table(["Dealer", "Receives notices by", "To", "Changed", ""], rx.foreach(s.rows, _row), "prefs-table"),
                empty("No dealers yet: add dealers in the catalog (organizations of type dealer).", "store"),
            ),
        ),
        spacing="4",
        width="100%",
    )
