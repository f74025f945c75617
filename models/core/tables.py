"""Core tables: tenants, users, memberships, audit chain, decision events, outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKeyConstraint, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from engine.people.machines import MEMBERSHIP_MACHINE
from engine.rbac import Role
from models.core.base import id_field, json_field, sql_in, tenant_field, ts_field

ROLE_CHECK = "role in (" + ", ".join(f"'{r.value}'" for r in Role) + ")"


class Tenant(SQLModel, table=True):
    __tablename__: ClassVar[str] = "tenants"
    id: uuid.UUID = id_field()
    slug: str = Field(sa_column=Column(String(63), nullable=False, unique=True))
    name: str = Field(max_length=200)
    is_active: bool = True
    flags: dict[str, Any] = json_field({})
    created_at: datetime = ts_field()


class User(SQLModel, table=True):
    """A global identity; what it may do in a tenant comes from its membership there."""

    __tablename__: ClassVar[str] = "users"
    __table_args__ = (Index("uq_users_email_lower", text("lower(email)"), unique=True),)
    id: uuid.UUID = id_field()
    email: str = Field(max_length=320)
    display_name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=500)
    is_active: bool = True
    created_at: datetime = ts_field()


class Membership(SQLModel, table=True):
    """A user's place in one tenant: role, and status (active or deactivated, through the decision
    path with MEMBERSHIP_MACHINE); a deactivated membership signs nobody in."""

    __tablename__: ClassVar[str] = "memberships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        # a vendor's organization is a row of the tenant's catalog (migration 0022); staff have none
        ForeignKeyConstraint(
            ["tenant_id", "organization_id"],
            ["organizations.tenant_id", "organizations.id"],
            name="fk_memberships_organization",
        ),
        Index("ix_memberships_tenant_organization", "tenant_id", "organization_id"),
        CheckConstraint(ROLE_CHECK, name="ck_memberships_role"),
        CheckConstraint(sql_in("status", MEMBERSHIP_MACHINE.statuses), name="ck_memberships_status"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    role: str = Field(max_length=20)
    organization_id: uuid.UUID | None = Field(default=None)
    status: str = Field(default="active", max_length=20, sa_column_kwargs={"server_default": "active"})
    last_sign_in_at: datetime | None = ts_field(nullable=True, default_now=False)
    created_at: datetime = ts_field()


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained per tenant. The app role may only INSERT and SELECT."""

    __tablename__: ClassVar[str] = "audit_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seq"),
        Index("ix_audit_events_tenant_at", "tenant_id", "at"),
        # one event type, newest first (the audit page's and API's event-type filter; spec §1's
        # events(org_id, event_type, created_at): seq orders a tenant's chain as `at` does)
        Index("ix_audit_events_tenant_action_seq", "tenant_id", "action", "seq"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    actor: str = Field(max_length=64)
    actor_role: str = Field(default="", max_length=20)
    action: str = Field(max_length=100, index=True)
    entity: str = Field(max_length=60)
    entity_id: str = Field(max_length=64)
    before: Any = json_field()
    after: Any = json_field()
    at: datetime = ts_field()
    correlation_id: str = Field(default="", max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class DecisionEvent(SQLModel, table=True):
    """One row per status change of any decision-bearing entity (decisions are events)."""

    __tablename__: ClassVar[str] = "decision_events"
    __table_args__ = (Index("ix_decision_events_entity", "tenant_id", "machine", "entity_id", "at"),)
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    machine: str = Field(max_length=60)
    entity_id: uuid.UUID
    action: str = Field(max_length=60)
    from_status: str = Field(max_length=40)
    to_status: str = Field(max_length=40)
    reason: str | None = Field(default=None, max_length=4000)
    actor: str = Field(max_length=64)
    actor_role: str = Field(max_length=20)
    at: datetime = ts_field()


class OutboxEvent(SQLModel, table=True):
    """Messages to the outside world (webhooks, e-mail), written in the same transaction as the change.

    `delivered_at`: when the dispatcher took the row over (models/delivery/fanout.py: its deliveries
    exist, each with its own status and attempts); null: not yet. `attempts` is unused (a delivery
    counts its own)."""

    __tablename__: ClassVar[str] = "outbox_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_outbox_events_waiting", "tenant_id", "created_at", postgresql_where=text("delivered_at is null")),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    topic: str = Field(max_length=100, index=True)
    entity: str = Field(max_length=60)
    entity_id: str = Field(max_length=64)
    payload: dict[str, Any] = json_field({})
    idempotency_key: str | None = Field(default=None, max_length=200)
    created_at: datetime = ts_field()
    delivered_at: datetime | None = ts_field(nullable=True, default_now=False)
    attempts: int = 0


class OidcProvider(SQLModel, table=True):
    """A tenant's own single sign-on provider (OpenID Connect). The client secret is write-only:
    no read model returns it (models.core.sign_in_config)."""

    __tablename__: ClassVar[str] = "oidc_providers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_oidc_providers_tenant_name"),
        CheckConstraint(ROLE_CHECK.replace("role in", "default_role in"), name="ck_oidc_providers_default_role"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    name: str = Field(max_length=60)
    issuer: str = Field(max_length=500)
    client_id: str = Field(max_length=255)
    client_secret: str = Field(max_length=1000)
    allowed_domains: list[str] = json_field([])
    default_role: str = Field(default="viewer", max_length=20)
    enabled: bool = True
    created_at: datetime = ts_field()
