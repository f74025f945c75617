"""How a dealer receives its enforcement notices: by e-mail, on its own webhook endpoint, or only
through the webhooks subscribed to `margin.notice.sent` (no preference). Repositories taking
(session, ctx); every change audited (`margin_notice_preference.set|clear`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.catalog.tables import Organization
from models.core import audit
from models.core.base import utcnow
from models.core.identity import validate_email
from models.core.repo import get_in_tenant
from models.delivery.endpoints import get_endpoint
from models.delivery.tables import WebhookEndpoint
from models.margin.tables import NOTICE_CHANNELS, MarginNoticePreference

CHANNEL_CHOICES = ("none", *NOTICE_CHANNELS)


@dataclass(frozen=True)
class NoticePreferenceView:
    dealer_id: uuid.UUID
    channel: str  # none | email | webhook
    email: str | None
    endpoint_id: uuid.UUID | None
    updated_at: datetime | None


def preference_of(session: Session, ctx: TenantContext, dealer_id: uuid.UUID) -> MarginNoticePreference | None:
    return session.exec(
        select(MarginNoticePreference).where(
            MarginNoticePreference.tenant_id == ctx.tenant_id, MarginNoticePreference.dealer_id == dealer_id
        )
    ).first()


def preference_view(session: Session, ctx: TenantContext, dealer_id: uuid.UUID) -> NoticePreferenceView:
    get_in_tenant(session, ctx, Organization, dealer_id, "dealer")
    row = preference_of(session, ctx, dealer_id)
    if row is None:
        return NoticePreferenceView(dealer_id, "none", None, None, None)
    return NoticePreferenceView(dealer_id, row.channel, row.email, row.endpoint_id, row.updated_at)


@dataclass(frozen=True)
class DealerNoticeDelivery:
    """One dealer's preference as the preferences page lists it (`endpoint_url` names the endpoint)."""

    dealer_id: uuid.UUID
    code: str
    name: str
    channel: str  # none | email | webhook
    email: str | None
    endpoint_id: uuid.UUID | None
    endpoint_url: str | None
    updated_at: datetime | None


@dataclass(frozen=True)
class EndpointChoice:
    id: uuid.UUID
    url: str
    description: str
    status: str  # enabled | disabled (a disabled endpoint may be named; nothing is sent to it meanwhile)


def dealer_preferences(session: Session, ctx: TenantContext) -> list[DealerNoticeDelivery]:
    """Every dealer of the tenant by name, with its preference (`none` when it has none)."""
    found = session.exec(
        select(Organization, MarginNoticePreference, WebhookEndpoint.url)
        .join(
            MarginNoticePreference,
            (col(MarginNoticePreference.tenant_id) == col(Organization.tenant_id))
            & (col(MarginNoticePreference.dealer_id) == col(Organization.id)),
            isouter=True,
        )
        .join(
            WebhookEndpoint,
            (col(WebhookEndpoint.tenant_id) == col(Organization.tenant_id))
            & (col(WebhookEndpoint.id) == col(MarginNoticePreference.endpoint_id)),
            isouter=True,
        )
        .where(Organization.tenant_id == ctx.tenant_id, Organization.type == "dealer")
        .order_by(col(Organization.name), col(Organization.id))
    ).all()
    return [
        DealerNoticeDelivery(
            o.id,
            o.code,
            o.name,
            p.channel if p else "none",
            p.email if p else None,
            p.endpoint_id if p else None,
            url,
            p.updated_at if p else None,
        )
        for o, p, url in found
    ]


def endpoint_choices(session: Session, ctx: TenantContext) -> list[EndpointChoice]:
    """The tenant's webhook endpoints a dealer's notices may go to, oldest first."""
    rows = session.exec(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.tenant_id == ctx.tenant_id)
        .order_by(col(WebhookEndpoint.created_at), col(WebhookEndpoint.id))
    ).all()
    return [EndpointChoice(e.id, e.url, e.description, e.status) for e in rows]


def set_preference(
    session: Session,
    ctx: TenantContext,
    dealer_id: uuid.UUID,
    channel: str,
    email: str | None = None,
    endpoint_id: uuid.UUID | None = None,
) -> NoticePreferenceView:
    """`none` clears it; `email` needs an address, `webhook` one of this tenant's endpoints."""
    get_in_tenant(session, ctx, Organization, dealer_id, "dealer")
    if channel not in CHANNEL_CHOICES:
        raise ValidationFailed(f"channel is one of {', '.join(CHANNEL_CHOICES)}", fields={"channel": "unknown"})
    row = preference_of(session, ctx, dealer_id)
    before = {"channel": row.channel, "email": row.email, "endpoint_id": row.endpoint_id} if row else None
    if channel == "none":
        if row is not None:
            session.delete(row)
            session.flush()
            audit.record(
                session,
                ctx,
                action="margin_notice_preference.clear",
                entity="organization",
                entity_id=dealer_id,
                before=before,
            )
        return preference_view(session, ctx, dealer_id)
    if channel == "email":
        if not email:
            raise ValidationFailed("give the dealer's e-mail address", fields={"email": "required"})
        try:
            email, endpoint_id = validate_email(email), None
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, fields={"email": "invalid e-mail"}) from None
    else:
        if endpoint_id is None:
            raise ValidationFailed("choose one of the webhook endpoints", fields={"endpoint_id": "required"})
        get_endpoint(session, ctx, endpoint_id)
        email = None
    if row is None:
        row = MarginNoticePreference(tenant_id=ctx.tenant_id, dealer_id=dealer_id, channel=channel)
    row.channel, row.email, row.endpoint_id, row.updated_at = channel, email, endpoint_id, utcnow()
    session.add(row)
    session.flush()
    audit.record(
        session,
        ctx,
        action="margin_notice_preference.set",
        entity="organization",
        entity_id=dealer_id,
        before=before,
        after={"channel": channel, "email": email, "endpoint_id": endpoint_id},
    )
    return preference_view(session, ctx, dealer_id)
