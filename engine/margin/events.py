"""Margin's webhook event types: every decision of its machines, and the enforcement notice."""

from __future__ import annotations

from typing import Any

from engine.delivery.events import EventType, decision_events
from engine.margin.machines import ALERT_MACHINE, BATCH_MACHINE, DEALER_MACHINE, TASK_MACHINE

NOTICE_TOPIC = "margin.notice.sent"

NOTICE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["notice_id", "batch_id", "dealer_id", "dealer", "action", "subject", "body", "alert_ids"],
    "properties": {
        "notice_id": {"type": "string", "format": "uuid"},
        "batch_id": {"type": "string", "format": "uuid"},
        "dealer_id": {"type": "string", "format": "uuid"},
        "dealer": {"type": "string", "description": "the dealer's name"},
        "action": {"type": "string", "description": "warning, final_notice, suspension, …"},
        "subject": {"type": "string"},
        "body": {"type": "string"},
        "alert_ids": {"type": "array", "items": {"type": "string", "format": "uuid"}},
    },
    "additionalProperties": True,
}

EVENTS: tuple[EventType, ...] = (
    *decision_events(ALERT_MACHINE, "A margin alert"),
    *decision_events(TASK_MACHINE, "A margin task"),
    *decision_events(DEALER_MACHINE, "A dealer's enforcement status"),
    *decision_events(BATCH_MACHINE, "An enforcement batch"),
    EventType(NOTICE_TOPIC, "An enforcement notice was issued to a dealer", NOTICE_SCHEMA),
)
