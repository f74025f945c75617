"""The decision path: the one function through which any status changes.

In the caller's transaction it checks role and ownership, checks the transition against the
machine, requires a reason where the machine says so, writes the event row, updates the status,
appends to the audit chain and writes an outbox row for webhooks. Any failure raises before
anything is written, and the surrounding unit of work rolls back.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, SQLModel

from engine.audit_chain import to_jsonable
from engine.context import TenantContext
from engine.errors import NotFound
from engine.state_machine import StateMachine, Transition
from models import audit
from models.base import utcnow
from models.core_tables import DecisionEvent, OutboxEvent


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
) -> DecisionEvent:
    """Apply `action` to `entity` (a row with id, tenant_id and status) or raise."""
    if getattr(entity, "tenant_id", None) != ctx.tenant_id:
        raise NotFound(f"{machine.name} not found")
    session.refresh(entity, with_for_update=True)  # serialize concurrent decisions on one row
    from_status: str = entity.status  # type: ignore[attr-defined]
    transition: Transition = machine.check(from_status, action, ctx, reason, is_owner=is_owner)
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
