"""Field service tables: service policies and organizations' certifications (M06), tickets (M06–M08),
engineers with their memberships, skills and coverage (M07), agreements and SLA policies (M08).

Every table carries tenant_id (RLS, migration 0020_service) and a (tenant_id, id) unique key, and
every reference is a composite foreign key including tenant_id (`tenant_fk`), to this module's rows
or to the catalog's organizations, SKUs and channels: a row can never point at another tenant's row.
Ticket status changes only through the decision path (engine.service.machines.TICKET_MACHINE).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from engine.service.types import MEMBERSHIP_ROLES, PRIORITIES, TICKET_STATUSES
from models.core.base import id_field, json_field, ref_field, sql_in, tenant_field, tenant_fk, tenant_key, ts_field

_WINDOW = "effective_to is null or effective_to > effective_from"


class ServicePolicy(SQLModel, table=True):
    """Who is responsible for a ticket: steps tried in order (engine.service.policy)."""

    __tablename__: ClassVar[str] = "service_policies"
    __table_args__ = (
        tenant_key("service_policies"),
        UniqueConstraint("tenant_id", "code", name="uq_service_policies_code"),
        tenant_fk(["manufacturer_org_id"], "organizations"),
        tenant_fk(["default_org_id"], "organizations"),
        CheckConstraint(_WINDOW, name="ck_service_policies_window"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    code: str = Field(max_length=60)
    name: str = Field(max_length=200)
    manufacturer_org_id: uuid.UUID | None = ref_field("manufacturer_org_id", nullable=True)
    category: str | None = Field(default=None, max_length=100)
    # [{"role", "org_id", "territories", "certification"}, ...] (models.service.inputs.StepInput)
    steps: list[dict[str, Any]] = json_field([])
    default_org_id: uuid.UUID | None = ref_field("default_org_id", nullable=True)
    priority: int = 0
    enabled: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    effective_from: datetime = ts_field()
    effective_to: datetime | None = ts_field(nullable=True, default_now=False)
    created_at: datetime = ts_field()


class OrgCertification(SQLModel, table=True):
    """A certification an organization holds (e.g. `cold-chain`) on `[valid_from, valid_to)`; policy
    steps may require one."""

    __tablename__: ClassVar[str] = "service_certifications"
    __table_args__ = (
        tenant_key("service_certifications"),
        tenant_fk(["org_id"], "organizations"),
        UniqueConstraint("tenant_id", "org_id", "code", "valid_from", name="uq_service_certifications_org_code"),
        CheckConstraint("valid_to is null or valid_to > valid_from", name="ck_service_certifications_window"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    org_id: uuid.UUID = ref_field("org_id")
    code: str = Field(max_length=60)
    valid_from: datetime = ts_field()
    valid_to: datetime | None = ts_field(nullable=True, default_now=False)
    created_at: datetime = ts_field()


class Engineer(SQLModel, table=True):
    __tablename__: ClassVar[str] = "engineers"
    __table_args__ = (
        tenant_key("engineers"),
        UniqueConstraint("tenant_id", "code", name="uq_engineers_code"),
        Index("ix_engineers_tenant_name", "tenant_id", "name"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    code: str = Field(max_length=60)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    home_region: str | None = Field(default=None, max_length=100)
    is_active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    created_at: datetime = ts_field()


class EngineerMembership(SQLModel, table=True):
    """An engineer works for an organization (employee or contractor) on `[effective_from, effective_to)`."""

    __tablename__: ClassVar[str] = "engineer_memberships"
    __table_args__ = (
        tenant_key("engineer_memberships"),
        tenant_fk(["engineer_id"], "engineers"),
        tenant_fk(["org_id"], "organizations"),
        CheckConstraint(sql_in("role", MEMBERSHIP_ROLES), name="ck_engineer_memberships_role"),
        CheckConstraint(_WINDOW, name="ck_engineer_memberships_window"),
        Index("ix_engineer_memberships_org", "tenant_id", "org_id"),
        Index("ix_engineer_memberships_engineer", "tenant_id", "engineer_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    engineer_id: uuid.UUID = ref_field("engineer_id")
    org_id: uuid.UUID = ref_field("org_id")
    role: str = Field(default="employee", max_length=20)
    effective_from: datetime = ts_field()
    effective_to: datetime | None = ts_field(nullable=True, default_now=False)


class EngineerSkill(SQLModel, table=True):
    __tablename__: ClassVar[str] = "engineer_skills"
    __table_args__ = (
        tenant_key("engineer_skills"),
        tenant_fk(["engineer_id"], "engineers"),
        UniqueConstraint("tenant_id", "engineer_id", "skill", name="uq_engineer_skills_skill"),
        CheckConstraint("level between 1 and 5", name="ck_engineer_skills_level"),
        Index("ix_engineer_skills_skill", "tenant_id", "skill"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    engineer_id: uuid.UUID = ref_field("engineer_id")
    skill: str = Field(max_length=40)
    level: int = 1


class EngineerCoverage(SQLModel, table=True):
    """A region an engineer serves; `is_primary`: their own patch (ranked before secondary cover)."""

    __tablename__: ClassVar[str] = "engineer_coverage"
    __table_args__ = (
        tenant_key("engineer_coverage"),
        tenant_fk(["engineer_id"], "engineers"),
        UniqueConstraint("tenant_id", "engineer_id", "region", name="uq_engineer_coverage_region"),
        Index("ix_engineer_coverage_region", "tenant_id", "region"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    engineer_id: uuid.UUID = ref_field("engineer_id")
    region: str = Field(max_length=100)
    is_primary: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))


class ServiceAgreement(SQLModel, table=True):
    """`provider_org_id` services the tickets of `customer_org_id` (a dealer or a manufacturer; none:
    any customer) on `[effective_from, effective_to)`, under the agreement's SLA policies."""

    __tablename__: ClassVar[str] = "service_agreements"
    __table_args__ = (
        tenant_key("service_agreements"),
        UniqueConstraint("tenant_id", "code", name="uq_service_agreements_code"),
        tenant_fk(["provider_org_id"], "organizations"),
        tenant_fk(["customer_org_id"], "organizations"),
        CheckConstraint(_WINDOW, name="ck_service_agreements_window"),
        CheckConstraint(
            "customer_org_id is null or customer_org_id <> provider_org_id", name="ck_service_agreements_parties"
        ),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    code: str = Field(max_length=60)
    name: str = Field(max_length=200)
    provider_org_id: uuid.UUID = ref_field("provider_org_id")
    customer_org_id: uuid.UUID | None = ref_field("customer_org_id", nullable=True)
    effective_from: datetime = ts_field()
    effective_to: datetime | None = ts_field(nullable=True, default_now=False)
    notes: str | None = Field(default=None, max_length=2000)
    created_at: datetime = ts_field()


class SlaPolicy(SQLModel, table=True):
    """Response and resolution hours as formula-language expressions (engine.service.sla)."""

    __tablename__: ClassVar[str] = "sla_policies"
    __table_args__ = (
        tenant_key("sla_policies"),
        UniqueConstraint("tenant_id", "code", name="uq_sla_policies_code"),
        tenant_fk(["agreement_id"], "service_agreements"),
        CheckConstraint(_WINDOW, name="ck_sla_policies_window"),
        Index("ix_sla_policies_agreement", "tenant_id", "agreement_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    agreement_id: uuid.UUID = ref_field("agreement_id")
    code: str = Field(max_length=60)
    name: str = Field(max_length=200)
    priority: int = 0
    effective_from: datetime = ts_field()
    effective_to: datetime | None = ts_field(nullable=True, default_now=False)
    response_hours_expr: str = Field(sa_column=Column(Text, nullable=False))
    resolution_hours_expr: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = ts_field()


class Ticket(SQLModel, table=True):
    """A service ticket. `responsible_org_id` and `policy_provenance` are set on create when the
    tenant has ENABLE_RESP_ORG_ASSIGNMENT on (the provenance is the "why this organization?" answer
    as it was then); the SLA's due times come from the agreement and SLA policy that applied."""

    __tablename__: ClassVar[str] = "tickets"
    __table_args__ = (
        tenant_key("tickets"),
        UniqueConstraint("tenant_id", "code", name="uq_tickets_code"),
        tenant_fk(["dealer_org_id"], "organizations"),
        tenant_fk(["responsible_org_id"], "organizations"),
        tenant_fk(["sku_id"], "skus"),
        tenant_fk(["channel_id"], "channels"),
        tenant_fk(["policy_id"], "service_policies"),
        tenant_fk(["agreement_id"], "service_agreements"),
        tenant_fk(["sla_policy_id"], "sla_policies"),
        tenant_fk(["assigned_engineer_id"], "engineers"),
        CheckConstraint(sql_in("status", TICKET_STATUSES), name="ck_tickets_status"),
        CheckConstraint(sql_in("priority", PRIORITIES), name="ck_tickets_priority"),
        Index("ix_tickets_tenant_opened", "tenant_id", "opened_at"),
        Index("ix_tickets_responsible", "tenant_id", "responsible_org_id"),
        Index("ix_tickets_engineer", "tenant_id", "assigned_engineer_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    code: str = Field(max_length=20)
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    priority: str = Field(default="normal", max_length=10)
    status: str = Field(default="open", max_length=20)
    dealer_org_id: uuid.UUID | None = ref_field("dealer_org_id", nullable=True)
    sku_id: uuid.UUID | None = ref_field("sku_id", nullable=True)
    channel_id: uuid.UUID | None = ref_field("channel_id", nullable=True)
    region: str | None = Field(default=None, max_length=100)
    required_skills: list[str] = json_field([])
    responsible_org_id: uuid.UUID | None = ref_field("responsible_org_id", nullable=True)
    policy_id: uuid.UUID | None = ref_field("policy_id", nullable=True)
    policy_provenance: dict[str, Any] | None = json_field(None)
    agreement_id: uuid.UUID | None = ref_field("agreement_id", nullable=True)
    sla_policy_id: uuid.UUID | None = ref_field("sla_policy_id", nullable=True)
    sla_provenance: dict[str, Any] | None = json_field(None)
    response_due_at: datetime | None = ts_field(nullable=True, default_now=False)
    resolution_due_at: datetime | None = ts_field(nullable=True, default_now=False)
    first_response_at: datetime | None = ts_field(nullable=True, default_now=False)
    resolved_at: datetime | None = ts_field(nullable=True, default_now=False)
    response_breached: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    resolution_breached: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    assigned_engineer_id: uuid.UUID | None = ref_field("assigned_engineer_id", nullable=True)
    assigned_at: datetime | None = ts_field(nullable=True, default_now=False)
    assignment_note: str | None = Field(default=None, max_length=1000)
    opened_by: str = Field(default="system", max_length=64)
    opened_at: datetime = ts_field()
