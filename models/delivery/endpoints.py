"""Webhook endpoints, deliveries and the e-mail sender as repositories taking (session, ctx).

Every change is audited (`webhook_endpoint.create|update|rotate`, `delivery.replay`,
`email_sender.update`); an endpoint's status changes only through the decision path
(ENDPOINT_MACHINE). Secrets are sealed (models.delivery.secret_box) and returned only by `create`
and `rotate`, once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.delivery import signing
from engine.delivery.addresses import clean_url
from engine.delivery.registry import clean_event_types
from engine.errors import NotFound, ValidationFailed
from models.core import audit
from models.core.base import utcnow
from models.core.identity import validate_email
from models.core.pagination import Page, keyset_page, parse_instant
from models.core.settings import delivery_settings
from models.delivery import secret_box
from models.delivery.tables import DeliveryAttempt, DeliveryMessage, EmailSender, WebhookEndpoint

ROTATION_OVERLAP = timedelta(hours=24)
DESCRIPTION_MAX = 200


def _context(endpoint_id: uuid.UUID, tenant_id: uuid.UUID, which: str) -> str:
    return f"webhook_endpoint:{tenant_id}:{endpoint_id}:{which}"


def endpoint_secrets(endpoint: WebhookEndpoint, now: datetime | None = None) -> list[str]:
    """The secrets in force: the current one, and the previous one during a rotation's overlap."""
    found = [secret_box.open_sealed(endpoint.secret, _context(endpoint.id, endpoint.tenant_id, "secret"))]
    if endpoint.previous_secret and endpoint.previous_until and endpoint.previous_until > (now or utcnow()):
        found.append(
            secret_box.open_sealed(endpoint.previous_secret, _context(endpoint.id, endpoint.tenant_id, "previous"))
        )
    return found


@dataclass(frozen=True)
class EndpointView:
    id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    status: str
    status_note: str
    rotating_until: datetime | None  # the previous secret still signs until then
    created_at: datetime
    pending: int = 0
    delivered: int = 0
    dead: int = 0


def endpoint_view(row: WebhookEndpoint, counts: dict[str, int] | None = None) -> EndpointView:
    counts = counts or {}
    rotating = (
        row.previous_until if row.previous_secret and row.previous_until and row.previous_until > utcnow() else None
    )
    return EndpointView(
        id=row.id,
        url=row.url,
        description=row.description,
        event_types=list(row.event_types or []),
        status=row.status,
        status_note=row.status_note,
        rotating_until=rotating,
        created_at=row.created_at,
        pending=counts.get("pending", 0),
        delivered=counts.get("delivered", 0),
        dead=counts.get("dead", 0),
    )


def _clean_description(raw: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str) or len(raw.strip()) > DESCRIPTION_MAX:
        raise ValidationFailed(
            f"the description is text of at most {DESCRIPTION_MAX} characters", fields={"description": "too long"}
        )
    return raw.strip()


def create_endpoint(
    session: Session, ctx: TenantContext, url: object, event_types: object, description: object = None
) -> tuple[WebhookEndpoint, str]:
    """A new enabled endpoint and its secret (return it once; only its sealed form is stored)."""
    clean = clean_url(url, allow_private=delivery_settings().allow_private)
    types = clean_event_types(event_types)
    about = _clean_description(description)
    secret = signing.new_secret()
    row = WebhookEndpoint(
        tenant_id=ctx.tenant_id, url=clean, description=about, event_types=types, secret="", created_by=ctx.user_id
    )
    row.secret = secret_box.seal(secret, _context(row.id, ctx.tenant_id, "secret"))
    session.add(row)
    session.flush()
    audit.record(
        session,
        ctx,
        action="webhook_endpoint.create",
        entity="webhook_endpoint",
        entity_id=row.id,
        after={"url": clean, "event_types": types, "description": about},
    )
    return row, secret


