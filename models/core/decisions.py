"""The decision path: the one function through which any status changes.

In the caller's transaction it checks role and ownership, checks the transition against the
machine, requires a reason where the machine says so, writes the event row, updates the status,
appends to the audit chain and writes an outbox row for webhooks. Any failure raises before
anything is written, and the surrounding unit of work rolls back.

`decide` (one entity) and `decide_many` (set-based) write the same rows, built by one function
(`_rows`). Ownership is worked out here, from the machine's `owner_field` and
`ctx.organization_id`, never passed in by callers. Events go to the machine's event table
(`machine.events`, `decision_events` by default; docs/adr/0001-decision-event-tables.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Table, text
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, select

from engine.context import TenantContext
from engine.errors import NotFound
from engine.jsonable import to_jsonable
from engine.state_machine import StateMachine
from models.core import audit
from models.core.audit_buffer import AuditBuffer, AuditEntry
from models.core.base import utcnow
from models.core.bulk import insert_rows
from models.core.tables import OutboxEvent


class StatusEntity(Protocol):
    """What the decision path needs of a row: its id, its tenant and its status (an ORM row)."""

    id: Any
    tenant_id: uuid.UUID
    status: str


@dataclass(frozen=True, slots=True)
class DecisionRequest:
    """One decision for `decide_many`: `action` on `entity`, with the reason and audit details."""

    entity: StatusEntity
    action: str
    reason: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision event written (the row's values; no ORM object is made per event)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    machine: str
    entity_id: Any
    action: str
    from_status: str
    to_status: str
    reason: str | None
    actor: str
    actor_role: str
    at: datetime


@dataclass(frozen=True, slots=True)
class _Rows:
    event: dict[str, Any]
    audit: AuditEntry
    outbox: dict[str, Any]


def _rows(
    ctx: TenantContext,
    machine: StateMachine,
    entity_id: Any,
    action: str,
    from_status: str,
    to_status: str,
    reason: str | None,
    details: dict[str, Any] | None,
) -> _Rows:
    """The event, audit entry and outbox row of one decision: the same for decide and decide_many."""
    moment = utcnow()
    event = {
        "id": uuid.uuid4(),
        "tenant_id": ctx.tenant_id,
        "machine": machine.name,
        "entity_id": entity_id,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "reason": reason,
        "actor": ctx.actor_label,
        "actor_role": str(ctx.role),
        "at": moment,
    }
    change = {"status": to_status, "reason": reason, **(details or {})}
    entry = {
        "action": f"{machine.name}.{action}",
        "entity": machine.name,
        "entity_id": entity_id,
        "before": {"status": from_status},
        "after": change,
        "at": moment,
    }
    outbox = {
        "id": uuid.uuid4(),
        "tenant_id": ctx.tenant_id,
        "topic": f"{machine.name}.{action}",
        "entity": machine.name,
        "entity_id": str(entity_id),
        "payload": to_jsonable({"event_id": event["id"], "from": from_status, "to": to_status, **change}),
        "idempotency_key": f"decision:{event['id']}",
        "created_at": moment,
        "delivered_at": None,
        "attempts": 0,
    }
    return _Rows(event, entry, outbox)


_EVENT_TABLES: dict[str, Table] = {}


def register_event_table(table: Table) -> Table:
    """Make an event table outside the product's metadata known by name (test-only tables)."""
    _EVENT_TABLES[table.name] = table
    return table


def _events_table(machine: StateMachine) -> Table:
    table = _EVENT_TABLES.get(machine.events)
    if table is None:
        table = SQLModel.metadata.tables.get(machine.events)
    if table is None:
        raise LookupError(f"{machine.name}: event table {machine.events!r} is not a known table")
    return table


def _outbox_table() -> Table:
    return SQLModel.metadata.tables[OutboxEvent.__tablename__]


def _clean(reason: str | None) -> str | None:
    return reason.strip() if reason else None


def decide(
    session: Session,
    ctx: TenantContext,
    machine: StateMachine,
    entity: StatusEntity,
    action: str,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    expected_status: str | None = None,
) -> DecisionRecord:
    """Apply `action` to `entity` (a row with id, tenant_id and status) or raise.

    The row is locked FOR UPDATE and its status re-read, so of concurrent identical decisions one
    applies and the others fail the machine's check (409). `expected_status`: the status the user
    saw; a different current status is refused with 409 (StaleStatus) naming it. Lock order: lock
    the row before the transaction's first audit append (`lock_for_decision`) when the caller
    audits something first; decide() itself appends only after locking."""
    if getattr(entity, "tenant_id", None) != ctx.tenant_id:
        raise NotFound(f"{machine.name} not found")
    session.refresh(entity, with_for_update=True)  # serialize concurrent decisions on one row
    from_status = entity.status
    transition = machine.check(
        from_status, action, ctx, reason, is_owner=machine.is_owner(entity, ctx), expected_status=expected_status
    )
    rows = _rows(ctx, machine, entity.id, action, from_status, transition.target, _clean(reason), details)
    entity.status = transition.target
    session.add(entity)
    session.flush()
    insert_rows(session, _events_table(machine), [rows.event])
    audit.record(session, ctx, **rows.audit)
    insert_rows(session, _outbox_table(), [rows.outbox])
    return DecisionRecord(**rows.event)


