"""Audit entries gathered during a unit of work and appended to the chain in one `record_many`.

Set-based writers (the enforcement chunk, `decide_many`) collect their audit entries and append
them once, at the end, so the tenant's audit lock is held only from there to commit. A buffer
that is never flushed would silently drop links from the chain, so it cannot be: the session's
`before_commit` hook raises while any buffer of that session still holds entries, and the commit
fails (the unit of work rolls back). A rollback discards the buffers with the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from engine.context import TenantContext
from models.core import audit

AuditEntry = dict[str, Any]  # action, entity, entity_id and optional before, after, at

_BUFFERS = "pharos.audit_buffers"


class UnflushedAudit(RuntimeError):
    """A commit was attempted with audit entries still buffered: a programming error."""


class AuditBuffer:
    """Collect with `append`/`extend`, write with `flush()` before the transaction commits."""

    def __init__(self, session: Session, ctx: TenantContext, entries: Iterable[AuditEntry] = ()):
        self.session = session
        self.ctx = ctx
        self._entries: list[AuditEntry] = list(entries)
        buffers: list[AuditBuffer] | None = session.info.get(_BUFFERS)
        if buffers is None:
            buffers = session.info[_BUFFERS] = []
            event.listen(session, "before_commit", _refuse_unflushed)
            event.listen(session, "after_rollback", _forget)
        buffers.append(self)

    def append(self, entry: AuditEntry) -> None:
        self._entries.append(entry)

    def extend(self, entries: Iterable[AuditEntry]) -> None:
        self._entries.extend(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def flush(self) -> list[dict[str, Any]]:
        """Append the entries to the chain, in order (one lock, one insert); returns the rows."""
        entries, self._entries = self._entries, []
        return audit.record_many(self.session, self.ctx, entries)


def _refuse_unflushed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint's release, not the unit of work's commit
        return
    buffers: list[AuditBuffer] = session.info.get(_BUFFERS) or []
    left = sum(len(b) for b in buffers)
    session.info[_BUFFERS] = [b for b in buffers if len(b)]
    if left:
        actions = sorted({e["action"] for b in buffers for e in b._entries})
        raise UnflushedAudit(f"{left} audit entries were never appended to the chain: {', '.join(actions)}")


def _forget(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for buffer in session.info.get(_BUFFERS) or []:
        buffer._entries.clear()
    session.info[_BUFFERS] = []