def get_endpoint(session: Session, ctx: TenantContext, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    row = session.exec(
        select(WebhookEndpoint).where(WebhookEndpoint.tenant_id == ctx.tenant_id, WebhookEndpoint.id == endpoint_id)
    ).first()
    if row is None:
        raise NotFound("webhook endpoint not found")
    return row


def update_endpoint(
    session: Session, ctx: TenantContext, endpoint_id: uuid.UUID, changes: dict[str, Any]
) -> WebhookEndpoint:
    """Change the URL, the event-type filter or the description (audited, before and after)."""
    row = get_endpoint(session, ctx, endpoint_id)
    before = {"url": row.url, "event_types": list(row.event_types or []), "description": row.description}
    if "url" in changes:
        row.url = clean_url(changes["url"], allow_private=delivery_settings().allow_private)
    if "event_types" in changes:
        row.event_types = clean_event_types(changes["event_types"])
    if "description" in changes:
        row.description = _clean_description(changes["description"])
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    after = {"url": row.url, "event_types": list(row.event_types or []), "description": row.description}
    audit.record(
        session,
        ctx,
        action="webhook_endpoint.update",
        entity="webhook_endpoint",
        entity_id=row.id,
        before=before,
        after=after,
    )
    return row


def rotate_secret(
    session: Session, ctx: TenantContext, endpoint_id: uuid.UUID, overlap: timedelta = ROTATION_OVERLAP
) -> tuple[WebhookEndpoint, str]:
    """A new secret signs from now on; the one it replaces keeps signing too for `overlap`, so the
    receiver can switch without missing a message. Returns the new secret (shown once)."""
    row = get_endpoint(session, ctx, endpoint_id)
    session.refresh(row, with_for_update=True)
    current = secret_box.open_sealed(row.secret, _context(row.id, row.tenant_id, "secret"))
    secret = signing.new_secret()
    until = utcnow() + overlap
    row.previous_secret = secret_box.seal(current, _context(row.id, row.tenant_id, "previous"))
    row.previous_until = until
    row.secret = secret_box.seal(secret, _context(row.id, row.tenant_id, "secret"))
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(
        session,
        ctx,
        action="webhook_endpoint.rotate",
        entity="webhook_endpoint",
        entity_id=row.id,
        after={"previous_signs_until": until},
    )
    return row, secret


def endpoint_counts(session: Session, ctx: TenantContext, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    found: dict[uuid.UUID, dict[str, int]] = {}
    if not ids:
        return found
    rows = session.exec(
        select(DeliveryMessage.endpoint_id, DeliveryMessage.status, func.count())
        .where(DeliveryMessage.tenant_id == ctx.tenant_id, col(DeliveryMessage.endpoint_id).in_(ids))
        .group_by(col(DeliveryMessage.endpoint_id), col(DeliveryMessage.status))
    ).all()
    for endpoint_id, status, count in rows:
        if endpoint_id is not None:
            found.setdefault(endpoint_id, {})[status] = int(count)
    return found


def endpoint_page(session: Session, ctx: TenantContext, *, limit: int | None, cursor: str | None) -> Page[EndpointView]:
    """Newest first, with each endpoint's deliveries counted by status."""
    page = keyset_page(
        session,
        select(WebhookEndpoint).where(WebhookEndpoint.tenant_id == ctx.tenant_id),
        col(WebhookEndpoint.created_at),
        col(WebhookEndpoint.id),
        limit=limit,
        cursor=cursor,
        descending=True,
        parse=parse_instant,
    )
    counts = endpoint_counts(session, ctx, [e.id for e in page.items])
    return Page([endpoint_view(e, counts.get(e.id)) for e in page.items], page.next_cursor)


@dataclass(frozen=True)
class AttemptView:
    number: int
    at: datetime
    latency_ms: int
    status_code: int | None
    outcome: str
    error: str | None
    response_body: str


@dataclass(frozen=True)
class DeliveryView:
    id: uuid.UUID
    message_id: str
    channel: str
    endpoint_id: uuid.UUID | None
    email_to: str | None
    subject: str | None
    event_type: str
    entity: str
    entity_id: str
    status: str
    attempt_count: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    replays: int
    created_at: datetime
    first_attempt_at: datetime | None
    delivered_at: datetime | None
    dead_at: datetime | None
    attempts: list[AttemptView]


def _attempts(session: Session, ctx: TenantContext, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[AttemptView]]:
    found: dict[uuid.UUID, list[AttemptView]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.exec(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.tenant_id == ctx.tenant_id, col(DeliveryAttempt.message_ref).in_(ids))
        .order_by(col(DeliveryAttempt.at), col(DeliveryAttempt.id))
    ).all()
    for a in rows:
        found[a.message_ref].append(
            AttemptView(a.number, a.at, a.latency_ms, a.status_code, a.outcome, a.error, a.response_body)
        )
    return found


def delivery_views(session: Session, ctx: TenantContext, rows: list[DeliveryMessage]) -> list[DeliveryView]:
    attempts = _attempts(session, ctx, [r.id for r in rows])
    return [
        DeliveryView(
            id=r.id,
            message_id=r.message_id,
            channel=r.channel,
            endpoint_id=r.endpoint_id,
            email_to=r.email_to,
            subject=r.subject,
            event_type=r.event_type,
            entity=r.entity,
            entity_id=r.entity_id,
            status=r.status,
            attempt_count=r.attempt_count,
            next_attempt_at=r.next_attempt_at if r.status == "pending" else None,
            last_status=r.last_status,
            last_error=r.last_error,
            replays=r.replays,
            created_at=r.created_at,
            first_attempt_at=r.first_attempt_at,
            delivered_at=r.delivered_at,
            dead_at=r.dead_at,
            attempts=attempts[r.id],
        )
        for r in rows
    ]


def delivery_page(
    session: Session,
    ctx: TenantContext,
    *,
    endpoint_id: uuid.UUID | None = None,
    status: str | None = None,
    limit: int | None,
    cursor: str | None,
) -> Page[DeliveryView]:
    """Deliveries newest first, with their attempts; of one endpoint and/or one status."""
    query = select(DeliveryMessage).where(DeliveryMessage.tenant_id == ctx.tenant_id)
    if endpoint_id is not None:
        get_endpoint(session, ctx, endpoint_id)
        query = query.where(DeliveryMessage.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(DeliveryMessage.status == status)
    page = keyset_page(
        session,
        query,
        col(DeliveryMessage.created_at),
        col(DeliveryMessage.id),
        limit=limit,
        cursor=cursor,
        descending=True,
        parse=parse_instant,
    )
    return Page(delivery_views(session, ctx, list(page.items)), page.next_cursor)


def deliveries_of(
    session: Session, ctx: TenantContext, entity: str, entity_ids: list[str]
) -> dict[str, list[DeliveryView]]:
    """The deliveries of these entities (e.g. a module's notices), oldest first per entity."""
    found: dict[str, list[DeliveryView]] = {i: [] for i in entity_ids}
    if not entity_ids:
        return found
    rows = session.exec(
        select(DeliveryMessage)
        .where(
            DeliveryMessage.tenant_id == ctx.tenant_id,
            DeliveryMessage.entity == entity,
            col(DeliveryMessage.entity_id).in_(entity_ids),
        )
        .order_by(col(DeliveryMessage.created_at), col(DeliveryMessage.id))
    ).all()
    for view in delivery_views(session, ctx, list(rows)):
        found.setdefault(view.entity_id, []).append(view)
    return found


def get_delivery(session: Session, ctx: TenantContext, delivery_id: uuid.UUID) -> DeliveryMessage:
    row = session.exec(
        select(DeliveryMessage).where(DeliveryMessage.tenant_id == ctx.tenant_id, DeliveryMessage.id == delivery_id)
    ).first()
    if row is None:
        raise NotFound("delivery not found")
    return row


REPLAY = text(
    """
    update delivery_messages set status = 'pending', attempt_count = 0, next_attempt_at = now(),
           lease_until = null, lease_owner = null, dead_at = null, replays = replays + 1
     where tenant_id = :t and id = any(cast(:ids as uuid[])) and status in ('dead', 'delivered')
    returning id
    """
)


def replay(session: Session, ctx: TenantContext, delivery_id: uuid.UUID) -> DeliveryMessage:
    """Send a dead (or delivered) delivery again from the start of the schedule, with the same
    webhook-id and body; its earlier attempts stay in its log."""
    row = get_delivery(session, ctx, delivery_id)
    if row.status == "pending":
        raise ValidationFailed("this delivery is still being tried; it can be replayed once it is dead or delivered")
    session.execute(REPLAY, {"t": ctx.tenant_id, "ids": [row.id]})
    audit.record(
        session,
        ctx,
        action="delivery.replay",
        entity="delivery",
        entity_id=row.id,
        before={"status": row.status},
        after={"status": "pending", "message_id": row.message_id},
    )
    session.refresh(row)
    return row


def replay_dead(session: Session, ctx: TenantContext, endpoint_id: uuid.UUID | None) -> int:
    """Replay every dead delivery (of one endpoint, or all); one audit event with how many."""
    query = select(DeliveryMessage.id).where(
        DeliveryMessage.tenant_id == ctx.tenant_id, DeliveryMessage.status == "dead"
    )
    if endpoint_id is not None:
        get_endpoint(session, ctx, endpoint_id)
        query = query.where(DeliveryMessage.endpoint_id == endpoint_id)
    ids = list(session.exec(query.with_for_update()).all())
    if not ids:
        return 0
    replayed = session.execute(REPLAY, {"t": ctx.tenant_id, "ids": ids}).all()
    audit.record(
        session,
        ctx,
        action="delivery.replay_dead",
        entity="webhook_endpoint" if endpoint_id else "delivery",
        entity_id=endpoint_id or ctx.tenant_id,
        after={"replayed": len(replayed)},
    )
    return len(replayed)


@dataclass(frozen=True)
class SenderView:
    from_name: str
    from_address: str
    reply_to: str
    # what is used when a field is empty (the environment's PHAROS_SMTP_FROM_NAME / _FROM)
    default_name: str
    default_address: str
    smtp_configured: bool


def sender_view(session: Session, ctx: TenantContext) -> SenderView:
    row = session.exec(select(EmailSender).where(EmailSender.tenant_id == ctx.tenant_id)).first()
    smtp = delivery_settings().smtp
    return SenderView(
        from_name=row.from_name if row else "",
        from_address=row.from_address if row else "",
        reply_to=row.reply_to if row else "",
        default_name=smtp.from_name,
        default_address=smtp.from_address,
        smtp_configured=bool(smtp.host),
    )


def sender_of(session: Session, ctx: TenantContext) -> tuple[str, str, str]:
    """(from name, from address, reply-to) e-mail goes out with: the tenant's, else the environment's."""
    view = sender_view(session, ctx)
    return (view.from_name or view.default_name, view.from_address or view.default_address, view.reply_to)


def _optional_email(raw: object, field: str) -> str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ""
    if not isinstance(raw, str):
        raise ValidationFailed(f"{field} is an e-mail address", fields={field: "invalid e-mail"})
    try:
        return validate_email(raw)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, fields={field: "invalid e-mail"}) from None


def set_sender(
    session: Session, ctx: TenantContext, from_name: object, from_address: object, reply_to: object
) -> SenderView:
    """The tenant's sender (empty fields fall back to the environment's); audited."""
    if from_name is not None and (not isinstance(from_name, str) or len(from_name.strip()) > 200 or "\n" in from_name):
        raise ValidationFailed("the sender name is one line of at most 200 characters", fields={"from_name": "invalid"})
    name = (from_name or "").strip()
    address = _optional_email(from_address, "from_address")
    reply = _optional_email(reply_to, "reply_to")
    row = session.exec(select(EmailSender).where(EmailSender.tenant_id == ctx.tenant_id).with_for_update()).first()
    before = {"from_name": row.from_name, "from_address": row.from_address, "reply_to": row.reply_to} if row else None
    if row is None:
        row = EmailSender(tenant_id=ctx.tenant_id)
    row.from_name, row.from_address, row.reply_to, row.updated_at = name, address, reply, utcnow()
    session.add(row)
    session.flush()
    audit.record(
        session,
        ctx,
        action="email_sender.update",
        entity="email_sender",
        entity_id=row.id,
        before=before,
        after={"from_name": name, "from_address": address, "reply_to": reply},
    )
    return sender_view(session, ctx)


def endpoint_urls(session: Session, ctx: TenantContext, ids: set[uuid.UUID | None]) -> dict[uuid.UUID | None, str]:
    """Endpoint id → URL (for logs that name where a delivery went)."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.exec(
        select(WebhookEndpoint.id, WebhookEndpoint.url).where(
            WebhookEndpoint.tenant_id == ctx.tenant_id, col(WebhookEndpoint.id).in_(wanted)
        )
    ).all()
    return {i: u for i, u in rows}
