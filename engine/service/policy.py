"""Who is responsible for a ticket: the explainable service-policy resolver ("why this organization?").

It mirrors the price resolver (engine/pricing/resolver.py): every policy is a candidate with one
outcome (`winner`, `outranked`, `excluded`) and one reason, then the winning policy's steps are
walked in order and each candidate organization is accepted or skipped with one reason.

**Which policy.** A policy applies to a ticket when it is enabled, effective at the ticket's instant
(`[effective_from, effective_to)`), and its manufacturer and product category are either unset or
equal to the ticket's. The most specific applicable policy wins — `manufacturer_category` >
`manufacturer` > `category` > `global` — then the higher priority, then the later effective_from,
then the smaller code (POLICY_TIE_BREAK).

**Which organization.** The winner's steps are tried in order (e.g. manufacturer → distributor →
dealer). A step names a role: the ticket product's `manufacturer`, the dealer's `distributor`(s)
(organizations with a `distributes_to` relationship to the dealer, effective at the ticket's instant;
tried by name), the ticket's `dealer`, or one fixed `organization` (a service partner). Each
candidate organization must be active, cover the ticket's region — the step's `territories` when the
step lists some, else the organization's own coverage (its profile's regions / region / service
areas; none stated means everywhere) — and hold the step's `certification` (valid at the ticket's
instant) when the step asks for one. The first candidate that passes is responsible. When none does,
the policy's `default_org_id` is; without one, nobody is (`responsible_org_id` stays empty and the
explanation says why).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WINNER, OUTRANKED, EXCLUDED = "winner", "outranked", "excluded"
CHOSEN, SKIPPED, NOT_REACHED = "chosen", "skipped", "not_reached"

# policy reasons
R_WINNER = "winner"
R_DISABLED = "disabled"
R_OTHER_MANUFACTURER = "other_manufacturer"
R_OTHER_CATEGORY = "other_category"
R_NOT_YET = "not_yet_effective"
R_EXPIRED = "expired"
R_LOWER_PRECEDENCE = "lower_precedence"
R_LOWER_PRIORITY = "lower_priority"
R_EARLIER_FROM = "earlier_effective_from"
R_HIGHER_CODE = "higher_code"
# step reasons
S_CHOSEN = "chosen"
S_NO_ORG = "no_org"
S_INACTIVE = "inactive"
S_NO_REGION = "no_region"
S_OUTSIDE = "outside_territory"
S_CERT = "missing_certification"
S_NOT_REACHED = "not_reached"
# how the answer was reached
BY_STEP = "step"
BY_DEFAULT = "default_org"
BY_NOBODY = "no_org"
BY_NO_POLICY = "no_policy"

POLICY_TIE_BREAK = (
    "The most specific applicable policy wins (manufacturer and category > manufacturer > category > "
    "global), then the higher priority, then the later effective_from, then the smaller code."
)


class Level(IntEnum):
    """Precedence of a policy; a lower value is more specific and wins."""

    MANUFACTURER_CATEGORY = 1
    MANUFACTURER = 2
    CATEGORY = 3
    GLOBAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def of(cls, manufacturer_org_id: str | None, category: str | None) -> Level:
        if manufacturer_org_id is not None and category is not None:
            return cls.MANUFACTURER_CATEGORY
        if manufacturer_org_id is not None:
            return cls.MANUFACTURER
        if category is not None:
            return cls.CATEGORY
        return cls.GLOBAL


LEVEL_DESCRIPTIONS = {
    Level.MANUFACTURER_CATEGORY: "policy for this manufacturer's products of this category",
    Level.MANUFACTURER: "policy for this manufacturer's products",
    Level.CATEGORY: "policy for this product category, any manufacturer",
    Level.GLOBAL: "policy for every ticket",
}


@dataclass(frozen=True, slots=True)
class PolicyStep:
    role: str  # manufacturer | distributor | dealer | organization
    org_id: str | None = None  # the fixed organization of an `organization` step
    territories: tuple[str, ...] = ()  # empty: the organization's own coverage
    certification: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "org_id": self.org_id,
            "territories": list(self.territories),
            "certification": self.certification,
        }


@dataclass(frozen=True, slots=True)
class ServicePolicy:
    id: str
    code: str
    name: str
    steps: tuple[PolicyStep, ...]
    effective_from: datetime
    effective_to: datetime | None = None
    manufacturer_org_id: str | None = None
    category: str | None = None
    default_org_id: str | None = None
    priority: int = 0
    enabled: bool = True

    @property
    def level(self) -> Level:
        return Level.of(self.manufacturer_org_id, self.category)

    def rank_key(self) -> tuple[int, int, int, str]:
        return (int(self.level), -self.priority, -micros(self.effective_from), self.code)


@dataclass(frozen=True, slots=True)
class OrgFacts:
    """What the resolver knows of an organization. `coverage`: the regions it serves (from its
    profile); None when it states none (it serves everywhere). `certifications`: valid at the
    ticket's instant."""

    id: str
    name: str
    type: str
    status: str = "active"
    coverage: tuple[str, ...] | None = None
    certifications: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """The ticket as the policies see it."""

    at: datetime
    region: str | None = None
    category: str | None = None
    manufacturer: OrgFacts | None = None
    distributors: tuple[OrgFacts, ...] = ()
    dealer: OrgFacts | None = None
    # every other organization a step or a default may name (fixed `organization` steps)
    orgs: Mapping[str, OrgFacts] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PolicyCandidate:
    policy: ServicePolicy
    outcome: str
    reason: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        p = self.policy
        return {
            "policy_id": p.id,
            "code": p.code,
            "name": p.name,
            "outcome": self.outcome,
            "reason": self.reason,
            "detail": self.detail,
            "level": p.level.label,
            "priority": p.priority,
            "manufacturer_org_id": p.manufacturer_org_id,
            "category": p.category,
            "effective_from": iso(p.effective_from),
            "effective_to": iso(p.effective_to) if p.effective_to else None,
        }


