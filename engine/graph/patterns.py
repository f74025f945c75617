"""Recommendations ("Atlas pattern detection"): a deterministic generator over graph patterns.

Given the same participants, relationships and instant, it yields the same candidates in the same
order (sorted by pattern, then target id), each with a suggested intervention, a confidence in
[0, 1] (two decimals) and a reason a person can read. The models layer keeps one open
recommendation per (pattern, target) and retires the open ones a later run no longer yields.

Patterns:
- dormant_hub: a hub (segments.py) that is dormant: the relationships running through it are
  stalled. Suggests pausing it (stage 'paused') so they get reviewed.
- isolated_participant: no relationship at all and no longer new. Suggests pausing it.
- low_confidence_relationship: an inferred relationship with confidence below 0.50 between two
  participants that are not closed. Suggests confirming it.
- duplicate_email: two or more participants (not closed, not system) with the same e-mail
  (trimmed, case-folded). Suggests merging each later one into the earliest created.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from engine.graph import segments as seg
from engine.graph.model import Link, Person
from engine.graph.vocab import CLOSED, SYSTEM_ORIGIN

LOW_CONFIDENCE = Decimal("0.50")
PATTERNS: dict[str, str] = {
    "dormant_hub": "Dormant hub",
    "isolated_participant": "Isolated participant",
    "low_confidence_relationship": "Relationship to confirm",
    "duplicate_email": "Likely duplicate",
}
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Candidate:
    pattern: str
    target_type: str
    target_id: str
    suggested_action: str  # an intervention type (engine.graph.interventions.TYPES)
    params: dict[str, Any] = field(hash=False)
    reason: str
    confidence: Decimal

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.pattern, self.target_type, self.target_id)


def _conf(value: float | Decimal) -> Decimal:
    bounded = min(Decimal(1), max(Decimal(0), Decimal(str(value))))
    return bounded.quantize(TWO_PLACES, rounding=ROUND_HALF_EVEN)


def normalise_email(email: str | None) -> str:
    return (email or "").strip().casefold()


def generate(people: Sequence[Person], links: Sequence[Link], now: datetime) -> list[Candidate]:
    """Every candidate recommendation for this graph at `now`, sorted by (pattern, target id)."""
    by_id = {p.id: p for p in people}
    degree = {p.id: 0 for p in people}
    for link in links:
        degree[link.from_id] = degree.get(link.from_id, 0) + 1
        degree[link.to_id] = degree.get(link.to_id, 0) + 1
    segmentation = seg.segment(people, degree, now)
    found: list[Candidate] = []
    for person in people:
        keys = segmentation.by_person.get(person.id, ())
        idle = seg.idle_days(person, now)
        if "hub" in keys and "dormant" in keys:
            extra = min(1.0, (idle - seg.DORMANT_DAYS) / seg.DORMANT_DAYS)
            found.append(
                Candidate(
                    "dormant_hub",
                    "participant",
                    person.id,
                    "set_stage",
                    {"stage": "paused"},
                    f"{person.display_name} has {degree[person.id]} relationships (a hub: "
                    f"{segmentation.hub_min} or more) and no activity for {idle} days (dormant after "
                    f"{seg.DORMANT_DAYS}). Pausing them flags the relationships that run through them for review.",
                    _conf(0.6 + 0.35 * extra),
                )
            )
        if "isolated" in keys and "new" not in keys:
            found.append(
                Candidate(
                    "isolated_participant",
                    "participant",
                    person.id,
                    "set_stage",
                    {"stage": "paused"},
                    f"{person.display_name} has no relationship with anyone, {idle} days after their last "
                    "activity. Pausing them keeps them out of the active graph until someone connects with them.",
                    _conf(0.9 if "dormant" in keys else 0.7),
                )
            )
    for link in links:
        a, b = by_id.get(link.from_id), by_id.get(link.to_id)
        if a is None or b is None or CLOSED in (a.lifecycle_stage, b.lifecycle_stage):
            continue
        if link.source == "inferred" and link.confidence < LOW_CONFIDENCE:
            found.append(
                Candidate(
                    "low_confidence_relationship",
                    "relationship",
                    link.id,
                    "confirm_relationship",
                    {},
                    f"The relationship '{link.type}' between {a.display_name} and {b.display_name} was inferred "
                    f"with confidence {link.confidence:.2f} (below {LOW_CONFIDENCE:.2f}). Confirm it so it counts "
                    "as known.",
                    _conf(Decimal("0.5") + (LOW_CONFIDENCE - link.confidence)),
                )
            )
    groups: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        email = normalise_email(person.email)
        if email and person.origin != SYSTEM_ORIGIN and person.lifecycle_stage != CLOSED:
            groups[email].append(person)
    for email, same in groups.items():
        if len(same) < 2:
            continue
        same.sort(key=lambda p: (p.created_at, p.id))
        primary = same[0]
        for other in same[1:]:
            same_name = other.display_name.strip().casefold() == primary.display_name.strip().casefold()
            found.append(
                Candidate(
                    "duplicate_email",
                    "participant",
                    other.id,
                    "merge_duplicate",
                    {"primary_id": primary.id},
                    f"{other.display_name} and {primary.display_name} share the e-mail {email}. Merge "
                    f"{other.display_name} into {primary.display_name} (created first): their relationships "
                    f"move over and {other.display_name} is closed.",
                    _conf(0.95 if same_name else 0.8),
                )
            )
    found.sort(key=lambda c: (c.pattern, c.target_id))
    return found


def by_key(candidates: Sequence[Candidate]) -> Mapping[tuple[str, str, str], Candidate]:
    return {c.key: c for c in candidates}
