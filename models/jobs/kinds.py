"""Job kinds: what a module registers so the runner can do its items.

A kind is data: `register(JobKind(name, handle, chunk_size=..., chunk=ChunkHooks(...)))`. The
handler does one item's work inside the runner's processing transaction (so its side effects and
the item's done mark commit together) and returns an outcome from engine.jobs: Done(result),
Skipped(reason), Failed(error) or Retry(error); returning None means Done(). It must be idempotent
per `item.idempotency_key` in spirit, but the runner already guarantees at most one committed
execution per item. Set-based kinds add `ChunkHooks` (see models.jobs.runner for the contract).

Kinds register when their module is imported; workers/registry.py imports every kind module, and
seeds or tools that run a job inline pass the kind itself (models.jobs.runner.run_inline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from engine.context import TenantContext
from engine.jobs import ClaimedItem, ItemOutcome
from models.jobs.tables import Job

DEFAULT_CHUNK_SIZE = 50


@dataclass(frozen=True)
class ItemContext:
    """What a handler gets: the open transaction, the tenant context, the job and the item."""

    session: Session
    ctx: TenantContext
    job: Job
    item: ClaimedItem


Handler = Callable[[ItemContext], ItemOutcome | None]


@dataclass(frozen=True)
class ChunkHooks:
    """A kind's hooks around a whole chunk, all in the chunk's one transaction.

    `begin` before the items (set-based loads, in a savepoint: if it raises, the items run one by
    one without the hooks); `undo` for an item whose effects are dropped (failed, retried, lease
    lost); `end` after the done marks, with the items kept (bulk writes, one audit append);
    `abort` always, last (drop any state kept on the session). `collects`: the handler writes
    nothing per item (it collects; `end` writes for the kept items), so the items need no savepoint
    each and their done marks are one statement.
    """

    begin: Callable[[Session, TenantContext, Job, list[ClaimedItem]], None]
    undo: Callable[[Session, ClaimedItem], None]
    end: Callable[[Session, Job, list[ClaimedItem]], None]
    abort: Callable[[Session], None]
    collects: bool = False


@dataclass(frozen=True)
class JobKind:
    """A job kind: its name (jobs.kind), its item handler, items per chunk, optional chunk hooks."""

    name: str
    handle: Handler
    chunk_size: int = DEFAULT_CHUNK_SIZE
    chunk: ChunkHooks | None = None
    # the shortest lease an item of this kind needs: one item that can run longer than the default
    # lease (a whole tenant's detection) would otherwise lose it mid-item and be redone forever;
    # the price is a slower take-over of that kind's items when a worker dies
    min_lease_seconds: float = 0.0
    # called in the transaction that completes the job (every item settled: done, skipped or
    # failed), before the completion's decision: totals over the items' results go here (the
    # margin detection run's counts); it may lock the kind's own parent row, then audit
    complete: Callable[[Session, TenantContext, Job], None] | None = None

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 60:
            raise ValueError(f"job kind name must be 1-60 characters: {self.name!r}")
        if self.chunk_size < 1:
            raise ValueError(f"{self.name}: chunk_size must be at least 1")


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Make `kind` runnable; a second, different kind under the same name is refused."""
    existing = _KINDS.get(kind.name)
    if existing is not None and existing != kind:
        handler = existing.handle
        raise ValueError(f"job kind {kind.name!r} is already registered: {handler.__module__}.{handler.__qualname__}")
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> JobKind | None:
    return _KINDS.get(name)


def kinds() -> list[str]:
    return sorted(_KINDS)
