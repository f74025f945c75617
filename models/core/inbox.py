"""One inbox: what waits on the signed-in user, from every module's providers
(models/<module>/inbox_providers.py, `PROVIDERS`), in the caller's tenant and filtered by the
caller's role. Overdue first, then by due date, then oldest first.

The core never imports a module: providers are found by name for each module in engine.modules.MODULES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from sqlmodel import Session

from engine.context import TenantContext
from models.core.db import tenant_session
from models.core.providers import discover

PER_PROVIDER = 100  # an inbox longer than this is a queue: its page lists the rest


@dataclass(frozen=True)
class InboxItem:
    kind: str
    id: str
    title: str
    why: str  # why it waits on you ("Assigned to you", "You acknowledged it")
    url: str
    since: datetime  # waiting since (its age)
    due_at: datetime | None = None


@dataclass(frozen=True)
class InboxProvider:
    """`find(session, ctx, limit)`: the caller's items of this kind (ctx.user_id is the caller)."""

    kind: str
    label: str
    permission: str
    find: Callable[[Session, TenantContext, int], list[InboxItem]]


@dataclass(frozen=True)
class Inbox:
    items: list[InboxItem]
    counts: dict[str, int]  # kind → how many (kinds the role may see, zeros included)
    labels: dict[str, str]  # kind → its label

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@cache
def providers() -> tuple[InboxProvider, ...]:
    return tuple(discover("inbox_providers", "kind"))


def _order(item: InboxItem, now: datetime) -> tuple:
    overdue = item.due_at is not None and item.due_at < now
    return (not overdue, item.due_at is None, item.due_at or now, item.since, item.id)


def inbox(ctx: TenantContext) -> Inbox:
    """The caller's inbox (empty for the platform's own context, which is no one)."""
    mine = [p for p in providers() if ctx.can(p.permission)]
    items: list[InboxItem] = []
    counts: dict[str, int] = {}
    if ctx.user_id is not None:
        with tenant_session(ctx) as session:
            for p in mine:
                found = p.find(session, ctx, PER_PROVIDER)
                items += found
                counts[p.kind] = len(found)
    now = datetime.now(UTC)
    return Inbox(
        items=sorted(items, key=lambda i: _order(i, now)),
        counts={p.kind: counts.get(p.kind, 0) for p in mine},
        labels={p.kind: p.label for p in mine},
    )
