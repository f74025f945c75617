"""Delivery reads for routes and pages: each checks its permission and owns its transaction."""

from __future__ import annotations

import uuid

from engine.context import TenantContext
from engine.delivery.events import EventType
from engine.delivery.permissions import EMAIL_SETTINGS, WEBHOOKS_READ
from engine.delivery.registry import event_types
from engine.errors import ValidationFailed
from models.core.db import tenant_session
from models.core.pagination import Page
from models.delivery import endpoints
from models.delivery.endpoints import DeliveryView, EndpointView, SenderView
from models.delivery.tables import DELIVERY_STATUSES


def event_type_list(ctx: TenantContext) -> list[EventType]:
    ctx.require(WEBHOOKS_READ)
    return list(event_types().values())


def endpoint_page(ctx: TenantContext, *, limit: int | None = None, cursor: str | None = None) -> Page[EndpointView]:
    ctx.require(WEBHOOKS_READ)
    with tenant_session(ctx) as session:
        return endpoints.endpoint_page(session, ctx, limit=limit, cursor=cursor)


def endpoint_detail(ctx: TenantContext, endpoint_id: uuid.UUID) -> EndpointView:
    ctx.require(WEBHOOKS_READ)
    with tenant_session(ctx) as session:
        row = endpoints.get_endpoint(session, ctx, endpoint_id)
        return endpoints.endpoint_view(row, endpoints.endpoint_counts(session, ctx, [row.id]).get(row.id))


def _status(status: str | None) -> str | None:
    if status is not None and status not in DELIVERY_STATUSES:
        raise ValidationFailed(f"status is one of {', '.join(DELIVERY_STATUSES)}", fields={"status": "unknown status"})
    return status


def delivery_page(
    ctx: TenantContext,
    *,
    endpoint_id: uuid.UUID | None = None,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[DeliveryView]:
    """Deliveries (newest first) with every attempt; `status="dead"` is the dead-letter list."""
    ctx.require(WEBHOOKS_READ)
    with tenant_session(ctx) as session:
        return endpoints.delivery_page(
            session, ctx, endpoint_id=endpoint_id, status=_status(status), limit=limit, cursor=cursor
        )


def delivery_detail(ctx: TenantContext, delivery_id: uuid.UUID) -> DeliveryView:
    ctx.require(WEBHOOKS_READ)
    with tenant_session(ctx) as session:
        return endpoints.delivery_views(session, ctx, [endpoints.get_delivery(session, ctx, delivery_id)])[0]


def sender(ctx: TenantContext) -> SenderView:
    ctx.require(EMAIL_SETTINGS)
    with tenant_session(ctx) as session:
        return endpoints.sender_view(session, ctx)
