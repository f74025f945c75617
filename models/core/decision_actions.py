"""The action behind every decision route: load the entity, check, decide, answer; one transaction.

A module describes a decision-bearing entity once (`DecisionTarget`: its machine, the permission to
see it, how to load it, optionally its own way to apply a decision) and the core action does the
rest the same way for every entity: the read permission, the tenant-scoped load (another tenant's
id is simply not found), the optional `expected_status` guard against a stale screen, the refusal
of system-only actions, the decision itself (role, transition, ownership, reason, event, audit,
outbox) and the buttons left. REST routes (app.api.core.decisions) only shape the result.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from engine.context import TenantContext
from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.state_machine import StateMachine
from models.core.db import tenant_session
from models.core.decisions import StatusEntity, decide

Loader = Callable[[Session, TenantContext, uuid.UUID], StatusEntity]
# returns what the caller may show once (a dict of text, e.g. a fresh link), or anything else
Applier = Callable[[Session, TenantContext, StatusEntity, str, "str | None"], object]


@dataclass(frozen=True)
class DecisionTarget:
    """One decision-bearing entity as the decision routes see it.

    `apply`: the module's own action when a decision carries more than the status change (an
    alert's touch, a dealer's details); by default the plain `decide` on the loaded row."""

    entity: str
    machine: StateMachine
    read_permission: str
    load: Loader
    apply: Applier | None = None


@dataclass(frozen=True)
class ActionView:
    action: str
    label: str
    reason_required: bool


@dataclass(frozen=True)
class DecisionOutcome:
    id: str
    entity: str
    from_status: str
    status: str
    actions: list[ActionView]
    details: dict[str, str] = field(default_factory=dict)


def take_decision(
    ctx: TenantContext,
    target: DecisionTarget,
    entity_id: uuid.UUID,
    action: str,
    reason: str | None,
    expected_status: str | None = None,
) -> DecisionOutcome:
    """Apply `action` to the entity or raise: Forbidden (role, system-only, ownership), NotFound,
    Conflict (stale `expected_status`, or an action not allowed from the current status),
    ValidationFailed (an action the machine does not know, a missing reason). Nothing is written
    unless the decision is taken."""
    ctx.require(target.read_permission)
    machine = target.machine
    if action not in machine.actions:
        raise ValidationFailed(
            f"action: '{action}' is not an action of a {machine.name} (one of: {', '.join(machine.actions)})",
            fields={"action": "unknown action"},
        )
    with tenant_session(ctx) as session:
        row = target.load(session, ctx, entity_id)
        from_status = row.status
        if expected_status is not None and expected_status != from_status:
            raise Conflict(
                f"this {target.entity} is '{from_status}' now, not '{expected_status}'; reload and decide again",
                fields={"expected_status": from_status},
            )
        if machine.transition_for(from_status, action).system_only:
            raise Forbidden(f"'{action}' is taken by the system only, never by a user")
        details: dict[str, str] = {}
        if target.apply is None:
            decide(session, ctx, machine, row, action, reason=reason)
        else:
            applied = target.apply(session, ctx, row, action, reason)
            if isinstance(applied, dict):
                details = {str(k): str(v) for k, v in applied.items()}
        return DecisionOutcome(
            id=str(entity_id),
            entity=target.entity,
            from_status=from_status,
            status=row.status,
            actions=[ActionView(t.action, t.display, t.reason_required) for t in machine.actions_for(row, ctx)],
            details=details,
        )
