"""Segments: computed on every read, never stored. The definitions live here (and in docs/graph.md).

Each is a rule over a participant's lifecycle stage, its last activity, when it was created and its
degree (relationships at either end), at an instant `now`. A participant may be in several segments
(a hub can be dormant). System participants (origin `system`: integrations) and closed ones are in
none. "Idle" is the time since the last activity, or since creation when there was none.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from engine.graph.model import Person
from engine.graph.vocab import CLOSED, SYSTEM_ORIGIN

NEW_DAYS = 30
ACTIVE_DAYS = 14
DORMANT_DAYS = 45
HUB_MIN_DEGREE = 5
HUB_PERCENTILE = 95


@dataclass(frozen=True, slots=True)
class SegmentDef:
    key: str
    label: str
    definition: str


SEGMENTS: tuple[SegmentDef, ...] = (
    SegmentDef("new", "New", f"stage 'new', or created within the last {NEW_DAYS} days"),
    SegmentDef("active", "Active", f"active within the last {ACTIVE_DAYS} days, stage neither 'paused' nor 'closed'"),
    SegmentDef(
        "at_risk",
        "At risk",
        f"idle for {ACTIVE_DAYS} to {DORMANT_DAYS} days (slipping towards dormant), unless new and not started yet",
    ),
    SegmentDef("dormant", "Dormant", f"no activity in the last {DORMANT_DAYS} days"),
    SegmentDef("isolated", "Isolated", "no relationship at all"),
    SegmentDef(
        "hub",
        "Hub",
        f"degree at or above the {HUB_PERCENTILE}th percentile of degrees, and at least {HUB_MIN_DEGREE}",
    ),
)
SEGMENT_KEYS: tuple[str, ...] = tuple(s.key for s in SEGMENTS)


def in_scope(person: Person) -> bool:
    """Whether a participant can be in a segment at all."""
    return person.origin != SYSTEM_ORIGIN and person.lifecycle_stage != CLOSED


def hub_threshold(degree_values: Iterable[int]) -> int:
    """The degree from which a participant is a hub: the 95th percentile (nearest-position method) of the
    degrees given, never below HUB_MIN_DEGREE."""
    ordered = sorted(degree_values)
    if not ordered:
        return HUB_MIN_DEGREE
    position = max(1, math.ceil(HUB_PERCENTILE / 100 * len(ordered)))
    return max(HUB_MIN_DEGREE, ordered[position - 1])


def idle_days(person: Person, now: datetime) -> int:
    """Whole days since the last activity (or since creation when there was none); 0 for the future."""
    since = person.last_activity_at or person.created_at
    return max(0, (now - since).days)


def segments_of(person: Person, degree: int, now: datetime, hub_min: int) -> tuple[str, ...]:
    """The segment keys of one participant, in SEGMENTS order."""
    if not in_scope(person):
        return ()
    idle = idle_days(person, now)
    created_days = max(0, (now - person.created_at).days)
    found: list[str] = []
    if person.lifecycle_stage == "new" or created_days < NEW_DAYS:
        found.append("new")
    if person.last_activity_at is not None and idle < ACTIVE_DAYS and person.lifecycle_stage not in ("paused", CLOSED):
        found.append("active")
    if ACTIVE_DAYS <= idle <= DORMANT_DAYS and not (person.last_activity_at is None and created_days < NEW_DAYS):
        found.append("at_risk")
    if idle > DORMANT_DAYS:
        found.append("dormant")
    if degree == 0:
        found.append("isolated")
    if degree >= hub_min:
        found.append("hub")
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Segmentation:
    """Every participant's segments at `now`, and the hub threshold used."""

    by_person: Mapping[str, tuple[str, ...]]
    hub_min: int

    def members(self, key: str) -> list[str]:
        return [pid for pid, keys in self.by_person.items() if key in keys]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEGMENT_KEYS, 0)
        for keys in self.by_person.values():
            for key in keys:
                counts[key] += 1
        return counts


def segment(people: Sequence[Person], degrees: Mapping[str, int], now: datetime) -> Segmentation:
    """Segments of every participant (system and closed ones: none)."""
    scoped = [p for p in people if in_scope(p)]
    hub_min = hub_threshold(degrees.get(p.id, 0) for p in scoped)
    return Segmentation({p.id: segments_of(p, degrees.get(p.id, 0), now, hub_min) for p in people}, hub_min)
