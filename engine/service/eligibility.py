"""Which engineers may take a ticket, ranked, each with the reason for its place.

**Eligible** (checked in this order; the first failure is the engineer's one reason): active; a
member of the required organization (the ticket's responsible organization) at the instant asked;
covering the region (when one is asked); holding every required skill (at any level 1–5).

**Ranking** of the eligible (RANK_RULE): primary coverage of the region before secondary, then the
higher total level over the required skills, then fewer open tickets assigned, then the name, then
the id. Each engineer's `detail` says what placed it below the one ranked just above it.

The engine ranks what it is given; the models layer reads engineers, memberships valid at the
instant, skills, coverage and open-ticket counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

R_INACTIVE = "inactive"
R_NOT_MEMBER = "not_member"
R_OUTSIDE = "outside_region"
R_MISSING_SKILLS = "missing_skills"
R_ELIGIBLE = "eligible"

RANK_RULE = (
    "Eligible engineers are ranked by primary coverage of the region before secondary, then the higher total "
    "level over the required skills, then fewer open tickets, then name."
)


@dataclass(frozen=True, slots=True)
class EngineerFacts:
    id: str
    code: str
    name: str
    active: bool = True
    # organization id → name, memberships effective at the instant asked
    orgs: Mapping[str, str] = field(default_factory=dict)
    skills: Mapping[str, int] = field(default_factory=dict)  # skill → level 1..5
    coverage: Mapping[str, bool] = field(default_factory=dict)  # region → primary?
    open_tickets: int = 0


@dataclass(frozen=True, slots=True)
class Need:
    """What the work needs: skills, a region, an organization (id and name for the sentences)."""

    skills: tuple[str, ...] = ()
    region: str | None = None
    org_id: str | None = None
    org_name: str | None = None


@dataclass(frozen=True, slots=True)
class Ranked:
    engineer: EngineerFacts
    eligible: bool
    rank: int | None
    reason: str  # eligible | inactive | not_member | outside_region | missing_skills
    summary: str  # why it may or may not take the work
    detail: str = ""  # for the eligible: what placed it below the one above
    skill_points: int = 0
    primary: bool = False

    def to_dict(self) -> dict[str, Any]:
        e = self.engineer
        return {
            "engineer_id": e.id,
            "code": e.code,
            "name": e.name,
            "eligible": self.eligible,
            "rank": self.rank,
            "reason": self.reason,
            "summary": self.summary,
            "detail": self.detail,
            "skill_points": self.skill_points,
            "primary_coverage": self.primary,
            "open_tickets": e.open_tickets,
            "skills": dict(sorted(e.skills.items())),
            "regions": sorted(e.coverage),
            "organizations": sorted(e.orgs.values()),
        }


def _fold(text: str) -> str:
    return text.strip().casefold()


def _coverage(engineer: EngineerFacts, region: str | None) -> bool | None:
    """True: primary for the region (or no region asked); False: secondary; None: not covered."""
    if not region:
        return True
    for name, primary in engineer.coverage.items():
        if _fold(name) == _fold(region):
            return bool(primary)
    return None


def _refusal(engineer: EngineerFacts, need: Need) -> tuple[str, str] | None:
    if not engineer.active:
        return R_INACTIVE, f"{engineer.name} is inactive"
    if need.org_id is not None and need.org_id not in engineer.orgs:
        member_of = ", ".join(sorted(engineer.orgs.values())) or "no organization"
        return R_NOT_MEMBER, f"not a member of {need.org_name or need.org_id} (member of {member_of})"
    if _coverage(engineer, need.region) is None:
        covered = ", ".join(sorted(engineer.coverage)) or "no region"
        return R_OUTSIDE, f"does not cover {need.region} (covers {covered})"
    missing = [s for s in need.skills if s not in engineer.skills]
    if missing:
        return R_MISSING_SKILLS, f"lacks {', '.join(missing)}"
    return None


def _points(engineer: EngineerFacts, need: Need) -> int:
    return sum(engineer.skills.get(s, 0) for s in need.skills)


def _summary(engineer: EngineerFacts, need: Need, primary: bool, points: int) -> str:
    parts = []
    if need.org_id is not None:
        parts.append(f"member of {need.org_name or need.org_id}")
    if need.region:
        parts.append(f"covers {need.region} ({'primary' if primary else 'secondary'})")
    if need.skills:
        parts.append("skills " + ", ".join(f"{s} {engineer.skills[s]}" for s in need.skills) + f" ({points} points)")
    open_n = engineer.open_tickets
    parts.append(f"{open_n} open ticket{'' if open_n == 1 else 's'}")
    return "; ".join(parts)


def _below(lower: Ranked, upper: Ranked) -> str:
    if lower.primary != upper.primary:
        return f"secondary coverage, {upper.engineer.name} is primary"
    if lower.skill_points != upper.skill_points:
        return f"fewer skill points ({lower.skill_points} < {upper.skill_points} of {upper.engineer.name})"
    if lower.engineer.open_tickets != upper.engineer.open_tickets:
        return (
            f"more open tickets ({lower.engineer.open_tickets} > {upper.engineer.open_tickets} of "
            f"{upper.engineer.name})"
        )
    return f"tie with {upper.engineer.name}; ordered by name"


def rank(need: Need, engineers: Iterable[EngineerFacts]) -> list[Ranked]:
    """The eligible engineers ranked (rank 1 first), then the others with their reasons (by name)."""
    eligible: list[Ranked] = []
    others: list[Ranked] = []
    for e in engineers:
        refusal = _refusal(e, need)
        if refusal is not None:
            others.append(Ranked(e, False, None, refusal[0], refusal[1]))
            continue
        primary = bool(_coverage(e, need.region))
        points = _points(e, need)
        eligible.append(Ranked(e, True, None, R_ELIGIBLE, _summary(e, need, primary, points), "", points, primary))
    eligible.sort(
        key=lambda r: (not r.primary, -r.skill_points, r.engineer.open_tickets, r.engineer.name, r.engineer.id)
    )
    placed: list[Ranked] = []
    for i, r in enumerate(eligible):
        detail = "ranked first" if i == 0 else _below(r, placed[-1])
        placed.append(Ranked(r.engineer, True, i + 1, R_ELIGIBLE, r.summary, detail, r.skill_points, r.primary))
    others.sort(key=lambda r: (r.engineer.name, r.engineer.id))
    return placed + others
