"""Enforcement notices to their dealer (models.delivery.routes): by e-mail to the address the
dealer's notice preference names, or on its own webhook endpoint (models/margin/notice_delivery.py).
The webhooks subscribed to `margin.notice.sent` get every notice anyway (the fan-out does that)."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from engine.context import TenantContext
from engine.margin.events import NOTICE_TOPIC
from models.delivery.routes import Destination, EmailContent, EmailTo, EndpointTo, OutboxRow, Route
from models.margin.notice_delivery import preference_of


def _destinations(session: Session, ctx: TenantContext, row: OutboxRow) -> list[Destination]:
    try:
        dealer_id = uuid.UUID(str(row.payload.get("dealer_id")))
    except ValueError:
        return []
    preference = preference_of(session, ctx, dealer_id)
    if preference is None:
        return []
    if preference.channel == "email" and preference.email:
        return [EmailTo(preference.email, str(row.payload.get("subject") or "Notice"))]
    if preference.channel == "webhook" and preference.endpoint_id:
        return [EndpointTo(preference.endpoint_id)]
    return []


def _render(session: Session, ctx: TenantContext, row: OutboxRow) -> EmailContent | None:
    subject, body = row.payload.get("subject"), row.payload.get("body")
    if not subject or not body:
        return None
    return EmailContent(str(subject), str(body))


ROUTES = (Route(NOTICE_TOPIC, _destinations, _render),)