@dataclass(frozen=True, slots=True)
class StepTrace:
    index: int  # 1-based position in the policy
    role: str
    org_id: str | None
    org_name: str | None
    outcome: str  # chosen | skipped | not_reached
    reason: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.index,
            "role": self.role,
            "org_id": self.org_id,
            "org_name": self.org_name,
            "outcome": self.outcome,
            "reason": self.reason,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Responsibility:
    """The responsible organization (or none) and the full explanation of how it was found."""

    org_id: str | None
    org_name: str | None
    policy_id: str | None
    policy_code: str | None
    decided_by: str  # step | default_org | no_org | no_policy
    step: int | None
    summary: str
    at: datetime
    region: str | None
    candidates: tuple[PolicyCandidate, ...] = ()
    steps: tuple[StepTrace, ...] = ()

    @property
    def winner(self) -> PolicyCandidate | None:
        return next((c for c in self.candidates if c.outcome == WINNER), None)

    def to_dict(self) -> dict[str, Any]:
        winner = self.winner
        return {
            "responsible_org_id": self.org_id,
            "responsible_org": self.org_name,
            "policy_id": self.policy_id,
            "policy_code": self.policy_code,
            "level": winner.policy.level.label if winner else None,
            "decided_by": self.decided_by,
            "step": self.step,
            "summary": self.summary,
            "at": iso(self.at),
            "region": self.region,
            "tie_break_rule": POLICY_TIE_BREAK,
            "policies": [c.to_dict() for c in self.candidates],
            "steps": [s.to_dict() for s in self.steps],
        }


