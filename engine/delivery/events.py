"""Event types: the named, versioned messages webhook receivers may subscribe to.

Every decision writes an outbox row whose topic is `<machine>.<action>` (models.core.decisions);
each such topic is an event type here (`decision_events(machine)`), with one JSON schema for the
data of every decision. Modules add their own types through their manifest (`ModuleManifest.events`:
margin's `margin.notice.sent`); the core's own machines are listed in engine.delivery.registry.

A webhook's JSON body is the envelope: `{"type", "version", "timestamp", "data"}` (Standard
Webhooks' payload shape; `version` is the type's schema version, raised when a change is not
backwards compatible: a receiver reads fields it knows and ignores the rest).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.state_machine import StateMachine

NAME_MAX = 100


@dataclass(frozen=True)
class EventType:
    """`name` (the envelope's `type`, e.g. `margin_alert.resolve`), its schema `version`, what it
    means, and the JSON schema its `data` satisfies."""

    name: str
    summary: str
    schema: dict[str, Any] = field(hash=False, compare=False)
    version: int = 1

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > NAME_MAX or " " in self.name or "." not in self.name:
            raise ValueError(f"event type names look like 'entity.action': {self.name!r}")
        if self.version < 1:
            raise ValueError(f"{self.name}: version starts at 1")


DECISION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["entity", "entity_id", "event_id", "from", "to"],
    "properties": {
        "entity": {"type": "string", "description": "the machine's name, e.g. margin_alert"},
        "entity_id": {"type": "string"},
        "event_id": {"type": "string", "format": "uuid", "description": "the decision event's id"},
        "from": {"type": "string", "description": "status before"},
        "to": {"type": "string", "description": "status after"},
        "status": {"type": "string"},
        "reason": {"type": ["string", "null"]},
    },
    "additionalProperties": True,
}


def decision_events(machine: StateMachine, what: str) -> tuple[EventType, ...]:
    """One event type per action of `machine` (`<machine>.<action>`), all with DECISION_SCHEMA."""
    seen: dict[str, EventType] = {}
    for t in machine.transitions:
        name = f"{machine.name}.{t.action}"
        if name not in seen:
            target = t.target.replace("_", " ")
            seen[name] = EventType(name, f"{what}: {t.display.lower()} (now {target})", DECISION_SCHEMA)
    return tuple(seen.values())


def envelope(event: EventType, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of a webhook for one outbox row."""
    return {
        "type": event.name,
        "version": event.version,
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def body_text(payload: dict[str, Any]) -> str:
    """The exact bytes sent (and signed): compact JSON, keys in a stable order."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
