"""Outbox rows → deliveries, in one transaction per tenant and batch.

Each outbox row not yet taken over (`delivered_at` null: on the outbox it means "handed to the
dispatcher") becomes one delivery per destination — every enabled endpoint subscribed to its event
type, plus what its topic's route asks for (models.delivery.routes) — and is marked taken over, all in
one commit: a crash before it leaves the row for the next round, a crash after it leaves the
deliveries. Rows are locked `FOR UPDATE SKIP LOCKED`, so two dispatchers never fan out one row, and
the unique (outbox row, destination) refuses a second copy in any case. A topic that is neither an
event type nor a route (internal bookkeeping) is only marked.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.delivery import signing
from engine.delivery.events import body_text, envelope
from engine.delivery.registry import event_type
from models.core.base import utcnow
from models.core.bulk import insert_rows, table_of
from models.core.tables import OutboxEvent
from models.delivery.routes import EmailTo, EndpointTo, OutboxRow, route_for
from models.delivery.tables import DeliveryMessage, WebhookEndpoint


def message_id_of(outbox_id: uuid.UUID) -> str:
    """The stable `webhook-id` of an outbox row: the same for every destination, attempt and replay."""
    return f"{signing.MESSAGE_ID_PREFIX}{outbox_id.hex}"


def _data(row: OutboxEvent) -> dict[str, Any]:
    data = dict(row.payload or {})
    data.setdefault("entity", row.entity)
    data.setdefault("entity_id", row.entity_id)
    return data


def fan_out(session: Session, ctx: TenantContext, limit: int) -> int:
    """Turn up to `limit` waiting outbox rows of this tenant into deliveries; returns how many rows."""
    rows = session.exec(
        select(OutboxEvent)
        .where(OutboxEvent.tenant_id == ctx.tenant_id, col(OutboxEvent.delivered_at).is_(None))
        .order_by(col(OutboxEvent.created_at), col(OutboxEvent.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return 0
    endpoints = session.exec(
        select(WebhookEndpoint).where(WebhookEndpoint.tenant_id == ctx.tenant_id, WebhookEndpoint.status == "enabled")
    ).all()
    now = utcnow()
    messages: list[dict[str, Any]] = []
    for row in rows:
        messages += _messages_of(session, ctx, row, endpoints, now)
    # one JSON parameter (models.core.bulk): a multi-VALUES insert of a batch spent most of the
    # fan-out compiling its ~15 bind parameters per row (docs/benchmarks.md, "Webhook delivery")
    insert_rows(
        session, table_of(DeliveryMessage), messages, on_conflict_do_nothing=["tenant_id", "outbox_id", "destination"]
    )
    session.execute(
        text("update outbox_events set delivered_at = :now where tenant_id = :t and id = any(cast(:ids as uuid[]))"),
        {"now": now, "t": ctx.tenant_id, "ids": [r.id for r in rows]},
    )
    return len(rows)


def _messages_of(
    session: Session, ctx: TenantContext, row: OutboxEvent, endpoints: Any, now: Any
) -> list[dict[str, Any]]:
    event = event_type(row.topic)
    route = route_for(row.topic)
    base = {
        "tenant_id": ctx.tenant_id,
        "outbox_id": row.id,
        "message_id": message_id_of(row.id),
        "event_type": row.topic,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "status": "pending",
        "attempt_count": 0,
        "next_attempt_at": now,
        "replays": 0,
        "created_at": now,
    }
    targets: dict[uuid.UUID, None] = {}
    if event is not None:
        for endpoint in endpoints:
            if not endpoint.event_types or event.name in endpoint.event_types:
                targets[endpoint.id] = None
    emails: list[EmailTo] = []
    if route is not None:
        view = OutboxRow(row.id, row.topic, row.entity, row.entity_id, dict(row.payload or {}))
        for destination in route.destinations(session, ctx, view):
            if isinstance(destination, EndpointTo):
                targets[destination.endpoint_id] = None
            else:
                emails.append(destination)
    found: list[dict[str, Any]] = []
    if targets and event is not None:
        body = body_text(envelope(event, row.created_at, _data(row)))
        for endpoint_id in targets:
            found.append(
                {
                    **base,
                    "id": uuid.uuid4(),
                    "channel": "webhook",
                    "destination": f"endpoint:{endpoint_id}",
                    "endpoint_id": endpoint_id,
                    "email_to": None,
                    "subject": None,
                    "body": body,
                }
            )
    for email in emails:
        found.append(
            {
                **base,
                "id": uuid.uuid4(),
                "channel": "email",
                "destination": f"email:{email.address.lower()}"[:400],
                "endpoint_id": None,
                "email_to": email.address,
                "subject": email.subject[:300],
                "body": None,
            }
        )
    return found
