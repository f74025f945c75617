"""/audit — the tenant's audit chain, newest first (owner, admin, auditor)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit.lists import KeysetListMixin
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.core.audit_log import AuditFilter, filter_values, labelled_page

PERMISSION = "core.audit.read"
ALL = "__all__"
PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    since: str = ""
    until: str = ""
    actor: str = ALL
    entity: str = ALL
    action: str = ALL


def _day(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValidationFailed(f"'{value[:20]}' is not a date (YYYY-MM-DD)") from None


def to_filter(f: Filters) -> AuditFilter:
    since, until = _day(f.since), _day(f.until)
    return AuditFilter(
        actor=None if f.actor in ("", ALL) else f.actor[:64],
        action=None if f.action in ("", ALL) else f.action[:100],
        entity=None if f.entity in ("", ALL) else f.entity[:60],
        since=datetime.combine(since, time.min, tzinfo=UTC) if since else None,
        until=datetime.combine(until, time.min, tzinfo=UTC) + timedelta(days=1) - timedelta(microseconds=1)
        if until
        else None,
    )


def _pretty(value) -> str:
    if value in (None, {}, []):
        return ""
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def fetch_page(ctx: TenantContext, f: Filters, cursor: str | None) -> tuple[list[dict[str, str]], str | None]:
    """Runs in a worker thread: one tenant-scoped read, rows turned into display dicts."""
    found = labelled_page(ctx, to_filter(f), limit=PAGE_SIZE, cursor=cursor)
    rows = []
    for e in found.page.items:
        before, after = _pretty(e.before), _pretty(e.after)
        at = e.at.astimezone(UTC)
        rows.append(
            {
                "seq": str(e.seq),
                "date": at.strftime("%Y-%m-%d"),
                "time": at.strftime("%H:%M:%S UTC"),
                "actor": found.labels.get(e.actor, "System" if e.actor == "system" else e.actor[:8]),
                "actor_role": e.actor_role or "",
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "before": before,
                "after": after,
                "has_details": "1" if (before or after) else "",
            }
        )
    return rows, found.page.next_cursor


def fetch_options(ctx: TenantContext) -> dict[str, list]:
    values = filter_values(ctx)
    known = {m.user_id for m in values.members}
    options = [{"value": m.user_id, "label": m.display_name or m.email} for m in values.members]
    options += [
        {"value": a, "label": "System" if a == "system" else f"Former user {a[:8]}"}
        for a in values.actors
        if a not in known
    ]
    return {"actors": options, "entities": values.entities, "actions": values.actions}


class AuditState(KeysetListMixin, AuthState):
    f_since: str = ""
    f_until: str = ""
    f_actor: str = ALL
    f_entity: str = ALL
    f_action: str = ALL
    actor_options: list[dict[str, str]] = []
    entity_options: list[str] = []
    action_options: list[str] = []

    _list_permission: ClassVar[str] = PERMISSION

    def _filters(self) -> Filters:
        return Filters(self.f_since, self.f_until, self.f_actor, self.f_entity, self.f_action)

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[dict[str, str]], str | None]:
        return fetch_page(ctx, self._filters(), cursor)

    @rx.event
    async def load(self):
        """on_load: filter options and the first page, fresh (never another tenant's leftovers)."""
        self._clear_list()
        self.actor_options, self.entity_options, self.action_options = [], [], []
        ctx = await self._require(PERMISSION)
        if ctx is not None:
            options = await asyncio.to_thread(fetch_options, ctx)
            self.actor_options = options["actors"]
            self.entity_options = options["entities"]
            self.action_options = options["actions"]
        async for _ in self._reload_list(ctx):
            yield

    async def _set_and_reload(self, field: str, value: str):
        setattr(self, field, str(value or "")[:100])
        async for _ in self._reload_list(await self._require(PERMISSION)):
            yield

    @rx.event
    async def set_since(self, value: str):
        async for _ in self._set_and_reload("f_since", value):
            yield

    @rx.event
    async def set_until(self, value: str):
        async for _ in self._set_and_reload("f_until", value):
            yield

    @rx.event
    async def set_actor(self, value: str):
        async for _ in self._set_and_reload("f_actor", value):
            yield

    @rx.event
    async def set_entity(self, value: str):
        async for _ in self._set_and_reload("f_entity", value):
            yield

    @rx.event
    async def set_action(self, value: str):
        async for _ in self._set_and_reload("f_action", value):
            yield

    @rx.event
    async def clear_filters(self):
        self.f_since = self.f_until = ""
        self.f_actor = self.f_entity = self.f_action = ALL
        async for _ in self._reload_list(await self._require(PERMISSION)):
            yield


def _select(label: str, plural: str, value: Var, on_change, items: rx.Component, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(placeholder=label, width="100%", data_testid=testid, aria_label=label),
            rx.select.content(rx.select.item(f"All {plural}", value=ALL), items),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
        min_width="10rem",
        flex="1",
    )


def filters_bar() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text("From", size="1", weight="medium", color_scheme="gray"),
            rx.input(
                type="date",
                value=AuditState.f_since,
                on_change=AuditState.set_since,
                aria_label="From date",
                data_testid="filter-since",
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.text("To", size="1", weight="medium", color_scheme="gray"),
            rx.input(
                type="date",
                value=AuditState.f_until,
                on_change=AuditState.set_until,
                aria_label="To date",
                data_testid="filter-until",
            ),
            spacing="1",
        ),
        _select(
            "User",
            "users",
            AuditState.f_actor,
            AuditState.set_actor,
            rx.foreach(AuditState.actor_options, lambda o: rx.select.item(o["label"], value=o["value"])),
            "filter-actor",
        ),
        _select(
            "Entity",
            "entities",
            AuditState.f_entity,
            AuditState.set_entity,
            rx.foreach(AuditState.entity_options, lambda v: rx.select.item(v, value=v)),
            "filter-entity",
        ),
        _select(
            "Action",
            "actions",
            AuditState.f_action,
            AuditState.set_action,
            rx.foreach(AuditState.action_options, lambda v: rx.select.item(v, value=v)),
            "filter-action",
        ),
        rx.button(
            rx.icon("x", size=16),
            "Clear",
            variant="soft",
            color_scheme="gray",
            on_click=AuditState.clear_filters,
            align_self="end",
            data_testid="filter-clear",
        ),
        spacing="3",
        wrap="wrap",
        align="end",
        width="100%",
    )


