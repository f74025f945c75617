"""`/inbox`: what waits on me, from every module's inbox providers (models/core/inbox.py, the same as
GET /api/inbox), and its count as a badge in the top bar (a top-bar item, loaded when a page mounts,
in a background event so a page left at once never waits for it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls, feedback
from app.web.kit import format as fmt
from app.web.kit.links import row_link
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from app.web.shell.registry import register_top_bar_item
from engine.context import TenantContext
from models.core import inbox as core_inbox

INBOX = "core.dashboard.read"  # every member has an inbox; each provider checks its own permission


@dataclass(frozen=True)
class InboxRow:
    kind: str
    title: str
    why: str
    when: str  # "due …" / "overdue since …" / "waiting 3 days"
    overdue: bool
    href: str


def age_text(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"waiting {n} {unit}{'s' if n != 1 else ''}"
    return "waiting since just now"


def inbox_rows(ctx: TenantContext) -> tuple[list[InboxRow], list[dict[str, str]]]:
    found = core_inbox.inbox(ctx)
    now = datetime.now(UTC)
    rows = []
    for i in found.items:
        overdue = i.due_at is not None and i.due_at < now
        if i.due_at is None:
            when = age_text(i.since, now)
        else:
            when = ("overdue since " if overdue else "due ") + fmt.when(i.due_at)
        rows.append(InboxRow(found.labels.get(i.kind, i.kind), i.title, i.why, when, overdue, i.url))
    counts = [{"label": found.labels[k], "count": str(n)} for k, n in found.counts.items()]
    return rows, counts


def inbox_total(ctx: TenantContext) -> int:
    return core_inbox.inbox(ctx).total


class InboxState(AuthState):
    loading: bool = False
    rows: list[InboxRow] = []
    counts: list[dict[str, str]] = []

    @rx.event
    async def load(self):
        self.rows, self.counts, self.loading = [], [], True
        yield
        ctx = await self._require(INBOX)
        if ctx is not None:
            self.rows, self.counts = await asyncio.to_thread(inbox_rows, ctx)
        self.loading = False


class InboxBadgeState(AuthState):
    count: int = 0

    @rx.event(background=True)
    async def load(self):
        async with self:
            ctx = await self._require(INBOX)
            if ctx is None:
                self.count = 0
                return
        total = await asyncio.to_thread(inbox_total, ctx)
        async with self:
            if await self._require(INBOX) is not None:
                self.count = total


def _row(row: Var) -> rx.Component:
    return row_link(
        rx.vstack(
            rx.text(row.title, size="2", weight="medium", **controls.WRAP),
            rx.text(row.why, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.badge(row.kind, variant="surface", color_scheme="gray"),
        rx.text(row.when, size="1", color=rx.cond(row.overdue, rx.color("red", 11), rx.color("gray", 11))),
        href=row.href,
        testid="inbox-item",
    )


def _count(item: Var) -> rx.Component:
    return rx.badge(item["label"], ": ", item["count"], variant="soft", size="2", data_testid="inbox-count")


@app_page("/inbox", "Inbox", permission=INBOX, nav="Inbox", icon="inbox", order=1, on_load=InboxState.load)
def inbox_page() -> rx.Component:
    s = InboxState
    return rx.vstack(
        rx.hstack(rx.foreach(s.counts, _count), spacing="2", wrap="wrap"),
        rx.cond(
            s.loading,
            feedback.spinner_block(),
            rx.cond(
                s.rows.length() > 0,
                rx.vstack(rx.foreach(s.rows, _row), spacing="1", width="100%"),
                feedback.empty("Nothing waits on you. Tasks assigned to you and alerts you own show here.", "inbox"),
            ),
        ),
        spacing="4",
        width="100%",
    )


def inbox_badge() -> rx.Component:
    """The top bar's inbox link with the number of items waiting on me."""
    return rx.link(
        rx.hstack(
            rx.icon("inbox", size=18),
            rx.cond(
                InboxBadgeState.count > 0,
                rx.badge(InboxBadgeState.count, color_scheme="red", variant="solid", radius="full", size="1"),
            ),
            spacing="1",
            align="center",
        ),
        href="/inbox",
        aria_label="Inbox",
        color=rx.color("gray", 12),
        data_testid="inbox-badge",
        on_mount=InboxBadgeState.load,
    )


register_top_bar_item("inbox", inbox_badge)
