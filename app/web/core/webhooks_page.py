"""The /settings/webhooks page: the add form (URL, event types, the secret shown once), the endpoints
table (rotate, disable/enable, deliveries) and the chosen endpoint's delivery log with its attempts
and replays."""

from __future__ import annotations

import reflex as rx

from app.web.core.webhooks import ROUTE, WebhooksState
from app.web.kit import controls, feedback
from app.web.kit.badges import status_badge
from app.web.kit.table import col, grid, paged_table
from app.web.shell.layout import app_page
from app.web.shell.nav import browser_call
from engine.delivery.permissions import WEBHOOKS_READ

S = WebhooksState
DELIVERY_COLORS = (("delivered", "green"), ("pending", "amber"), ("dead", "red"), ("enabled", "green"))
COPY_SECRET_JS = """() => {
  const secret = document.getElementById('webhook-secret')?.value || '';
  if (!secret || !navigator.clipboard) { return false; }
  return navigator.clipboard.writeText(secret).then(() => true, () => false);
}"""


def _error(text) -> rx.Component:
    return rx.cond(text != "", rx.text(text, size="1", color_scheme="red", role="alert", data_testid="url-error"))


def add_form() -> rx.Component:
    chips = rx.hstack(
        rx.foreach(
            S.new_types,
            lambda t: rx.badge(
                t,
                rx.icon("x", size=12, cursor="pointer", on_click=S.remove_type(t), aria_label="Remove"),
                variant="soft",
                data_testid="chosen-type",
            ),
        ),
        rx.cond(S.new_types.length() == 0, controls.hint("Every event type (choose some to narrow it)")),
        wrap="wrap",
        spacing="2",
    )
    return controls.section(
        "Add an endpoint",
        rx.form(
            rx.vstack(
                controls.field(
                    "Receiver URL",
                    rx.input(
                        value=S.new_url,
                        on_change=S.set_new_url,
                        placeholder="https://hooks.example.com/pharos",
                        aria_label="Receiver URL",
                        width="100%",
                        data_testid="webhook-url",
                    ),
                    _error(S.url_error),
                    width="100%",
                ),
                controls.field(
                    "Description",
                    rx.input(
                        value=S.new_description,
                        on_change=S.set_new_description,
                        placeholder="ERP integration",
                        aria_label="Description",
                        width="100%",
                        data_testid="webhook-description",
                    ),
                    width="100%",
                ),
                controls.field(
                    "Event types",
                    controls.select(
                        S.type_options,
                        "",
                        S.add_type,
                        "Add an event type",
                        trigger={"placeholder": "Add an event type…", "width": "100%", "data_testid": "webhook-type"},
                    ),
                    chips,
                    width="100%",
                ),
                rx.button(
                    "Add endpoint", type="submit", loading=S.adding, disabled=S.adding, data_testid="webhook-add"
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=lambda _: S.add_endpoint,
            width="100%",
        ),
    )


def secret_box() -> rx.Component:
    return rx.cond(
        S.secret != "",
        rx.callout(
            rx.vstack(
                rx.text("Signing secret for ", rx.code(S.secret_for), " — shown once, never again:", size="2"),
                rx.hstack(
                    rx.input(
                        value=S.secret, read_only=True, id="webhook-secret", width="100%", data_testid="webhook-secret"
                    ),
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy",
                        on_click=browser_call(COPY_SECRET_JS, S.copy_done),
                        variant="soft",
                        data_testid="webhook-secret-copy",
                    ),
                    rx.button("Done", on_click=S.hide_secret, variant="soft", color_scheme="gray"),
                    width="100%",
                ),
                rx.cond(S.copied, rx.text("Copied.", size="1", color_scheme="green")),
                controls.hint("Verify each webhook with it (Standard Webhooks: webhook-id, -timestamp, -signature)."),
                width="100%",
                spacing="2",
            ),
            icon="key-round",
            color_scheme="amber",
            width="100%",
        ),
    )


def _endpoint_buttons(row) -> rx.Component:
    return rx.hstack(
        rx.button(
            "Deliveries",
            size="1",
            variant="soft",
            on_click=S.show_deliveries(row.id),
            data_testid="endpoint-deliveries",
        ),
        rx.button("Rotate secret", size="1", variant="soft", on_click=S.rotate(row.id), data_testid="endpoint-rotate"),
        rx.button(
            rx.cond(row.enabled, "Disable", "Enable"),
            size="1",
            variant="soft",
            color_scheme=rx.cond(row.enabled, "red", "green"),
            on_click=S.toggle(row.id),
            data_testid="endpoint-toggle",
        ),
        spacing="2",
    )


ENDPOINT_COLUMNS = [
    col(
        "Endpoint",
        lambda r: rx.vstack(
            rx.text(r.url, weight="medium", data_testid="endpoint-url"),
            rx.cond(r.description != "", controls.hint(r.description)),
            rx.cond(r.rotating != "", controls.hint(r.rotating)),
            spacing="1",
        ),
    ),
    col("Event types", lambda r: controls.hint(r.event_types)),
    col(
        "Status",
        lambda r: rx.vstack(
            status_badge(r.status, DELIVERY_COLORS, data_testid="endpoint-status"),
            rx.cond(r.status_note != "", controls.hint(r.status_note)),
            spacing="1",
        ),
    ),
    col("Deliveries", lambda r: controls.hint(r.counts)),
    col("", _endpoint_buttons),
]

DELIVERY_COLUMNS = [
    col("Created", "created", white_space="nowrap"),
    col("Event", "event_type"),
    col("webhook-id", lambda r: rx.code(r.message_id, size="1")),
    col("Status", lambda r: status_badge(r.status, DELIVERY_COLORS, data_testid="delivery-status")),
    col("Attempts", "attempts", data_testid="delivery-attempts"),
    col("Last answer", lambda r: controls.hint(r.last)),
    col("Next attempt", "next_attempt", white_space="nowrap"),
    col(
        "",
        lambda r: rx.hstack(
            rx.button(
                "Attempts",
                size="1",
                variant="soft",
                on_click=S.show_attempts(r.id),
                data_testid="delivery-show-attempts",
            ),
            rx.cond(
                r.replayable,
                rx.button("Replay", size="1", variant="soft", on_click=S.replay(r.id), data_testid="delivery-replay"),
            ),
            spacing="2",
        ),
    ),
]

ATTEMPT_COLUMNS = [
    col("#", "number"),
    col("At", "at", white_space="nowrap"),
    col("Status", "status"),
    col("Latency", "latency"),
    col("Outcome", "outcome"),
    col("Error or answer (first bytes)", lambda r: controls.hint(r.detail)),
]


def delivery_log() -> rx.Component:
    return rx.cond(
        S.chosen_id != "",
        controls.section(
            "Delivery log",
            rx.text("Deliveries to ", rx.code(S.chosen_url), ", newest first.", size="2"),
            paged_table(
                S,
                DELIVERY_COLUMNS,
                "delivery-table",
                "Nothing delivered to this endpoint yet.",
                "send",
                row_testid="delivery-row",
                more_testid="deliveries-more",
            ),
            rx.cond(
                S.attempts.length() > 0,
                rx.vstack(
                    rx.text("Attempts", weight="medium", size="2"),
                    grid(ATTEMPT_COLUMNS, S.attempts, "attempt-table", "attempt-row", compact=True),
                    width="100%",
                ),
            ),
            action=rx.hstack(
                rx.button(
                    "Refresh", size="1", variant="soft", on_click=S.reload_deliveries, data_testid="deliveries-refresh"
                ),
                rx.button(
                    "Replay all dead",
                    size="1",
                    variant="soft",
                    color_scheme="amber",
                    on_click=S.replay_dead,
                    data_testid="replay-dead",
                ),
                spacing="2",
            ),
        ),
    )


@app_page(ROUTE, "Webhooks", permission=WEBHOOKS_READ, nav="Webhooks", icon="webhook", order=96, on_load=S.open_page)
def webhooks_page() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Signed webhooks (Standard Webhooks) for the events you choose; failed deliveries are retried for "
            "about 27 hours, then wait in the dead letters for a replay.",
            color_scheme="gray",
        ),
        feedback.messages(S.error, S.notice),
        secret_box(),
        add_form(),
        controls.section(
            "Endpoints",
            rx.cond(
                S.endpoints.length() > 0,
                grid(ENDPOINT_COLUMNS, S.endpoints, "endpoint-table", "endpoint-row"),
                feedback.empty("No endpoint yet: add one above.", "webhook", "endpoints-empty"),
            ),
        ),
        delivery_log(),
        spacing="4",
        width="100%",
    )
