"""The plain shapes the pure functions work on (the models layer builds them from rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Person:
    """A participant as segments, patterns and plans see it."""

    id: str
    display_name: str
    email: str | None
    role: str
    origin: str
    lifecycle_stage: str
    last_activity_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Link:
    """A relationship as patterns and plans see it."""

    id: str
    from_id: str
    to_id: str
    type: str
    source: str
    confidence: Decimal
    created_at: datetime


def degrees(people: list[Person] | tuple[Person, ...], links: list[Link] | tuple[Link, ...]) -> dict[str, int]:
    """Relationships per participant (either end; a relationship to oneself cannot exist)."""
    found = {p.id: 0 for p in people}
    for link in links:
        if link.from_id in found:
            found[link.from_id] += 1
        if link.to_id in found:
            found[link.to_id] += 1
    return found
