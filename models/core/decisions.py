"""The decision path: the one function through which any status changes.

In the caller's transaction it checks role and ownership, checks the transition against the
machine, requires a reason where the machine says so, writes the event row, updates the status,
appends to the audit chain and writes an outbox row for webhooks. Any failure raises before
anything is written, and the surrounding unit of work rolls back.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, select

from engine.context import TenantContext
from engine.errors import NotFound
from engine.jsonable import to_jsonable
from engine.state_machine import StateMachine, Transition
from models.core import audit
from models.core.base import utcnow
from models.core.bulk import insert_rows
from models.core.tables import DecisionEvent, OutboxEvent


def decide(
    session: Session,
    ctx: TenantContext,
    machine: StateMachine,
    entity: SQLModel,
    action: str,
    *,
    reason: str | None = None,
    is_owner: bool = False,
    details: dict[str, Any] | None = None,
    expected_status: str | None = None,
) -> DecisionEvent:
    """Apply `action` to `entity` (a row with id, tenant_id and status) or raise.

    The row is locked FOR UPDATE and its status re-read, so of concurrent identical decisions one
    applies and the others fail the machine's check (409). `expected_status`: the status the user
    saw; a different current status is refused with 409 (StaleStatus) naming it. Lock order: lock
    the row before the transaction's first audit append (`lock_for_decision`) when the caller
    audits something first; decide() itself appends only after locking."""
    if getattr(entity, "tenant_id", None) != ctx.tenant_id:
        raise NotFound(f"{machine.name} not found")
    session.refresh(entity, with_for_update=True)  # serialize concurrent decisions on one row
    from_status: str = entity.status  # type: ignore[attr-defined]
    transition: Transition = machine.check(
        from_status, action, ctx, reason, is_owner=is_owner, expected_status=expected_status
    )
    clean_reason = reason.strip() if reason else None
    moment = utcnow()
    event = DecisionEvent(
        tenant_id=ctx.tenant_id,
        machine=machine.name,
        entity_id=entity.id,  # type: ignore[attr-defined]
        action=action,
        from_status=from_status,
        to_status=transition.target,
        reason=clean_reason,
        actor=ctx.actor_label,
        actor_role=str(ctx.role),
        at=moment,
    )
    entity.status = transition.target  # type: ignore[attr-defined]
    session.add(entity)
    session.add(event)
    session.flush()
    change = {"status": transition.target, "reason": clean_reason, **(details or {})}
    audit.record(
        session,
        ctx,
        action=f"{machine.name}.{action}",
        entity=machine.name,
        entity_id=entity.id,  # type: ignore[attr-defined]
        before={"status": from_status},
        after=change,
        at=moment,
    )
    session.add(
        OutboxEvent(
            tenant_id=ctx.tenant_id,
            topic=f"{machine.name}.{action}",
            entity=machine.name,
            entity_id=str(entity.id),  # type: ignore[attr-defined]
            payload=to_jsonable({"event_id": event.id, "from": from_status, "to": transition.target, **change}),
            idempotency_key=f"decision:{event.id}",
        )
    )
    session.flush()
    return event


def lock_for_decision(
    session: Session, machine: StateMachine, entity: SQLModel, expected_status: str | None = None
) -> None:
    """Row-lock an entity about to be decided, and check the status the user saw, before the
    transaction writes anything audited (a note, a field update): the tenant's audit lock is
    always the last lock a transaction takes (docs/jobs.md, "Lock order"), and a stale decision
    fails before any write."""
    session.refresh(entity, with_for_update=True)
    machine.check_expected(entity.status, expected_status)  # type: ignore[attr-defined]


DecisionRequest = tuple[SQLModel, str, "str | None", bool, "dict[str, Any] | None"]


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision event decide_many() wrote (the row's values; no ORM object is made per event)."""

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


