"""/settings/webhooks: add an endpoint (its secret shown once, with Copy), choose the event types it
receives, rotate its secret, disable or enable it, and read its delivery log — every attempt — with
Replay for one delivery or every dead letter. Owners and admins (`core.webhooks.read|write`).

Every handler re-checks the permission; ids from the browser are accepted only when they are rows
this tab was shown. The rules (URLs, event types, SSRF, secrets) live in models.delivery.
"""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from app.web.core import webhook_rows
from app.web.core.webhook_rows import AttemptRow, DeliveryRow, EndpointRow
from app.web.kit import format as fmt
from app.web.kit.calls import call, write
from app.web.kit.lists import KeysetListMixin
from app.web.kit.rows import Option
from app.web.shell.auth import AuthState
from engine.context import TenantContext
from engine.delivery.permissions import WEBHOOKS_READ, WEBHOOKS_WRITE
from engine.errors import DomainError, ValidationFailed
from models.core.decision_actions import take_decision
from models.delivery import actions

ROUTE = "/settings/webhooks"


def _decide_endpoint(ctx: TenantContext, endpoint_id: Any, action: str) -> None:
    take_decision(ctx, actions.ENDPOINTS, endpoint_id, action, None)


class WebhooksState(KeysetListMixin, AuthState):
    """The endpoints (`endpoints`), the add form, the chosen endpoint's deliveries (`rows`, paged)
    and one delivery's attempts (`attempts`)."""

    endpoints: list[EndpointRow] = []
    type_options: list[Option] = []
    new_url: str = ""
    new_description: str = ""
    new_types: list[str] = []
    url_error: str = ""
    adding: bool = False
    secret: str = ""
    secret_for: str = ""
    copied: bool = False
    notice: str = ""
    chosen_id: str = ""
    chosen_url: str = ""
    rows: list[DeliveryRow] = []
    attempts: list[AttemptRow] = []
    attempts_for: str = ""
    busy: bool = False

    _list_permission: ClassVar[str] = WEBHOOKS_READ

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[DeliveryRow], str | None]:
        return webhook_rows.delivery_page(ctx, self.chosen_id, cursor)

    def _shown(self, endpoint_id: str) -> EndpointRow | None:
        return next((e for e in self.endpoints if e.id == str(endpoint_id)), None)

    async def _refresh_endpoints(self, ctx: TenantContext) -> None:
        ok, rows = await call(self, webhook_rows.endpoint_rows, ctx)
        self.endpoints = rows if ok else []

    @rx.event
    async def open_page(self):
        self.error = self.notice = self.secret = self.secret_for = self.url_error = ""
        self.chosen_id = self.chosen_url = self.attempts_for = ""
        self.attempts, self.new_types, self.copied = [], [], False
        self._clear_list()
        ctx = await self._require(WEBHOOKS_READ)
        if ctx is None:
            self.endpoints, self.type_options = [], []
            return
        await self._refresh_endpoints(ctx)
        ok, options = await call(self, webhook_rows.event_type_options, ctx)
        self.type_options = options if ok else []

    @rx.event
    def set_new_url(self, value: str):
        self.new_url, self.url_error = str(value or "")[:2000], ""

    @rx.event
    def set_new_description(self, value: str):
        self.new_description = str(value or "")[:200]

    @rx.event
    def add_type(self, value: str):
        name = str(value or "")
        if any(o.id == name for o in self.type_options) and name not in self.new_types:
            self.new_types = [*self.new_types, name]

    @rx.event
    def remove_type(self, value: str):
        self.new_types = [t for t in self.new_types if t != str(value)]

    @rx.event
    async def add_endpoint(self):
        ctx = await self._require(WEBHOOKS_WRITE)
        if ctx is None or self.adding:
            return
        self.error = self.notice = self.secret = self.url_error = ""
        self.copied = False
        if not self.new_url.strip():
            self.url_error = "Enter the receiver's URL (https://…)."
            return
        self.adding = True
        yield
        try:
            made = await write(actions.create_endpoint, ctx, self.new_url, list(self.new_types), self.new_description)
        except ValidationFailed as exc:
            self.url_error = exc.message if "url" in exc.fields else ""
            self.error = "" if self.url_error else exc.message
            return
        except DomainError as exc:
            self.error = exc.message
            return
        finally:
            self.adding = False
        self.secret, self.secret_for = made.secret, made.endpoint.url
        self.notice = "Endpoint added. Copy its signing secret now: it is shown only once."
        self.new_url, self.new_description, self.new_types = "", "", []
        await self._refresh_endpoints(ctx)

    @rx.event
    def copy_done(self, result: Any):
        self.copied = result is True

    @rx.event
    def hide_secret(self):
        self.secret, self.secret_for, self.copied = "", "", False

    @rx.event
    async def rotate(self, endpoint_id: str):
        ctx = await self._require(WEBHOOKS_WRITE)
        shown = self._shown(endpoint_id)
        if ctx is None or shown is None or self.busy:
            return
        self.error = self.notice = ""
        self.busy = True
        yield
        ok, made = await call(self, actions.rotate_secret, ctx, fmt.parse_uuid(shown.id), writes=True)
        self.busy = False
        if ok:
            self.secret, self.secret_for, self.copied = made.secret, shown.url, False
            self.notice = "New secret: it signs from now on; the old one also signs for 24 hours. Copy it now."
            await self._refresh_endpoints(ctx)

    @rx.event
    async def toggle(self, endpoint_id: str):
        """Disable an enabled endpoint, enable a disabled one (the decision path)."""
        ctx = await self._require(WEBHOOKS_WRITE)
        shown = self._shown(endpoint_id)
        if ctx is None or shown is None or self.busy:
            return
        self.error = self.notice = ""
        action = "disable" if shown.enabled else "enable"
        ok, _ = await call(self, _decide_endpoint, ctx, fmt.parse_uuid(shown.id), action, writes=True)
        if ok:
            self.notice = f"{shown.url} is {action}d."
            await self._refresh_endpoints(ctx)

    @rx.event
    async def show_deliveries(self, endpoint_id: str):
        ctx = await self._require(WEBHOOKS_READ)
        shown = self._shown(endpoint_id)
        if ctx is None or shown is None:
            return
        self.chosen_id, self.chosen_url = shown.id, shown.url
        self.attempts, self.attempts_for = [], ""
        async for _ in self._reload_list(ctx):
            yield

    @rx.event
    async def show_attempts(self, delivery_id: str):
        ctx = await self._require(WEBHOOKS_READ)
        if ctx is None or all(r.id != str(delivery_id) for r in self.rows):
            return
        ok, rows = await call(self, webhook_rows.attempt_rows, ctx, fmt.parse_uuid(delivery_id))
        self.attempts, self.attempts_for = (rows, str(delivery_id)) if ok else ([], "")

    @rx.event
    async def replay(self, delivery_id: str):
        ctx = await self._require(WEBHOOKS_WRITE)
        if ctx is None or all(r.id != str(delivery_id) for r in self.rows):
            return
        self.error = self.notice = ""
        ok, view = await call(self, actions.replay, ctx, fmt.parse_uuid(delivery_id), writes=True)
        if ok:
            self.notice = f"Replayed {view.message_id}: it goes out again with the same webhook-id."
            async for _ in self._reload_list(ctx):
                yield

    @rx.event
    async def replay_dead(self):
        ctx = await self._require(WEBHOOKS_WRITE)
        target = fmt.parse_uuid(self.chosen_id)
        if ctx is None or target is None:
            return
        self.error = self.notice = ""
        ok, count = await call(self, actions.replay_dead, ctx, target, writes=True)
        if ok:
            self.notice = f"{count} dead letter{'s' if count != 1 else ''} replayed."
            async for _ in self._reload_list(ctx):
                yield

    @rx.event
    async def reload_deliveries(self):
        ctx = await self._require(WEBHOOKS_READ)
        if ctx is None or not self.chosen_id:
            return
        await self._refresh_endpoints(ctx)
        async for _ in self._reload_list(ctx):
            yield
