"""/audit — the tenant's audit chain, newest first (owner, admin, auditor)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls
from app.web.kit.buttons import control_row, icon_button
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.kit.feedback import error_box
from app.web.kit.lists import KeysetListMixin
from app.web.kit.rows import Option
from app.web.kit.table import load_more, table
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.core.audit_log import AuditFilter, filter_values, labelled_page

PERMISSION = "core.audit.read"
PAGE_SIZE = 50
# the filter vars a person can set (to_filter bounds each value)
FILTERS = ("f_since", "f_until", "f_actor", "f_entity", "f_action")


@dataclass(frozen=True)
class Filters:
    since: str = ""
    until: str = ""
    actor: str = ANY
    entity: str = ANY
    action: str = ANY


@dataclass(frozen=True)
class AuditRow:
    seq: str
    date: str
    time: str
    actor: str  # the member's name, "System", or the id's first 8 characters
    actor_role: str
    action: str
    entity: str
    entity_id: str
    before: str  # pretty JSON, "" when there is nothing
    after: str
    has_details: bool


def _day(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValidationFailed(f"'{value[:20]}' is not a date (YYYY-MM-DD)") from None


def _chosen(value: str, limit: int) -> str | None:
    return None if value in ("", ANY) else value[:limit]


def to_filter(f: Filters) -> AuditFilter:
    since, until = _day(f.since), _day(f.until)
    return AuditFilter(
        actor=_chosen(f.actor, 64),
        event_type=_chosen(f.action, 100),  # the drop-down offers the chain's exact event types
        entity=_chosen(f.entity, 60),
        since=datetime.combine(since, time.min, tzinfo=UTC) if since else None,
        until=datetime.combine(until, time.min, tzinfo=UTC) + timedelta(days=1) - timedelta(microseconds=1)
        if until
        else None,
    )


def _pretty(value) -> str:
    if value in (None, {}, []):
        return ""
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def fetch_page(ctx: TenantContext, f: Filters, cursor: str | None) -> tuple[list[AuditRow], str | None]:
    """Runs in a worker thread: one tenant-scoped read, rows turned into display rows."""
    found = labelled_page(ctx, to_filter(f), limit=PAGE_SIZE, cursor=cursor)
    rows = []
    for e in found.page.items:
        before, after = _pretty(e.before), _pretty(e.after)
        at = e.at.astimezone(UTC)
        actor = found.labels.get(e.actor, "System" if e.actor == "system" else e.actor[:8])
        rows.append(
            AuditRow(
                str(e.seq),
                at.strftime("%Y-%m-%d"),
                at.strftime("%H:%M:%S UTC"),
                actor,
                e.actor_role or "",
                e.action,
                e.entity,
                e.entity_id,
                before,
                after,
                bool(before or after),
            )
        )
    return rows, found.page.next_cursor


def fetch_options(ctx: TenantContext) -> dict[str, list[Option]]:
    values = filter_values(ctx)
    known = {m.user_id for m in values.members}
    actors = [Option(m.user_id, m.display_name or m.email) for m in values.members]
    actors += [
        Option(a, "System" if a == "system" else f"Former user {a[:8]}") for a in values.actors if a not in known
    ]
    return {
        "actors": actors,
        "entities": [Option.same(v) for v in values.entities],
        "actions": [Option.same(v) for v in values.actions],
    }


class AuditState(KeysetListMixin, AuthState):
    rows: list[AuditRow] = []
    f_since: str = ""
    f_until: str = ""
    f_actor: str = ANY
    f_entity: str = ANY
    f_action: str = ANY
    actor_options: list[Option] = []
    entity_options: list[Option] = []
    action_options: list[Option] = []

    _list_permission: ClassVar[str] = PERMISSION

    def _filters(self) -> Filters:
        return Filters(self.f_since, self.f_until, self.f_actor, self.f_entity, self.f_action)

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[AuditRow], str | None]:
        return fetch_page(ctx, self._filters(), cursor)

    @rx.event
    async def load(self):
        """on_load: filter options and the first page, fresh (never another tenant's leftovers)."""
        self._clear_list()
        self.actor_options, self.entity_options, self.action_options = [], [], []
        ctx = await self._require(PERMISSION)
        ok, options = await call(self, fetch_options, ctx) if ctx is not None else (False, None)
        if ok:
            self.actor_options, self.entity_options = options["actors"], options["entities"]
            self.action_options = options["actions"]
        async for _ in self._reload_list(ctx):
            yield

    @rx.event
    async def set_filter(self, name: str, value: str):
        """Set one of FILTERS (any other name is ignored) and list again from the first page."""
        if name not in FILTERS:
            return
        setattr(self, name, str(value or "")[:100])
        async for _ in self._reload_list(await self._require(PERMISSION)):
            yield

    @rx.event
    async def clear_filters(self):
        self.f_since = self.f_until = ""
        self.f_actor = self.f_entity = self.f_action = ANY
        async for _ in self._reload_list(await self._require(PERMISSION)):
            yield


def _date(label: str, name: str, aria: str, testid: str) -> rx.Component:
    control = rx.input(
        type="date",
        value=getattr(AuditState, name),
        on_change=lambda v: AuditState.set_filter(name, v),
        aria_label=aria,
        data_testid=testid,
    )
    return controls.field(label, control)


def _select(label: str, plural: str, name: str, options: Var, testid: str) -> rx.Component:
    control = controls.select(
        options,
        getattr(AuditState, name),
        lambda v: AuditState.set_filter(name, v),
        label,
        first=(ANY, f"All {plural}"),
        keys=("id", "label"),
        trigger={"placeholder": label, "width": "100%", "data_testid": testid},
    )
    return controls.field(label, control, min_width="10rem", flex="1")


def filters_bar() -> rx.Component:
    s = AuditState
    return control_row(
        _date("From", "f_since", "From date", "filter-since"),
        _date("To", "f_until", "To date", "filter-until"),
        _select("User", "users", "f_actor", s.actor_options, "filter-actor"),
        _select("Entity", "entities", "f_entity", s.entity_options, "filter-entity"),
        _select("Event type", "event types", "f_action", s.action_options, "filter-action"),
        icon_button(
            "x", "Clear", s.clear_filters, "filter-clear", variant="soft", color_scheme="gray", align_self="end"
        ),
    )


def _json(caption: str, text: Var) -> rx.Component:
    return rx.vstack(
        rx.text(caption, size="1", weight="bold"),
        rx.el.pre(rx.cond(text != "", text, "—"), class_name="pharos-json"),
        spacing="1",
    )


def _details(row: Var) -> rx.Component:
    return rx.cond(
        row.has_details,
        rx.el.details(
            rx.el.summary("Before / after", style={"cursor": "pointer", "color": rx.color("accent", 11)}),
            rx.grid(
                _json("Before", row.before),
                _json("After", row.after),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                padding_top="0.5rem",
            ),
        ),
        rx.text("—", color_scheme="gray"),
    )


def _two_lines(first: Var, second: Var, **second_props) -> rx.Component:
    return rx.vstack(
        rx.text(first, size="2"), rx.text(second, size="1", color_scheme="gray", **second_props), spacing="0"
    )


def _row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.seq, color_scheme="gray", size="1")),
        rx.table.cell(_two_lines(row.date, row.time)),
        rx.table.cell(_two_lines(row.actor, row.actor_role)),
        rx.table.cell(rx.code(row.action, variant="ghost")),
        rx.table.cell(_two_lines(row.entity, row.entity_id, class_name="pharos-mono")),
        rx.table.cell(_details(row), min_width="14rem"),
        data_testid="audit-row",
        vertical_align="top",
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
    s = AuditState
    headers = ["#", "When", "User", "Action", "Entity", "Changes"]
    return rx.vstack(
        rx.text(
            "Every change in this tenant, newest first. Each entry is chained to the previous one by its hash.",
            color_scheme="gray",
        ),
        filters_bar(),
        error_box(s.error, "audit-error"),
        rx.cond(
            s.loading & (s.rows.length() == 0),
            rx.center(rx.spinner(size="3"), padding="3rem", width="100%", data_testid="audit-loading"),
            rx.cond(s.rows.length() > 0, table(headers, rx.foreach(s.rows, _row), "audit-table"), empty_state()),
        ),
        load_more(s.has_more, s.loading, s.load_more, "audit-more"),
        spacing="4",
        width="100%",
    )