def micros(moment: datetime) -> int:
    """Exact integer microseconds since the epoch (no float rounding)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def policy_exclusion(policy: ServicePolicy, ticket: TicketFacts) -> tuple[str, str] | None:
    """Why `policy` does not apply to the ticket (reason, sentence), or None when it applies.
    Checked in a fixed order so each policy gets one stable reason."""
    if not policy.enabled:
        return R_DISABLED, "the policy is disabled"
    if policy.manufacturer_org_id is not None:
        made_by = ticket.manufacturer.id if ticket.manufacturer else None
        if policy.manufacturer_org_id != made_by:
            theirs = f"{ticket.manufacturer.name}" if ticket.manufacturer else "no known manufacturer"
            return R_OTHER_MANUFACTURER, f"the policy is for another manufacturer; the ticket's product has {theirs}"
    if policy.category is not None and not _same(policy.category, ticket.category):
        asked = f"'{ticket.category}'" if ticket.category else "no category"
        return R_OTHER_CATEGORY, f"the policy is for category '{policy.category}'; the ticket's product has {asked}"
    if ticket.at < policy.effective_from:
        return R_NOT_YET, f"the policy takes effect at {iso(policy.effective_from)}, after {iso(ticket.at)}"
    if policy.effective_to is not None and ticket.at >= policy.effective_to:
        return R_EXPIRED, f"the policy ended at {iso(policy.effective_to)} (exclusive), at or before {iso(ticket.at)}"
    return None


def _outranked(loser: ServicePolicy, winner: ServicePolicy) -> tuple[str, str]:
    if loser.level != winner.level:
        return (
            R_LOWER_PRECEDENCE,
            f"applies, but '{loser.level.label}' ranks below '{winner.level.label}' of policy {winner.code}",
        )
    if loser.priority != winner.priority:
        return R_LOWER_PRIORITY, f"same precedence, lower priority ({loser.priority} < {winner.priority})"
    if loser.effective_from != winner.effective_from:
        return (
            R_EARLIER_FROM,
            f"same precedence and priority, earlier effective_from ({iso(loser.effective_from)} < "
            f"{iso(winner.effective_from)})",
        )
    return R_HIGHER_CODE, f"same precedence, priority and effective_from; code {loser.code} sorts after {winner.code}"


def covers(region: str | None, territories: Iterable[str] | None) -> bool | None:
    """True/False: the region is / is not in `territories`; None: the ticket names no region."""
    if territories is None:
        return True
    listed = [t for t in territories if t.strip()]
    if not listed:
        return True
    if not region:
        return None
    return any(_same(region, t) for t in listed)


def _candidates(step: PolicyStep, ticket: TicketFacts) -> tuple[list[OrgFacts], str]:
    """The organizations a step names for this ticket, and what to say when there are none."""
    if step.role == "manufacturer":
        found = [ticket.manufacturer] if ticket.manufacturer else []
        return found, "the ticket's product has no known manufacturer"
    if step.role == "distributor":
        if ticket.dealer is None:
            return [], "the ticket names no dealer, so no distributor can be found"
        return list(ticket.distributors), f"no distributor distributes to {ticket.dealer.name} at the ticket's time"
    if step.role == "dealer":
        return ([ticket.dealer] if ticket.dealer else []), "the ticket names no dealer"
    org = ticket.orgs.get(step.org_id or "")
    return ([org] if org else []), "the organization this step names is unknown"


def _check_org(step: PolicyStep, org: OrgFacts, ticket: TicketFacts) -> tuple[str, str] | None:
    """Why `org` cannot take the ticket at this step, or None when it can."""
    if org.status != "active":
        return S_INACTIVE, f"{org.name} is {org.status.replace('_', ' ')}, not active"
    if step.territories:
        source, territory = "the step's territories", step.territories
    else:
        source, territory = "its profile", org.coverage
    covered = covers(ticket.region, territory)
    if covered is None:
        return (
            S_NO_REGION,
            f"the ticket names no region and {org.name} serves only {', '.join(territory or ())} ({source})",
        )
    if not covered:
        return (
            S_OUTSIDE,
            f"{org.name} serves {', '.join(territory or ())} ({source}); the ticket is in {ticket.region}",
        )
    if step.certification and step.certification not in org.certifications:
        held = ", ".join(sorted(org.certifications)) or "none"
        return S_CERT, f"{org.name} lacks certification '{step.certification}' (holds: {held})"
    return None


def _accept_detail(step: PolicyStep, org: OrgFacts, ticket: TicketFacts) -> str:
    parts = [f"{org.name} is active"]
    territory = step.territories or org.coverage
    if territory:
        parts.append(f"serves {ticket.region}")
    else:
        parts.append("serves every region")
    if step.certification:
        parts.append(f"holds '{step.certification}'")
    return ", ".join(parts)


def resolve(ticket: TicketFacts, policies: Iterable[ServicePolicy]) -> Responsibility:
    """The responsible organization for `ticket` under `policies`, every policy and step explained."""
    excluded: list[PolicyCandidate] = []
    applicable: list[ServicePolicy] = []
    for policy in policies:
        why = policy_exclusion(policy, ticket)
        if why is None:
            applicable.append(policy)
        else:
            excluded.append(PolicyCandidate(policy, EXCLUDED, why[0], why[1]))
    excluded.sort(key=lambda c: c.policy.rank_key())
    if not applicable:
        summary = "No responsible organization: no service policy applies" + (
            f" ({len(excluded)} excluded)." if excluded else " (there are none)."
        )
        return Responsibility(
            None, None, None, None, BY_NO_POLICY, None, summary, ticket.at, ticket.region, tuple(excluded)
        )

    applicable.sort(key=ServicePolicy.rank_key)
    winner = applicable[0]
    ranked = [
        PolicyCandidate(winner, WINNER, R_WINNER, f"most specific applicable: {LEVEL_DESCRIPTIONS[winner.level]}")
    ]
    for other in applicable[1:]:
        code, detail = _outranked(other, winner)
        ranked.append(PolicyCandidate(other, OUTRANKED, code, detail))
    candidates = tuple(ranked + excluded)

    traces: list[StepTrace] = []
    chosen: tuple[OrgFacts, int] | None = None
    for index, step in enumerate(winner.steps, start=1):
        if chosen is not None:
            traces.append(StepTrace(index, step.role, None, None, NOT_REACHED, S_NOT_REACHED, "an earlier step chose"))
            continue
        orgs, none_text = _candidates(step, ticket)
        if not orgs:
            traces.append(StepTrace(index, step.role, step.org_id, None, SKIPPED, S_NO_ORG, none_text))
            continue
        for org in orgs:
            if chosen is not None:
                traces.append(
                    StepTrace(index, step.role, org.id, org.name, NOT_REACHED, S_NOT_REACHED, "an earlier one chose")
                )
                continue
            refusal = _check_org(step, org, ticket)
            if refusal is None:
                chosen = (org, index)
                traces.append(
                    StepTrace(index, step.role, org.id, org.name, CHOSEN, S_CHOSEN, _accept_detail(step, org, ticket))
                )
            else:
                traces.append(StepTrace(index, step.role, org.id, org.name, SKIPPED, refusal[0], refusal[1]))

    head = f"policy {winner.code} ('{winner.name}', {winner.level.label})"
    if chosen is not None:
        org, index = chosen
        summary = f"{org.name} is responsible: step {index} ({winner.steps[index - 1].role}) of {head}"
        skipped = sum(1 for t in traces if t.outcome == SKIPPED)
        if skipped:
            summary += f", after {skipped} skipped"
        return Responsibility(
            org.id,
            org.name,
            winner.id,
            winner.code,
            BY_STEP,
            index,
            summary + ".",
            ticket.at,
            ticket.region,
            candidates,
            tuple(traces),
        )
    if winner.default_org_id:
        fallback = ticket.orgs.get(winner.default_org_id)
        name = fallback.name if fallback else winner.default_org_id
        summary = f"{name} is responsible as the default of {head}: no step found an organization."
        return Responsibility(
            winner.default_org_id,
            fallback.name if fallback else None,
            winner.id,
            winner.code,
            BY_DEFAULT,
            None,
            summary,
            ticket.at,
            ticket.region,
            candidates,
            tuple(traces),
        )
    summary = f"No responsible organization: no step of {head} found one and the policy has no default."
    return Responsibility(
        None,
        None,
        winner.id,
        winner.code,
        BY_NOBODY,
        None,
        summary,
        ticket.at,
        ticket.region,
        candidates,
        tuple(traces),
    )
