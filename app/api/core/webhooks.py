"""Webhook endpoints, their deliveries and replays (`/api/webhooks/...`), and the tenant's e-mail
sender (`/api/settings/email-sender`), for owners and admins (`core.webhooks.read|write`,
`core.settings.manage`). Routes shape what models.delivery's queries and actions return; a secret is
in an answer only when it is made (create, rotate). docs/delivery.md.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from app.api.deps import Cursor, Limit, require
from engine.context import TenantContext
from engine.delivery.permissions import WEBHOOKS_READ, WEBHOOKS_WRITE
from engine.text import TextInput
from models.core.decision_actions import take_decision
from models.delivery import actions, queries
from models.delivery.endpoints import DeliveryView, EndpointView

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])
READ = Depends(require(WEBHOOKS_READ))
WRITE = Depends(require(WEBHOOKS_WRITE))
EventName = Field(min_length=3, max_length=100)


class EventTypeOut(BaseModel):
    name: str
    version: int
    summary: str
    data_schema: dict[str, Any] = Field(description="the JSON schema of the envelope's `data`")


class EndpointOut(BaseModel):
    id: uuid.UUID
    url: str
    description: str
    event_types: list[str] = Field(description="the event types it receives; empty: every one")
    status: str = Field(description="enabled or disabled")
    status_note: str = Field(description="why the dispatcher disabled it (a 410), if it did")
    rotating_until: datetime | None = Field(description="the previous secret also signs until then")
    created_at: datetime
    pending: int
    delivered: int
    dead: int

    @classmethod
    def of(cls, view: EndpointView) -> EndpointOut:
        return cls.model_validate(view, from_attributes=True)


class EndpointsPage(BaseModel):
    items: list[EndpointOut]
    next_cursor: str | None


class EndpointCreated(BaseModel):
    id: uuid.UUID
    secret: str = Field(description="whsec_…: shown once, never again (rotate to get a new one)")
    endpoint: EndpointOut


class EndpointIn(TextInput):
    url: str = Field(min_length=8, max_length=2000, description="https://… (the receiver)")
    event_types: list[str] = Field(default=[], max_length=200, description="empty: every event type")
    description: str = Field(default="", max_length=200)


class EndpointPatch(TextInput):
    url: str | None = Field(default=None, min_length=8, max_length=2000)
    event_types: list[str] | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=200)


class ReasonIn(TextInput):
    reason: str | None = Field(default=None, max_length=1000)


class AttemptOut(BaseModel):
    number: int
    at: datetime
    latency_ms: int
    status_code: int | None = Field(description="the HTTP (or SMTP) status; null when nothing answered")
    outcome: str
    error: str | None
    response_body: str = Field(description="the first 1,024 bytes of the answer")


class DeliveryOut(BaseModel):
    id: uuid.UUID
    message_id: str = Field(description="the webhook-id: the same for every attempt and replay")
    channel: Literal["webhook", "email"]
    endpoint_id: uuid.UUID | None
    email_to: str | None
    subject: str | None
    event_type: str
    entity: str
    entity_id: str
    status: Literal["pending", "delivered", "dead"]
    attempt_count: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    replays: int
    created_at: datetime
    first_attempt_at: datetime | None
    delivered_at: datetime | None
    dead_at: datetime | None
    attempts: list[AttemptOut]

    @classmethod
    def of(cls, view: DeliveryView) -> DeliveryOut:
        return cls.model_validate(view, from_attributes=True)


class DeliveriesPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None


class ReplayAllIn(BaseModel):
    endpoint_id: uuid.UUID | None = Field(default=None, description="only this endpoint's dead letters")


class Replayed(BaseModel):
    replayed: int


StatusFilter = Literal["pending", "delivered", "dead"]


@router.get("/event-types", response_model=list[EventTypeOut])
def event_types(ctx: TenantContext = READ) -> list[EventTypeOut]:
    return [
        EventTypeOut(name=e.name, version=e.version, summary=e.summary, data_schema=e.schema)
        for e in queries.event_type_list(ctx)
    ]


@router.post("/endpoints", status_code=201, response_model=EndpointCreated)
def create_endpoint(body: EndpointIn, ctx: TenantContext = WRITE) -> EndpointCreated:
    made = actions.create_endpoint(ctx, body.url, body.event_types, body.description)
    return EndpointCreated(id=made.endpoint.id, secret=made.secret, endpoint=EndpointOut.of(made.endpoint))


@router.get("/endpoints", response_model=EndpointsPage)
def list_endpoints(limit: Limit = 50, cursor: Cursor = None, ctx: TenantContext = READ) -> EndpointsPage:
    page = queries.endpoint_page(ctx, limit=limit, cursor=cursor)
    return EndpointsPage(items=[EndpointOut.of(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/endpoints/{endpoint_id}", response_model=EndpointOut)
def get_endpoint(endpoint_id: uuid.UUID, ctx: TenantContext = READ) -> EndpointOut:
    return EndpointOut.of(queries.endpoint_detail(ctx, endpoint_id))


@router.patch("/endpoints/{endpoint_id}", response_model=EndpointOut)
def update_endpoint(endpoint_id: uuid.UUID, body: EndpointPatch, ctx: TenantContext = WRITE) -> EndpointOut:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return EndpointOut.of(actions.update_endpoint(ctx, endpoint_id, changes))


@router.post("/endpoints/{endpoint_id}/rotate", response_model=EndpointCreated)
def rotate(endpoint_id: uuid.UUID, ctx: TenantContext = WRITE) -> EndpointCreated:
    made = actions.rotate_secret(ctx, endpoint_id)
    return EndpointCreated(id=made.endpoint.id, secret=made.secret, endpoint=EndpointOut.of(made.endpoint))


@router.post("/endpoints/{endpoint_id}/disable", response_model=EndpointOut)
def disable(endpoint_id: uuid.UUID, body: ReasonIn, ctx: TenantContext = WRITE) -> EndpointOut:
    take_decision(ctx, actions.ENDPOINTS, endpoint_id, "disable", body.reason)
    return EndpointOut.of(queries.endpoint_detail(ctx, endpoint_id))


@router.post("/endpoints/{endpoint_id}/enable", response_model=EndpointOut)
def enable(endpoint_id: uuid.UUID, body: ReasonIn, ctx: TenantContext = WRITE) -> EndpointOut:
    take_decision(ctx, actions.ENDPOINTS, endpoint_id, "enable", body.reason)
    return EndpointOut.of(queries.endpoint_detail(ctx, endpoint_id))


@router.get("/endpoints/{endpoint_id}/deliveries", response_model=DeliveriesPage)
def endpoint_deliveries(
    endpoint_id: uuid.UUID,
    status: StatusFilter | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    ctx: TenantContext = READ,
) -> DeliveriesPage:
    page = queries.delivery_page(ctx, endpoint_id=endpoint_id, status=status, limit=limit, cursor=cursor)
    return DeliveriesPage(items=[DeliveryOut.of(d) for d in page.items], next_cursor=page.next_cursor)


@router.get("/deliveries", response_model=DeliveriesPage)
def deliveries(
    status: StatusFilter | None = None, limit: Limit = 50, cursor: Cursor = None, ctx: TenantContext = READ
) -> DeliveriesPage:
    """Every delivery (webhooks and e-mail), newest first; `status=dead` is the dead-letter list."""
    page = queries.delivery_page(ctx, status=status, limit=limit, cursor=cursor)
    return DeliveriesPage(items=[DeliveryOut.of(d) for d in page.items], next_cursor=page.next_cursor)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryOut)
def delivery(delivery_id: uuid.UUID, ctx: TenantContext = READ) -> DeliveryOut:
    return DeliveryOut.of(queries.delivery_detail(ctx, delivery_id))


@router.post("/deliveries/{delivery_id}/replay", response_model=DeliveryOut)
def replay(delivery_id: uuid.UUID, ctx: TenantContext = WRITE) -> DeliveryOut:
    return DeliveryOut.of(actions.replay(ctx, delivery_id))


@router.post("/dead-letters/replay", response_model=Replayed)
def replay_dead(body: ReplayAllIn, ctx: TenantContext = WRITE) -> Replayed:
    return Replayed(replayed=actions.replay_dead(ctx, body.endpoint_id))
