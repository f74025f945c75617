"""Read models of the service module as the REST API answers them (ids as text, instants as
ISO-8601 UTC, no tenant_id), built by models.service.queries."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel

from models.catalog.public import Instant


class StepPublic(BaseModel):
    role: str
    org_id: uuid.UUID | None = None
    territories: list[str] = []
    certification: str | None = None


class PolicyPublic(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    manufacturer_org_id: uuid.UUID | None
    category: str | None
    steps: list[StepPublic]
    default_org_id: uuid.UUID | None
    priority: int
    enabled: bool
    effective_from: Instant
    effective_to: Instant | None
    created_at: Instant


class CertificationPublic(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    code: str
    valid_from: Instant
    valid_to: Instant | None


class ActionPublic(BaseModel):
    action: str
    label: str
    reason_required: bool


class TicketPublic(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    priority: str
    status: str
    region: str | None
    dealer_org_id: uuid.UUID | None
    dealer: str | None
    responsible_org_id: uuid.UUID | None
    responsible_org: str | None
    assigned_engineer_id: uuid.UUID | None
    assigned_engineer: str | None
    opened_at: Instant
    response_due_at: Instant | None
    resolution_due_at: Instant | None
    first_response_at: Instant | None
    resolved_at: Instant | None
    # as shown: stored, or the target still unmet past its due time while the ticket is active
    response_breached: bool
    resolution_breached: bool


class TicketDetailPublic(TicketPublic):
    description: str | None
    sku_id: uuid.UUID | None
    sku: str | None
    channel_id: uuid.UUID | None
    channel: str | None
    required_skills: list[str]
    policy_id: uuid.UUID | None
    # the "why this organization?" answer as it was when the ticket was opened (null: assignment off)
    policy_provenance: dict[str, Any] | None
    agreement_id: uuid.UUID | None
    sla_policy_id: uuid.UUID | None
    # which agreement and SLA policy applied and what their rules gave (the formula's tape)
    sla_provenance: dict[str, Any] | None
    assigned_at: Instant | None
    assignment_note: str | None
    opened_by: str
    actions: list[ActionPublic]


class MembershipPublic(BaseModel):
    org_id: uuid.UUID
    org_name: str
    role: str
    effective_from: Instant
    effective_to: Instant | None


class SkillPublic(BaseModel):
    skill: str
    level: int


class CoveragePublic(BaseModel):
    region: str
    primary: bool


class EngineerPublic(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    email: str | None
    home_region: str | None
    is_active: bool
    memberships: list[MembershipPublic]
    skills: list[SkillPublic]
    coverage: list[CoveragePublic]
    open_tickets: int


class RankedPublic(BaseModel):
    engineer_id: uuid.UUID
    code: str
    name: str
    eligible: bool
    rank: int | None
    reason: str
    summary: str
    detail: str
    skill_points: int
    primary_coverage: bool
    open_tickets: int
    skills: dict[str, int]
    regions: list[str]
    organizations: list[str]


class NeedPublic(BaseModel):
    skills: list[str]
    region: str | None
    org_id: uuid.UUID | None
    org_name: str | None


class EligibilityPublic(BaseModel):
    """Every engineer: the eligible ranked first (rank 1 best), then the others with their reason."""

    need: NeedPublic
    rule: str
    items: list[RankedPublic]


class SlaPolicyPublic(BaseModel):
    id: uuid.UUID
    agreement_id: uuid.UUID
    code: str
    name: str
    priority: int
    effective_from: Instant
    effective_to: Instant | None
    response_hours_expr: str
    resolution_hours_expr: str


class AgreementPublic(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    provider_org_id: uuid.UUID
    provider: str
    customer_org_id: uuid.UUID | None
    customer: str | None
    effective_from: Instant
    effective_to: Instant | None
    notes: str | None
    sla_policies: list[SlaPolicyPublic]