def lock_for_decision(
    session: Session, machine: StateMachine, entity: StatusEntity, expected_status: str | None = None
) -> None:
    """Row-lock an entity about to be decided, and check the status the user saw, before the
    transaction writes anything audited (a note, a field update): the tenant's audit lock is
    always the last lock a transaction takes (docs/jobs.md, "Lock order"), and a stale decision
    fails before any write."""
    session.refresh(entity, with_for_update=True)
    machine.check_expected(entity.status, expected_status)


def decide_many(
    session: Session,
    ctx: TenantContext,
    machine: StateMachine,
    requests: Sequence[DecisionRequest],
    *,
    locked: bool = False,
    audit_buffer: AuditBuffer | None = None,
) -> list[DecisionRecord]:
    """decide() for several requests at once, in order.

    Writes the same rows as one decide() call per request (an entity may appear more than once: its
    requests apply in order), but set-based: one `select ... for update` over the entities (in id
    order, so concurrent callers cannot deadlock), every transition checked before anything is
    written (the first refusal raises, nothing written), then one statement per table: the status
    updates (one UPDATE over unnest; the entities' loaded status is set to match, no flush), the
    decision events, the audit chain via `audit.record_many`, the outbox.

    `locked`: the caller loaded these very entities `FOR UPDATE` in this transaction (their status
    is current), so they are not selected again. `audit_buffer`: the audit entries go into this
    buffer instead of the chain, for a caller that appends them with its own in one flush before
    commit (the buffer refuses a commit while it holds entries).
    """
    if not requests:
        return []
    model = type(requests[0].entity)
    by_id: dict[Any, StatusEntity] = {}
    for request in requests:
        entity = request.entity
        if type(entity) is not model or getattr(entity, "tenant_id", None) != ctx.tenant_id:
            raise NotFound(f"{machine.name} not found")
        by_id[entity.id] = entity
    ids = sorted(by_id, key=str)
    table: Table = getattr(model, "__table__")  # noqa: B009 - an ORM class, typed by the Protocol only
    locked_rows: Sequence[Any] = (
        [by_id[i] for i in ids]
        if locked
        else session.exec(
            select(model)
            .where(table.c.tenant_id == ctx.tenant_id, table.c.id.in_(ids))
            .order_by(table.c.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    )
    if len(locked_rows) != len(ids):
        raise NotFound(f"{machine.name} not found")
    current: dict[Any, str] = {row.id: row.status for row in locked_rows}
    planned: list[_Rows] = []
    for request in requests:
        eid = request.entity.id
        from_status = current[eid]
        transition = machine.check(
            from_status, request.action, ctx, request.reason, is_owner=machine.is_owner(request.entity, ctx)
        )
        current[eid] = transition.target
        planned.append(
            _rows(
                ctx,
                machine,
                eid,
                request.action,
                from_status,
                transition.target,
                _clean(request.reason),
                request.details,
            )
        )
    session.flush()  # anything the caller left pending goes first, as in decide()
    session.execute(
        text(
            f"update {table.name} t set status = v.status "
            "from unnest(cast(:ids as uuid[]), cast(:statuses as text[])) as v(id, status) "
            "where t.id = v.id and t.tenant_id = :tenant"
        ),
        {"ids": list(current), "statuses": list(current.values()), "tenant": ctx.tenant_id},
    )
    rows = {row.id: row for row in locked_rows}
    for eid, status in current.items():
        for row in {id(rows[eid]): rows[eid], id(by_id[eid]): by_id[eid]}.values():
            set_committed_value(row, "status", status)
    insert_rows(session, _events_table(machine), [r.event for r in planned])
    if audit_buffer is None:
        audit.record_many(session, ctx, [r.audit for r in planned])
    else:
        audit_buffer.extend(r.audit for r in planned)
    insert_rows(session, _outbox_table(), [r.outbox for r in planned])
    return [DecisionRecord(**r.event) for r in planned]
