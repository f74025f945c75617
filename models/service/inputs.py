"""Validated inputs of the service module's writes (shared by the REST API, the pages and the seed).

The catalog's input rule (models.catalog.inputs): unknown keys refused, text stripped, control
characters refused, instants with a zone in 1900..2999, integers as JSON integers; codes as the
catalog spells them.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, StrictBool, ValidationInfo, field_validator, model_validator

from engine.inputs import Instant, StrictInt
from engine.service.machines import TICKET_MACHINE
from engine.service.types import MAX_SKILLS, MAX_STEPS, MEMBERSHIP_ROLES, PRIORITIES, SKILL_PATTERN, STEP_ROLES
from engine.text import TextInput
from models.catalog.inputs import Code, Name, NewName, parse_input, window_ok

if TYPE_CHECKING:  # the checker sees text; pydantic validates against the engine's own values
    Priority = StepRole = MembershipRole = TicketAction = TicketStatus = str
else:
    Priority = Literal[PRIORITIES]
    StepRole = Literal[STEP_ROLES]
    MembershipRole = Literal[MEMBERSHIP_ROLES]
    TicketAction = Literal[TICKET_MACHINE.actions]
    TicketStatus = Literal[TICKET_MACHINE.statuses]

__all__ = ["parse_input"]

Region = Field(default=None, min_length=1, max_length=100)
Skill = Field(pattern=SKILL_PATTERN, description="lower-case letters, digits, '-' or '_', e.g. cold-chain")


class _Input(TextInput):
    """Unknown keys refused, text stripped, control characters refused (engine.text)."""


class _Windowed(_Input):
    """An input with an effective window: effective_to (when given) must be after effective_from."""

    @field_validator("effective_to", check_fields=False)
    @classmethod
    def _window_order(cls, value: Any, info: ValidationInfo) -> Any:
        if not window_ok(info.data.get("effective_from"), value):
            raise ValueError("effective_to must be after effective_from")
        return value


class StepInput(_Input):
    """One step of a policy: a role, the organization of an `organization` step, the territories
    (regions) it must serve (empty: the organization's own coverage), a certification it must hold."""

    role: StepRole
    org_id: uuid.UUID | None = None
    territories: list[str] = Field(default_factory=list, max_length=100)
    certification: str | None = Field(default=None, pattern=SKILL_PATTERN)

    @model_validator(mode="after")
    def _org_for_organization_steps(self):
        if self.role == "organization" and self.org_id is None:
            raise ValueError("an 'organization' step needs org_id")
        if self.role != "organization" and self.org_id is not None:
            raise ValueError(f"a '{self.role}' step finds its organization from the ticket; org_id is not allowed")
        if any(not t.strip() or len(t) > 100 for t in self.territories):
            raise ValueError("territories are region names of 1 to 100 characters")
        return self


class PolicyInput(_Windowed):
    """A service policy, whole (POST creates, PUT replaces)."""

    code: str = Code
    name: str = Name
    manufacturer_org_id: uuid.UUID | None = None
    category: str | None = Field(default=None, min_length=1, max_length=100)
    steps: list[StepInput] = Field(min_length=1, max_length=MAX_STEPS)
    default_org_id: uuid.UUID | None = None
    priority: StrictInt = Field(default=0, ge=-1000, le=1000)
    enabled: StrictBool = True
    effective_from: Instant
    effective_to: Instant | None = None


class CertificationCreate(_Input):
    org_id: uuid.UUID
    code: str = Field(pattern=SKILL_PATTERN)
    valid_from: Instant
    valid_to: Instant | None = None

    @field_validator("valid_to")
    @classmethod
    def _valid_window(cls, value: Any, info: ValidationInfo) -> Any:
        if not window_ok(info.data.get("valid_from"), value):
            raise ValueError("valid_to must be after valid_from")
        return value


class ResponsibilityQuery(_Input):
    """What "why this organization?" is asked about (a ticket that is not opened yet)."""

    dealer_org_id: uuid.UUID | None = None
    sku_id: uuid.UUID | None = None
    region: str | None = Region
    at: Instant | None = None


class TicketCreate(_Input):
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    priority: Priority = "normal"
    dealer_org_id: uuid.UUID | None = None
    sku_id: uuid.UUID | None = None
    channel_id: uuid.UUID | None = None
    region: str | None = Region
    required_skills: list[str] = Field(default_factory=list, max_length=MAX_SKILLS)

    @field_validator("required_skills")
    @classmethod
    def _skills(cls, value: list[str]) -> list[str]:
        bad = [s for s in value if not re.fullmatch(SKILL_PATTERN, s)]
        if bad:
            raise ValueError(f"skills are lower-case codes such as cold-chain: {', '.join(bad[:3])}")
        return list(dict.fromkeys(value))


class TicketDecision(_Input):
    action: TicketAction
    reason: str | None = Field(default=None, max_length=4000)
    expected_status: TicketStatus | None = None


class AssignInput(_Input):
    engineer_id: uuid.UUID
    note: str | None = Field(default=None, max_length=1000)


class MembershipInput(_Windowed):
    org_id: uuid.UUID
    role: MembershipRole = "employee"
    effective_from: Instant | None = None
    effective_to: Instant | None = None


class SkillInput(_Input):
    skill: str = Skill
    level: StrictInt = Field(default=3, ge=1, le=5)


class CoverageInput(_Input):
    region: str = Field(min_length=1, max_length=100)
    primary: StrictBool = True


def _unique(items: list, key: str, what: str) -> None:
    seen = [str(getattr(i, key)).casefold() for i in items]
    if len(seen) != len(set(seen)):
        raise ValueError(f"each {what} once")


class EngineerCreate(_Input):
    code: str = Code
    name: str = Name
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    home_region: str | None = Region
    memberships: list[MembershipInput] = Field(default_factory=list, max_length=20)
    skills: list[SkillInput] = Field(default_factory=list, max_length=MAX_SKILLS)
    coverage: list[CoverageInput] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _no_repeats(self):
        _unique(self.skills, "skill", "skill")
        _unique(self.coverage, "region", "region")
        return self


class EngineerUpdate(_Input):
    """Edit: only the keys sent change; a list sent replaces the engineer's whole list."""

    name: str | None = NewName
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    home_region: str | None = Region
    is_active: StrictBool | None = None
    memberships: list[MembershipInput] | None = Field(default=None, max_length=20)
    skills: list[SkillInput] | None = Field(default=None, max_length=MAX_SKILLS)
    coverage: list[CoverageInput] | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _no_repeats(self):
        _unique(self.skills or [], "skill", "skill")
        _unique(self.coverage or [], "region", "region")
        return self


class AgreementCreate(_Windowed):
    code: str = Code
    name: str = Name
    provider_org_id: uuid.UUID
    customer_org_id: uuid.UUID | None = None
    effective_from: Instant
    effective_to: Instant | None = None
    notes: str | None = Field(default=None, max_length=2000)

    @field_validator("customer_org_id")
    @classmethod
    def _parties(cls, value: Any, info: ValidationInfo) -> Any:
        if value is not None and value == info.data.get("provider_org_id"):
            raise ValueError("the customer must be another organization than the provider")
        return value


class SlaPolicyCreate(_Windowed):
    agreement_id: uuid.UUID
    code: str = Code
    name: str = Name
    priority: StrictInt = Field(default=0, ge=-1000, le=1000)
    effective_from: Instant
    effective_to: Instant | None = None
    response_hours_expr: str = Field(min_length=1, max_length=4000)
    resolution_hours_expr: str = Field(min_length=1, max_length=4000)


class SlaTry(_Input):
    """Evaluate SLA rules for a made-up ticket (the agreements page's "try")."""

    response_hours_expr: str = Field(min_length=1, max_length=4000)
    resolution_hours_expr: str = Field(min_length=1, max_length=4000)
    priority: Priority = "normal"
    channel: str | None = Field(default=None, max_length=60)
    region: str | None = Region
