"""Delivery tables: webhook endpoints, deliveries (one per outbox row and destination), their
attempts, and the tenant's e-mail sender.

A delivery's `status` is `pending` (waiting for its next attempt at `next_attempt_at`), `delivered`
or `dead` (the dead-letter list: every attempt failed, or the answer was final); the dispatcher moves
it, like the job path moves job items: coordination, not a decision (docs/delivery.md says why). An
endpoint's status (enabled / disabled) goes through the decision path (ENDPOINT_MACHINE).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import CheckConstraint, Column, Index, Integer, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from engine.delivery.machines import ENDPOINT_MACHINE
from models.core.base import id_field, json_field, ref_field, sql_in, tenant_field, tenant_fk, tenant_key, ts_field

DELIVERY_STATUSES = ("pending", "delivered", "dead")
CHANNELS = ("webhook", "email")


class WebhookEndpoint(SQLModel, table=True):
    """A receiver URL and the event types it wants (empty: all). `secret` (and, during a rotation's
    overlap, `previous_secret` until `previous_until`) are encrypted at rest (models.delivery.secret_box);
    no read model returns them: the secret is shown once, when it is made."""

    __tablename__: ClassVar[str] = "webhook_endpoints"
    __table_args__ = (
        tenant_key("webhook_endpoints"),
        CheckConstraint(sql_in("status", ENDPOINT_MACHINE.statuses), name="ck_webhook_endpoints_status"),
        Index("ix_webhook_endpoints_tenant_created", "tenant_id", "created_at", "id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=200)
    event_types: list[str] = json_field([])
    status: str = Field(default="enabled", max_length=20)
    status_note: str = Field(default="", max_length=500)
    secret: str = Field(sa_column=Column(Text, nullable=False))
    previous_secret: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    previous_until: datetime | None = ts_field(nullable=True, default_now=False)
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class DeliveryMessage(SQLModel, table=True):
    """One outbox row for one destination (an endpoint, or an e-mail address). `message_id` is the
    stable `webhook-id` (the same for every attempt and replay); `body` the exact JSON signed and
    sent (webhooks). An e-mail's body is rendered when it is sent (it may hold a one-time link, which
    is never stored)."""

    __tablename__: ClassVar[str] = "delivery_messages"
    __table_args__ = (
        tenant_key("delivery_messages"),
        tenant_fk(["endpoint_id"], "webhook_endpoints"),
        UniqueConstraint("tenant_id", "outbox_id", "destination", name="uq_delivery_messages_destination"),
        CheckConstraint(sql_in("status", DELIVERY_STATUSES), name="ck_delivery_messages_status"),
        CheckConstraint(sql_in("channel", CHANNELS), name="ck_delivery_messages_channel"),
        CheckConstraint(
            "(channel = 'webhook' and endpoint_id is not null and body is not null) "
            "or (channel = 'email' and email_to is not null)",
            name="ck_delivery_messages_destination",
        ),
        Index(
            "ix_delivery_messages_due",
            "tenant_id",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_delivery_messages_endpoint", "tenant_id", "endpoint_id", "created_at", "id"),
        Index("ix_delivery_messages_entity", "tenant_id", "entity", "entity_id"),
        Index("ix_delivery_messages_dead", "tenant_id", "dead_at", "id", postgresql_where=text("status = 'dead'")),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    outbox_id: uuid.UUID
    message_id: str = Field(max_length=64)
    channel: str = Field(max_length=10)
    destination: str = Field(max_length=400)
    endpoint_id: uuid.UUID | None = ref_field("endpoint_id", nullable=True)
    email_to: str | None = Field(default=None, max_length=320)
    subject: str | None = Field(default=None, max_length=300)
    event_type: str = Field(max_length=100)
    entity: str = Field(max_length=60)
    entity_id: str = Field(max_length=64)
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default="pending", max_length=20)
    attempt_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    next_attempt_at: datetime | None = ts_field(nullable=True)
    lease_until: datetime | None = ts_field(nullable=True, default_now=False)
    lease_owner: str | None = Field(default=None, max_length=64)
    last_status: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=1000)
    replays: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    created_at: datetime = ts_field()
    first_attempt_at: datetime | None = ts_field(nullable=True, default_now=False)
    delivered_at: datetime | None = ts_field(nullable=True, default_now=False)
    dead_at: datetime | None = ts_field(nullable=True, default_now=False)


class DeliveryAttempt(SQLModel, table=True):
    """One attempt of a delivery (append-only): when, how long, the answer's status and the first
    bytes of its body, or the error."""

    __tablename__: ClassVar[str] = "delivery_attempts"
    __table_args__ = (
        tenant_key("delivery_attempts"),
        tenant_fk(["message_ref"], "delivery_messages"),
        Index("ix_delivery_attempts_message", "tenant_id", "message_ref", "at"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    message_ref: uuid.UUID = ref_field("message_ref")
    number: int
    at: datetime = ts_field()
    latency_ms: int = 0
    status_code: int | None = Field(default=None)
    outcome: str = Field(max_length=20)
    error: str | None = Field(default=None, max_length=1000)
    response_body: str = Field(default="", sa_column=Column(String(1024), nullable=False, server_default=""))
    worker: str = Field(default="", max_length=64)


class EmailSender(SQLModel, table=True):
    """The tenant's e-mail sender: the name and address its notices and invitations come from
    (empty: PHAROS_SMTP_FROM_NAME / PHAROS_SMTP_FROM)."""

    __tablename__: ClassVar[str] = "email_senders"
    __table_args__ = (tenant_key("email_senders"), UniqueConstraint("tenant_id", name="uq_email_senders_tenant"))
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    from_name: str = Field(default="", max_length=200)
    from_address: str = Field(default="", max_length=320)
    reply_to: str = Field(default="", max_length=320)
    updated_at: datetime = ts_field()


TENANT_TABLES = ("webhook_endpoints", "delivery_messages", "delivery_attempts", "email_senders")
APPEND_ONLY = frozenset({"delivery_attempts"})
