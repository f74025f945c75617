"""Tickets (repositories): open one (responsible organization, provenance and SLA set on create),
decide its status through the decision path (the first response and the resolution stamped and
checked against their due times), assign an engineer (audited, eligible engineers only), and mark
SLA breaches. Lifecycle events go into the outbox in the same transaction (engine.service.events)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.jsonable import to_jsonable
from engine.service import eligibility, events, sla
from engine.service.machines import RESOLVE_ACTION, RESPONSE_ACTIONS, TICKET_MACHINE
from models.catalog.listing import matching
from models.catalog.tables import Channel, Organization
from models.core import mutations
from models.core.base import utcnow
from models.core.decisions import decide, lock_for_decision
from models.core.pagination import Page, keyset_page, parse_instant
from models.core.repo import create, get_in_tenant, reference
from models.core.tables import OutboxEvent
from models.service import agreements, engineers, policies
from models.service.inputs import TicketCreate
from models.service.tables import Engineer, Ticket

ACTIVE_STATUSES = tuple(s for s in TICKET_MACHINE.statuses if s not in TICKET_MACHINE.terminal)


def list_tickets(
    session: Session,
    ctx: TenantContext,
    *,
    status: str | None = None,
    priority: str | None = None,
    responsible_org_id: uuid.UUID | None = None,
    engineer_id: uuid.UUID | None = None,
    breached: bool | None = None,
    q: str | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[Ticket]:
    """Newest first. `breached`: a target met late or still unmet past its due time (as shown)."""
    query = select(Ticket).where(Ticket.tenant_id == ctx.tenant_id)
    if status:
        query = query.where(Ticket.status == status)
    if priority:
        query = query.where(Ticket.priority == priority)
    if responsible_org_id:
        query = query.where(Ticket.responsible_org_id == responsible_org_id)
    if engineer_id:
        query = query.where(Ticket.assigned_engineer_id == engineer_id)
    if breached is not None:
        condition = breach_condition(now or utcnow())
        query = query.where(condition if breached else ~condition)
    query = matching(query, q, Ticket.title, Ticket.code)
    return keyset_page(
        session, query, Ticket.opened_at, Ticket.id, limit=limit, cursor=cursor, descending=True, parse=parse_instant
    )


def breach_condition(now: datetime) -> Any:
    """SQL for "breached as shown": a stored flag, or a target still unmet past its due time."""
    active = col(Ticket.status).in_(ACTIVE_STATUSES)
    return or_(
        col(Ticket.response_breached),
        col(Ticket.resolution_breached),
        and_(active, col(Ticket.first_response_at).is_(None), col(Ticket.response_due_at) < now),
        and_(active, col(Ticket.resolved_at).is_(None), col(Ticket.resolution_due_at) < now),
    )


def is_breached(ticket: Ticket, target: str, now: datetime) -> bool:
    """The breach flag as shown: stored, or a target unmet past its due time while the ticket is active."""
    if target == "response":
        stored, due, met = ticket.response_breached, ticket.response_due_at, ticket.first_response_at
    else:
        stored, due, met = ticket.resolution_breached, ticket.resolution_due_at, ticket.resolved_at
    if stored:
        return True
    if met is None and ticket.status not in ACTIVE_STATUSES:
        return False  # closed or cancelled without meeting it: the clock stopped
    return sla.breached(due, met, now)


def get_ticket(session: Session, ctx: TenantContext, ticket_id: uuid.UUID | str) -> Ticket:
    return get_in_tenant(session, ctx, Ticket, ticket_id, "ticket")


def _code(ticket_id: uuid.UUID) -> str:
    return "T-" + ticket_id.hex[:8].upper()


def _event_data(ticket: Ticket, **extra: Any) -> dict[str, Any]:
    return to_jsonable(
        {
            "ticket_id": ticket.id,
            "code": ticket.code,
            "title": ticket.title,
            "priority": ticket.priority,
            "status": ticket.status,
            "responsible_org_id": ticket.responsible_org_id,
            **extra,
        }
    )


def _outbox(session: Session, ctx: TenantContext, topic: str, ticket: Ticket, data: dict[str, Any], key: str) -> None:
    """The lifecycle event, in the caller's transaction (the dispatcher sends it after commit)."""
    session.add(
        OutboxEvent(
            tenant_id=ctx.tenant_id,
            topic=topic,
            entity=events.ENTITY,
            entity_id=str(ticket.id),
            payload=data,
            idempotency_key=f"{topic}:{ticket.id}:{key}"[:200],
            created_at=utcnow(),
        )
    )
    session.flush()


