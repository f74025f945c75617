"""The one event registry: the core's decision events, then each registered module's (its
manifest's `events`). Names are unique across the product (checked when the registry is built)."""

from __future__ import annotations

from functools import cache

from engine.delivery.events import EventType, decision_events
from engine.delivery.machines import ENDPOINT_MACHINE
from engine.imports.machine import IMPORT_MACHINE
from engine.jobs import JOB_MACHINE
from engine.modules import manifests
from engine.people.machines import INVITATION_MACHINE, MEMBERSHIP_MACHINE
from engine.uploads.machine import UPLOAD_MACHINE

CORE_EVENTS: tuple[EventType, ...] = (
    *decision_events(JOB_MACHINE, "A job"),
    *decision_events(UPLOAD_MACHINE, "An upload"),
    *decision_events(IMPORT_MACHINE, "An import"),
    *decision_events(INVITATION_MACHINE, "An invitation"),
    *decision_events(MEMBERSHIP_MACHINE, "A membership"),
    *decision_events(ENDPOINT_MACHINE, "A webhook endpoint"),
)


@cache
def event_types() -> dict[str, EventType]:
    """Every event type by name, the core's first."""
    found: dict[str, EventType] = {}
    for event in (*CORE_EVENTS, *(e for m in manifests() for e in m.events)):
        if event.name in found:
            raise ValueError(f"event type {event.name!r} is declared twice")
        found[event.name] = event
    return found


def event_type(name: str) -> EventType | None:
    return event_types().get(name)


def clean_event_types(raw: object, field: str = "event_types") -> list[str]:
    """A subscription's filter: a list of known names (empty: every event), sorted, no repeats."""
    from engine.errors import ValidationFailed

    if raw is None:
        return []
    if not isinstance(raw, list | tuple) or not all(isinstance(x, str) for x in raw):
        raise ValidationFailed("event_types is a list of event type names", fields={field: "not a list of names"})
    unknown = sorted({x for x in raw if x not in event_types()})
    if unknown:
        raise ValidationFailed(
            f"unknown event type(s): {', '.join(unknown[:5])} (GET /api/webhooks/event-types lists them)",
            fields={field: "unknown event type"},
        )
    return sorted(set(raw))
