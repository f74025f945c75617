"""Closed vocabularies of the service module (tables' CHECKs, inputs, filters and pages read these)."""

from __future__ import annotations

from engine.service.machines import TICKET_MACHINE

PRIORITIES = ("urgent", "high", "normal", "low")
TICKET_STATUSES = TICKET_MACHINE.statuses
# who a policy step names: an organization found from the ticket (its product's manufacturer, the
# dealer's distributor, the dealer) or one fixed organization (a service partner, say)
STEP_ROLES = ("manufacturer", "distributor", "dealer", "organization")
MEMBERSHIP_ROLES = ("employee", "contractor")
SKILL_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
REGION_MAX = 100
MAX_STEPS = 10
MAX_SKILLS = 20
SKILL_LEVELS = (1, 5)