def create_ticket(
    session: Session,
    ctx: TenantContext,
    data: TicketCreate,
    *,
    assign_responsible: bool,
    ticket_id: uuid.UUID | None = None,
    opened_at: datetime | None = None,
) -> Ticket:
    """Open a ticket. With `assign_responsible` (the tenant's ENABLE_RESP_ORG_ASSIGNMENT) the
    service policies name the responsible organization and the explanation is stored as
    `policy_provenance`; the agreement and SLA policy of that organization give the due times.
    Every id is checked in this tenant first (422 naming the field); nothing is written on a refusal."""
    at = opened_at or utcnow()
    new_id = ticket_id or uuid.uuid4()
    channel = reference(session, ctx, Channel, data.channel_id, "channel_id", "channel") if data.channel_id else None
    _, product = policies.product_of(session, ctx, data.sku_id)
    responsible: uuid.UUID | None = None
    policy_id: uuid.UUID | None = None
    provenance: dict[str, Any] | None = None
    if assign_responsible:
        answer = policies.resolve_responsibility(
            session, ctx, at=at, dealer_org_id=data.dealer_org_id, sku_id=data.sku_id, region=data.region
        )
        provenance = answer.to_dict()
        responsible = uuid.UUID(answer.org_id) if answer.org_id else None
        policy_id = uuid.UUID(answer.policy_id) if answer.policy_id else None
    elif data.dealer_org_id:
        reference(session, ctx, Organization, data.dealer_org_id, "dealer_org_id", "organization")
    due = agreements.ticket_sla(
        session,
        ctx,
        at=at,
        responsible_org_id=responsible,
        dealer_org_id=data.dealer_org_id,
        manufacturer_org_id=product.manufacturer_org_id if product else None,
        priority=data.priority,
        channel=channel.code if channel else None,
        region=data.region,
    )
    row = Ticket(
        id=new_id,
        tenant_id=ctx.tenant_id,
        code=_code(new_id),
        title=data.title,
        description=data.description,
        priority=data.priority,
        dealer_org_id=data.dealer_org_id,
        sku_id=data.sku_id,
        channel_id=data.channel_id,
        region=data.region,
        required_skills=list(data.required_skills),
        responsible_org_id=responsible,
        policy_id=policy_id,
        policy_provenance=provenance,
        agreement_id=due.agreement_id,
        sla_policy_id=due.sla_policy_id,
        sla_provenance=due.provenance,
        response_due_at=due.response_due_at,
        resolution_due_at=due.resolution_due_at,
        opened_by=ctx.actor_label,
        opened_at=at,
    )
    ticket = create(session, ctx, row, action="ticket.create", message="a ticket with this code exists; try again")
    _outbox(
        session,
        ctx,
        events.CREATED,
        ticket,
        _event_data(
            ticket,
            responsible_org=(provenance or {}).get("responsible_org"),
            policy_id=policy_id,
            response_due_at=ticket.response_due_at,
            resolution_due_at=ticket.resolution_due_at,
        ),
        "created",
    )
    return ticket


def _breach_events(session: Session, ctx: TenantContext, ticket: Ticket, targets: list[str]) -> None:
    for target in targets:
        due = ticket.response_due_at if target == "response" else ticket.resolution_due_at
        data = _event_data(ticket, target=target, due_at=due)
        _outbox(session, ctx, events.SLA_BREACHED, ticket, data, target)


def decide_ticket(
    session: Session,
    ctx: TenantContext,
    ticket_id: uuid.UUID | str,
    action: str,
    reason: str | None,
    expected_status: str | None = None,
) -> Ticket:
    """A status decision (decision path). The first acknowledge/start stamps the first response, a
    resolve the resolution (reopen clears it); each is checked against its due time, and the stamps
    and flags are part of the decision's audit entry and event."""
    ticket = get_ticket(session, ctx, ticket_id)
    lock_for_decision(session, TICKET_MACHINE, ticket, expected_status)
    now = utcnow()
    stamps: dict[str, Any] = {}
    newly: list[str] = []
    if action in RESPONSE_ACTIONS and ticket.first_response_at is None:
        late = sla.breached(ticket.response_due_at, now, now)
        stamps |= {"first_response_at": now, "response_breached": ticket.response_breached or late}
        if late and not ticket.response_breached:
            newly.append("response")
    if action == RESOLVE_ACTION:
        late = sla.breached(ticket.resolution_due_at, now, now)
        stamps |= {"resolved_at": now, "resolution_breached": ticket.resolution_breached or late}
        if late and not ticket.resolution_breached:
            newly.append("resolution")
    if action == "reopen":
        stamps |= {"resolved_at": None}
    decide(
        session,
        ctx,
        TICKET_MACHINE,
        ticket,
        action,
        reason=reason,
        details=to_jsonable({"code": ticket.code, **stamps}),
        expected_status=expected_status,
    )
    # the decision's audit entry and event carry these values (details): one record of the change
    for key, value in stamps.items():
        setattr(ticket, key, value)
    session.add(ticket)
    session.flush()
    _breach_events(session, ctx, ticket, newly)
    return ticket