def _details(row: Var) -> rx.Component:
    return rx.cond(
        row["has_details"] != "",
        rx.el.details(
            rx.el.summary("Before / after", style={"cursor": "pointer", "color": rx.color("accent", 11)}),
            rx.grid(
                rx.vstack(
                    rx.text("Before", size="1", weight="bold"),
                    rx.el.pre(rx.cond(row["before"] != "", row["before"], "—"), class_name="pharos-json"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text("After", size="1", weight="bold"),
                    rx.el.pre(rx.cond(row["after"] != "", row["after"], "—"), class_name="pharos-json"),
                    spacing="1",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                padding_top="0.5rem",
            ),
        ),
        rx.text("—", color_scheme="gray"),
    )


def _row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["seq"], color_scheme="gray", size="1")),
        rx.table.cell(
            rx.vstack(rx.text(row["date"], size="2"), rx.text(row["time"], size="1", color_scheme="gray"), spacing="0")
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row["actor"], size="2"), rx.text(row["actor_role"], size="1", color_scheme="gray"), spacing="0"
            )
        ),
        rx.table.cell(rx.code(row["action"], variant="ghost")),
        rx.table.cell(
            rx.vstack(
                rx.text(row["entity"], size="2"),
                rx.text(row["entity_id"], size="1", color_scheme="gray", class_name="pharos-mono"),
                spacing="0",
            )
        ),
        rx.table.cell(_details(row), min_width="14rem"),
        data_testid="audit-row",
        vertical_align="top",
    )


def events_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("#"),
                    rx.table.column_header_cell("When"),
                    rx.table.column_header_cell("User"),
                    rx.table.column_header_cell("Action"),
                    rx.table.column_header_cell("Entity"),
                    rx.table.column_header_cell("Changes"),
                )
            ),
            rx.table.body(rx.foreach(AuditState.rows, _row)),
            variant="surface",
            size="2",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def empty_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("inbox", size=40, color=rx.color("gray", 8)),
            rx.heading("No audit events", size="4"),
            rx.text("Nothing matches these filters. Widen the time range or clear the filters.", color_scheme="gray"),
            align="center",
            spacing="2",
        ),
        padding="3rem",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-4)",
        data_testid="audit-empty",
    )


@app_page(
    "/audit", "Audit log", permission=PERMISSION, nav="Audit log", icon="scroll-text", order=90, on_load=AuditState.load
)
def audit_page() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Every change in this tenant, newest first. Each entry is chained to the previous one by its hash.",
            color_scheme="gray",
        ),
        filters_bar(),
        rx.cond(
            AuditState.error != "",
            rx.callout(AuditState.error, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
        ),
        rx.cond(
            AuditState.loading & (AuditState.rows.length() == 0),
            rx.center(rx.spinner(size="3"), padding="3rem", width="100%", data_testid="audit-loading"),
            rx.cond(AuditState.rows.length() > 0, events_table(), empty_state()),
        ),
        rx.cond(
            AuditState.has_more,
            rx.center(
                rx.button(
                    rx.cond(AuditState.loading, rx.spinner(size="2"), rx.icon("chevrons-down", size=16)),
                    "Load more",
                    on_click=AuditState.load_more,
                    disabled=AuditState.loading,
                    variant="soft",
                    data_testid="audit-more",
                ),
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