def decide_many(
    session: Session,
    ctx: TenantContext,
    machine: StateMachine,
    requests: Sequence[DecisionRequest],
    *,
    locked: bool = False,
    audit_into: list[dict[str, Any]] | None = None,
) -> list[DecisionRecord]:
    """decide() for several (entity, action, reason, is_owner, details) requests at once, in order.

    Writes the same rows as one decide() call per request (an entity may appear more than once: its
    requests apply in order), but set-based: one `select ... for update` over the entities (in id
    order, so concurrent callers cannot deadlock), every transition checked before anything is
    written (the first refusal raises, nothing written), then one statement per table: the status
    updates (one UPDATE over unnest; the entities' loaded status is set to match, no flush), the
    decision events, the audit chain via `audit.record_many`, the outbox.

    `locked`: the caller loaded these very entities `FOR UPDATE` in this transaction (their status
    is current), so they are not selected again. `audit_into`: the audit events are appended to this
    list instead of written, for a caller that appends them (with its own) in one `record_many`
    before its transaction commits — the caller must, or the chain misses these decisions.
    """
    if not requests:
        return []
    model = type(requests[0][0])
    by_id: dict[Any, SQLModel] = {}
    for entity, *_ in requests:
        if type(entity) is not model or getattr(entity, "tenant_id", None) != ctx.tenant_id:
            raise NotFound(f"{machine.name} not found")
        by_id[entity.id] = entity  # type: ignore[attr-defined]
    ids = sorted(by_id, key=str)
    pk = model.id  # type: ignore[attr-defined]
    locked_rows = (
        [by_id[i] for i in ids]
        if locked
        else session.exec(
            select(model)
            .where(model.tenant_id == ctx.tenant_id, pk.in_(ids))  # type: ignore[attr-defined]
            .order_by(pk)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    )
    if len(locked_rows) != len(ids):
        raise NotFound(f"{machine.name} not found")
    current: dict[Any, str] = {row.id: row.status for row in locked_rows}  # type: ignore[attr-defined]
    planned = []
    for entity, action, reason, is_owner, details in requests:
        eid = entity.id  # type: ignore[attr-defined]
        from_status = current[eid]
        transition = machine.check(from_status, action, ctx, reason, is_owner=is_owner)
        current[eid] = transition.target
        planned.append((entity, action, reason.strip() if reason else None, details, from_status, transition.target))
    events: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    for entity, action, clean_reason, details, from_status, target in planned:
        moment = utcnow()
        eid = entity.id  # type: ignore[attr-defined]
        event = {
            "id": uuid.uuid4(),
            "tenant_id": ctx.tenant_id,
            "machine": machine.name,
            "entity_id": eid,
            "action": action,
            "from_status": from_status,
            "to_status": target,
            "reason": clean_reason,
            "actor": ctx.actor_label,
            "actor_role": str(ctx.role),
            "at": moment,
        }
        events.append(event)
        change = {"status": target, "reason": clean_reason, **(details or {})}
        audits.append(
            {
                "action": f"{machine.name}.{action}",
                "entity": machine.name,
                "entity_id": eid,
                "before": {"status": from_status},
                "after": change,
                "at": moment,
            }
        )
        outbox.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": ctx.tenant_id,
                "topic": f"{machine.name}.{action}",
                "entity": machine.name,
                "entity_id": str(eid),
                "payload": to_jsonable({"event_id": event["id"], "from": from_status, "to": target, **change}),
                "idempotency_key": f"decision:{event['id']}",
                "created_at": moment,
                "delivered_at": None,
                "attempts": 0,
            }
        )
    session.flush()  # anything the caller left pending goes first, as in decide()
    session.execute(
        text(
            f"update {model.__tablename__} t set status = v.status "  # type: ignore[attr-defined]
            "from unnest(cast(:ids as uuid[]), cast(:statuses as text[])) as v(id, status) "
            "where t.id = v.id and t.tenant_id = :tenant"
        ),
        {"ids": list(current), "statuses": list(current.values()), "tenant": ctx.tenant_id},
    )
    rows = {row.id: row for row in locked_rows}  # type: ignore[attr-defined]
    for eid, status in current.items():
        for row in {id(rows[eid]): rows[eid], id(by_id[eid]): by_id[eid]}.values():
            set_committed_value(row, "status", status)
    insert_rows(session, DecisionEvent.__table__, events)  # type: ignore[arg-type]
    if audit_into is None:
        audit.record_many(session, ctx, audits)
    else:
        audit_into.extend(audits)
    insert_rows(session, OutboxEvent.__table__, outbox)  # type: ignore[arg-type]
    return [DecisionRecord(**e) for e in events]