def eligible_engineers(session: Session, ctx: TenantContext, ticket: Ticket, at: datetime) -> list[eligibility.Ranked]:
    """Every engineer ranked for the ticket: members of its responsible organization, covering its
    region, holding its required skills (engine.service.eligibility)."""
    org_name = None
    if ticket.responsible_org_id:
        org = session.exec(
            select(Organization).where(
                Organization.tenant_id == ctx.tenant_id, Organization.id == ticket.responsible_org_id
            )
        ).first()
        org_name = org.name if org else None
    need = eligibility.Need(
        skills=tuple(ticket.required_skills or ()),
        region=ticket.region,
        org_id=str(ticket.responsible_org_id) if ticket.responsible_org_id else None,
        org_name=org_name,
    )
    return eligibility.rank(need, engineers.engineer_facts(engineers.candidates(session, ctx), at))


def assign(
    session: Session, ctx: TenantContext, ticket_id: uuid.UUID | str, engineer_id: uuid.UUID, note: str | None
) -> Ticket:
    """Assign an eligible engineer (audited `ticket.assign`, event `ticket.assigned`). A ticket
    without a responsible organization, a closed one, or an engineer who is not eligible: 422/409
    naming why; nothing written."""
    ticket = get_ticket(session, ctx, ticket_id)
    session.refresh(ticket, with_for_update=True)
    if ticket.status not in ACTIVE_STATUSES:
        raise ValidationFailed(
            f"a {ticket.status} ticket cannot be assigned", fields={"engineer_id": f"ticket is {ticket.status}"}
        )
    if ticket.responsible_org_id is None:
        raise ValidationFailed(
            "the ticket has no responsible organization, so no engineer is eligible",
            fields={"engineer_id": "no responsible organization"},
        )
    engineer = reference(session, ctx, Engineer, engineer_id, "engineer_id", "engineer")
    ranked = {r.engineer.id: r for r in eligible_engineers(session, ctx, ticket, utcnow())}
    verdict = ranked.get(str(engineer.id))
    if verdict is None or not verdict.eligible:
        why = verdict.summary if verdict else "unknown engineer"
        raise ValidationFailed(f"engineer_id: {engineer.name} is not eligible: {why}", fields={"engineer_id": why})
    previous = ticket.assigned_engineer_id
    if previous == engineer.id:
        return ticket  # already theirs: nothing changes, nothing is written
    now = utcnow()
    changes = {"assigned_engineer_id": engineer.id, "assigned_at": now, "assignment_note": note}
    mutations.update(session, ctx, ticket, changes, action="ticket.assign")
    _outbox(
        session,
        ctx,
        events.ASSIGNED,
        ticket,
        _event_data(ticket, engineer_id=engineer.id, engineer=engineer.name, previous_engineer_id=previous, note=note),
        now.isoformat(),
    )
    return ticket


def mark_breaches(session: Session, ctx: TenantContext, now: datetime) -> int:
    """Set the stored flag of every active ticket whose target is unmet past its due time (audited
    `ticket.sla_breach`, event `ticket.sla_breached` once per target). Returns the targets marked."""
    active = col(Ticket.status).in_(ACTIVE_STATUSES)
    rows = session.exec(
        select(Ticket)
        .where(
            Ticket.tenant_id == ctx.tenant_id,
            active,
            or_(
                and_(
                    col(Ticket.first_response_at).is_(None),
                    col(Ticket.response_due_at) < now,
                    ~col(Ticket.response_breached),
                ),
                and_(
                    col(Ticket.resolved_at).is_(None),
                    col(Ticket.resolution_due_at) < now,
                    ~col(Ticket.resolution_breached),
                ),
            ),
        )
        .order_by(col(Ticket.id))
        .with_for_update(skip_locked=True)
    ).all()
    marked = 0
    for ticket in rows:
        changes: dict[str, Any] = {}
        if (
            ticket.first_response_at is None
            and sla.breached(ticket.response_due_at, None, now)
            and not ticket.response_breached
        ):
            changes["response_breached"] = True
        if (
            ticket.resolved_at is None
            and sla.breached(ticket.resolution_due_at, None, now)
            and not ticket.resolution_breached
        ):
            changes["resolution_breached"] = True
        if not changes:
            continue
        mutations.update(session, ctx, ticket, changes, action="ticket.sla_breach")
        _breach_events(session, ctx, ticket, [k.removesuffix("_breached") for k in changes])
        marked += len(changes)
    return marked
