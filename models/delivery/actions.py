"""Delivery writes for routes and pages: each checks its permission first and owns its transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from engine.context import TenantContext
from engine.delivery.machines import ENDPOINT_MACHINE
from engine.delivery.permissions import EMAIL_SETTINGS, WEBHOOKS_READ, WEBHOOKS_WRITE
from models.core.db import tenant_session
from models.core.decision_actions import DecisionTarget
from models.delivery import endpoints
from models.delivery.endpoints import DeliveryView, EndpointView, SenderView


@dataclass(frozen=True)
class EndpointWithSecret:
    endpoint: EndpointView
    secret: str  # shown once


def create_endpoint(ctx: TenantContext, url: Any, event_types: Any, description: Any = None) -> EndpointWithSecret:
    ctx.require(WEBHOOKS_WRITE)
    with tenant_session(ctx) as session:
        row, secret = endpoints.create_endpoint(session, ctx, url, event_types, description)
        return EndpointWithSecret(endpoints.endpoint_view(row), secret)


def update_endpoint(ctx: TenantContext, endpoint_id: uuid.UUID, changes: dict[str, Any]) -> EndpointView:
    ctx.require(WEBHOOKS_WRITE)
    with tenant_session(ctx) as session:
        row = endpoints.update_endpoint(session, ctx, endpoint_id, changes)
        return endpoints.endpoint_view(row, endpoints.endpoint_counts(session, ctx, [row.id]).get(row.id))


def rotate_secret(ctx: TenantContext, endpoint_id: uuid.UUID) -> EndpointWithSecret:
    ctx.require(WEBHOOKS_WRITE)
    with tenant_session(ctx) as session:
        row, secret = endpoints.rotate_secret(session, ctx, endpoint_id)
        return EndpointWithSecret(endpoints.endpoint_view(row), secret)


def replay(ctx: TenantContext, delivery_id: uuid.UUID) -> DeliveryView:
    ctx.require(WEBHOOKS_WRITE)
    with tenant_session(ctx) as session:
        row = endpoints.replay(session, ctx, delivery_id)
        return endpoints.delivery_views(session, ctx, [row])[0]


def replay_dead(ctx: TenantContext, endpoint_id: uuid.UUID | None = None) -> int:
    ctx.require(WEBHOOKS_WRITE)
    with tenant_session(ctx) as session:
        return endpoints.replay_dead(session, ctx, endpoint_id)


def set_sender(ctx: TenantContext, from_name: Any, from_address: Any, reply_to: Any = None) -> SenderView:
    ctx.require(EMAIL_SETTINGS)
    with tenant_session(ctx) as session:
        return endpoints.set_sender(session, ctx, from_name, from_address, reply_to)


# POST /api/webhook-endpoints/{id}/update {"action": "disable" | "enable"} (the core decision route)
ENDPOINTS = DecisionTarget("webhook-endpoints", ENDPOINT_MACHINE, WEBHOOKS_READ, load=endpoints.get_endpoint)
