"""The one helper through which every mutation is recorded in the tenant's audit chain."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from engine.audit_chain import (
    GENESIS_HASH,
    ChainBreak,
    ChainLink,
    Encoded,
    PendingLink,
    StoredEvent,
    format_instant,
    to_jsonable,
    verify_chain,
)
from engine.context import TenantContext
from models.core.base import utcnow
from models.core.bulk import insert_encoded, row_json, table_of
from models.core.tables import AuditEvent

# Set per request/job by the web and worker layers so audit rows and logs share one id.
correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="")

_LOCK = text("select pg_advisory_xact_lock(hashtextextended('pharos-audit:' || :tenant, 0))")
_HEAD = text("select seq, hash from audit_events where tenant_id = :tenant order by seq desc limit 1")


def _link_of(event: AuditEvent) -> ChainLink:
    return ChainLink(
        tenant_id=str(event.tenant_id),
        seq=event.seq,
        actor=event.actor,
        action=event.action,
        entity=event.entity,
        entity_id=event.entity_id,
        before=event.before,
        after=event.after,
        at=format_instant(event.at),
        prev_hash=event.prev_hash,
    )


def record(
    session: Session,
    ctx: TenantContext,
    *,
    action: str,
    entity: str,
    entity_id: Any,
    before: Any = None,
    after: Any = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the tenant's chain inside the caller's transaction.

    The advisory lock serializes appends per tenant until commit, so seq stays gapless and
    every prev_hash points at the event committed just before.
    """
    row, link, _ = _pending(ctx, action, entity, entity_id, before, after, at or utcnow())
    tenant = str(ctx.tenant_id)
    session.execute(_LOCK, {"tenant": tenant})
    head = session.execute(_HEAD, {"tenant": tenant}).first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    event = AuditEvent(**row, seq=seq, prev_hash=prev_hash, hash=link.digest(seq, prev_hash))
    session.add(event)
    session.flush()
    return event


_NOTHING = Encoded(None, "null")  # most events have no `before`


def _encoded(value: Any) -> Encoded:
    """A before/after value: given Encoded by a writer that built it JSON-ready, or made so here."""
    if value is None:
        return _NOTHING
    return value if isinstance(value, Encoded) else Encoded.of(to_jsonable(value))


def _pending(
    ctx: TenantContext,
    action: str,
    entity: str,
    entity_id: Any,
    before: Any,
    after: Any,
    moment: datetime,
) -> tuple[dict[str, Any], PendingLink, dict[str, str]]:
    """One event's row (every column but seq, prev_hash and hash), its canonical encoding and the
    JSON text of its before and after, made before the append lock is taken: under the lock only
    the link is joined and hashed. Each value is encoded once, for the hash and for the insert."""
    old, new = _encoded(before), _encoded(after)
    row = {
        "id": uuid.uuid4(),
        "tenant_id": ctx.tenant_id,
        "actor": ctx.actor_label,
        "actor_role": str(ctx.role),
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "before": old.value,
        "after": new.value,
        "at": moment,
        "correlation_id": correlation_id.get()[:64],
    }
    link = PendingLink.encoded(
        str(ctx.tenant_id), row["actor"], action, entity, row["entity_id"], old, new, format_instant(moment)
    )
    return row, link, {"before": old.text, "after": new.text}


def record_many(session: Session, ctx: TenantContext, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append several events to the tenant's chain, in order, inside the caller's transaction:
    each event encoded first, then the advisory lock and the head read once, the links joined
    and hashed, one multi-row insert. Each event: action, entity, entity_id and optional before,
    after (domain values, or `Encoded` when the writer built them JSON-ready: used as they are),
    at. Returns the rows written (dicts with every column)."""
    if not events:
        return []
    pending = [
        _pending(
            ctx, e["action"], e["entity"], e["entity_id"], e.get("before"), e.get("after"), e.get("at") or utcnow()
        )
        for e in events
    ]
    tenant = str(ctx.tenant_id)
    session.execute(_LOCK, {"tenant": tenant})
    head = session.execute(_HEAD, {"tenant": tenant}).first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    rows: list[dict[str, Any]] = []
    payload: list[str] = []
    for row, link, texts in pending:
        digest = link.digest(seq, prev_hash)
        rows.append({**row, "seq": seq, "prev_hash": prev_hash, "hash": digest})
        plain = {k: v for k, v in rows[-1].items() if k not in texts}
        payload.append(row_json(plain, texts))
        seq, prev_hash = seq + 1, digest
    insert_encoded(session, table_of(AuditEvent), tuple(rows[0]), payload)
    return rows


def iter_chain(session: Session, tenant_id: uuid.UUID, batch: int = 5000) -> Iterator[StoredEvent]:
    """Stream a tenant's events in seq order without loading the whole chain."""
    last = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.tenant_id == tenant_id, AuditEvent.seq > last)
            .order_by(col(AuditEvent.seq))
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield StoredEvent(link=_link_of(row), stored_hash=row.hash)
        last = rows[-1].seq


def verify_tenant_chain(session: Session, tenant_id: uuid.UUID) -> ChainBreak | None:
    return verify_chain(iter_chain(session, tenant_id))
