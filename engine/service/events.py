"""The service module's webhook event types: every decision of the ticket machine
(`ticket.acknowledge`, `ticket.resolve`, …) and three lifecycle events that are not status changes:
a ticket opened, a ticket assigned to an engineer, and an SLA target passed without being met."""

from __future__ import annotations

from typing import Any

from engine.delivery.events import EventType, decision_events
from engine.service.machines import TICKET_MACHINE

CREATED = "ticket.created"
ASSIGNED = "ticket.assigned"
SLA_BREACHED = "ticket.sla_breached"
ENTITY = "ticket"

_ID = {"type": "string", "format": "uuid"}
_ID_OR_NULL = {"type": ["string", "null"], "format": "uuid"}
_INSTANT_OR_NULL = {"type": ["string", "null"], "format": "date-time"}

_TICKET: dict[str, Any] = {
    "ticket_id": _ID,
    "code": {"type": "string", "description": "the ticket's code, e.g. T-1A2B3C4D"},
    "title": {"type": "string"},
    "priority": {"type": "string", "enum": ["urgent", "high", "normal", "low"]},
    "status": {"type": "string"},
    "responsible_org_id": _ID_OR_NULL,
}


def _schema(required: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["ticket_id", "code", "title", "priority", "status", "responsible_org_id", *required],
        "properties": {**_TICKET, **extra},
        "additionalProperties": True,
    }


CREATED_SCHEMA = _schema(
    ["response_due_at", "resolution_due_at"],
    {
        "responsible_org": {"type": ["string", "null"], "description": "the responsible organization's name"},
        "policy_id": _ID_OR_NULL,
        "response_due_at": _INSTANT_OR_NULL,
        "resolution_due_at": _INSTANT_OR_NULL,
    },
)
ASSIGNED_SCHEMA = _schema(
    ["engineer_id", "engineer"],
    {
        "engineer_id": _ID,
        "engineer": {"type": "string", "description": "the engineer's name"},
        "previous_engineer_id": _ID_OR_NULL,
    },
)
BREACHED_SCHEMA = _schema(
    ["target", "due_at"],
    {
        "target": {"type": "string", "enum": ["response", "resolution"]},
        "due_at": {"type": "string", "format": "date-time"},
    },
)

EVENTS: tuple[EventType, ...] = (
    *decision_events(TICKET_MACHINE, "A service ticket"),
    EventType(CREATED, "A service ticket was opened (with its responsible organization and due times)", CREATED_SCHEMA),
    EventType(ASSIGNED, "A service ticket was assigned to an engineer", ASSIGNED_SCHEMA),
    EventType(SLA_BREACHED, "A service ticket passed its response or resolution due time unmet", BREACHED_SCHEMA),
)
