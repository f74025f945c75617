"""SLA rules in the formula language, the agreement and SLA policy a ticket falls under, due times
and breaches.

**Rules.** An SLA policy has two rules, each one expression of the formula language
(docs/formula-language.md) that gives a number of hours: `response_hours` and `resolution_hours`.
They read the ticket's `priority`, `channel` (the catalog channel's code, "" when none) and `region`
("" when none), all text (so only compared: `priority == "urgent"`); `resolution_hours` may also use
`response_hours`. For example:

    response_hours:   if (priority == "urgent") then 4 else if (priority == "high") then 8 else 24
    resolution_hours: response_hours * (if (channel == "ONLINE") then 2 else 3)

The rules are checked when saved (every syntax, name and type error, with line and column) and
evaluated by the formula engine's reference evaluator (exact decimals; its tape is the explanation).
A rule must give more than 0 and at most MAX_HOURS hours; a row error (a division by zero) or an
out-of-range result leaves that due time empty and says why.

**Which agreement and policy.** An agreement between organizations applies to a ticket when its
provider is the ticket's responsible organization, its customer is the ticket's dealer, the ticket
product's manufacturer or unset (any customer), and it is effective at the ticket's instant. The
most specific customer wins (dealer > manufacturer > any), then the later effective_from, then the
smaller code. Within it, the SLA policies effective at the ticket's instant compete: the higher
priority, then the later effective_from, then the smaller code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import polars as pl

from engine.errors import ValidationFailed
from engine.formula.errors import PlanError
from engine.formula.plan import InputDef, Plan, Step
from engine.formula.table import input_schema
from engine.formula.tape import build_tape
from engine.formula.validator import CompiledPlan, validate
from engine.service.policy import iso, micros

INPUTS: tuple[tuple[str, str], ...] = (("priority", "text"), ("channel", "text"), ("region", "text"))
RESPONSE, RESOLUTION = "response_hours", "resolution_hours"
RULES = (RESPONSE, RESOLUTION)
FIELD_OF = {RESPONSE: "response_hours_expr", RESOLUTION: "resolution_hours_expr"}
MAX_HOURS = Decimal(87600)  # ten years
_ROW = "ticket"


def _plan(response_expr: str, resolution_expr: str) -> Plan:
    return Plan(
        name="sla",
        version="1",
        inputs=tuple(InputDef(k, d) for k, d in INPUTS),
        steps=(Step(10, RESPONSE, response_expr), Step(20, RESOLUTION, resolution_expr)),
    )


def compile_rules(response_expr: str, resolution_expr: str) -> CompiledPlan:
    """The two rules checked together; every problem raised at once as a 422 naming its field."""
    fields: dict[str, str] = {}
    for name, text in ((RESPONSE, response_expr), (RESOLUTION, resolution_expr)):
        if not isinstance(text, str) or not text.strip():
            fields[FIELD_OF[name]] = "required"
    if fields:
        raise ValidationFailed(f"SLA rules required: {', '.join(fields)}", fields=fields)
    try:
        return validate(_plan(response_expr, resolution_expr))
    except PlanError as exc:
        for issue in exc.issues:
            where = f"line {issue.line}, column {issue.column}: " if issue.line is not None else ""
            key = FIELD_OF.get(issue.step or "", "rules")
            fields.setdefault(key, where + issue.message)
        raise ValidationFailed(
            "the SLA rules are not valid: " + "; ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields
        ) from None


@dataclass(frozen=True, slots=True)
class RuleValue:
    """One rule's evaluation: hours (None when it failed), the error, and what it read and chose."""

    name: str
    expr: str
    hours: Decimal | None
    error: str | None
    refs: dict[str, str] = field(default_factory=dict)
    branches: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.name,
            "expr": self.expr,
            "hours": None if self.hours is None else format(self.hours.normalize(), "f"),
            "error": self.error,
            "refs": dict(self.refs),
            "branches": list(self.branches),
        }


@dataclass(frozen=True, slots=True)
class SlaHours:
    inputs: dict[str, str]
    response: RuleValue
    resolution: RuleValue

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": dict(self.inputs), "rules": [self.response.to_dict(), self.resolution.to_dict()]}


def _checked(value: str | None, error: str | None) -> tuple[Decimal | None, str | None]:
    if error is not None or value is None:
        return None, error or "no value"
    hours = Decimal(value)
    if hours <= 0:
        return None, f"gave {hours.normalize():f} hours; a due time needs more than 0"
    if hours > MAX_HOURS:
        return None, f"gave {hours.normalize():f} hours; at most {MAX_HOURS} are allowed"
    return hours, None


def evaluate(compiled: CompiledPlan, *, priority: str, channel: str | None, region: str | None) -> SlaHours:
    """Both rules for one ticket, by the formula engine's reference evaluator (its tape)."""
    values = {"priority": priority, "channel": channel or "", "region": region or ""}
    frame = pl.DataFrame({"employee_ref": [_ROW], **{k: [v] for k, v in values.items()}}, schema=input_schema(compiled))
    tape = build_tape(compiled, frame, _ROW)
    out: dict[str, RuleValue] = {}
    for step in tape.steps:
        error = step.error
        if step.status == "not_run":
            error = f"not evaluated: {tape.error}" if tape.error else "not evaluated"
        hours, problem = _checked(step.result, error)
        out[step.name] = RuleValue(
            step.name, step.expr, hours, problem, dict(step.refs), tuple(dict(b) for b in step.branches)
        )
    return SlaHours(values, out[RESPONSE], out[RESOLUTION])


def due_at(start: datetime, hours: Decimal | None) -> datetime | None:
    """`start` plus `hours` (exact to the microsecond, half-even), or None without hours."""
    if hours is None:
        return None
    us = (hours * 3_600_000_000).to_integral_value(rounding=ROUND_HALF_EVEN)
    return start + timedelta(microseconds=int(us))


def breached(due: datetime | None, met_at: datetime | None, now: datetime) -> bool:
    """Whether a target is breached: met after its due time, or still unmet past it."""
    if due is None:
        return False
    return (met_at if met_at is not None else now) > due


# which agreement and SLA policy


@dataclass(frozen=True, slots=True)
class Agreement:
    id: str
    code: str
    name: str
    provider_org_id: str
    effective_from: datetime
    customer_org_id: str | None = None
    effective_to: datetime | None = None

    def effective_at(self, at: datetime) -> bool:
        return self.effective_from <= at and (self.effective_to is None or at < self.effective_to)


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    id: str
    agreement_id: str
    code: str
    name: str
    effective_from: datetime
    response_hours_expr: str
    resolution_hours_expr: str
    effective_to: datetime | None = None
    priority: int = 0

    def effective_at(self, at: datetime) -> bool:
        return self.effective_from <= at and (self.effective_to is None or at < self.effective_to)


@dataclass(frozen=True, slots=True)
class Considered:
    """An agreement or SLA policy as the chooser saw it."""

    id: str
    code: str
    outcome: str  # winner | outranked | excluded
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "code": self.code, "outcome": self.outcome, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class SlaChoice:
    agreement: Agreement | None
    policy: SlaPolicy | None
    summary: str
    agreements: tuple[Considered, ...] = ()
    policies: tuple[Considered, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement_id": self.agreement.id if self.agreement else None,
            "agreement_code": self.agreement.code if self.agreement else None,
            "sla_policy_id": self.policy.id if self.policy else None,
            "sla_policy_code": self.policy.code if self.policy else None,
            "summary": self.summary,
            "agreements": [c.to_dict() for c in self.agreements],
            "sla_policies": [c.to_dict() for c in self.policies],
        }


def _customer_rank(a: Agreement, dealer_id: str | None, manufacturer_id: str | None) -> int | None:
    if a.customer_org_id is None:
        return 3
    if dealer_id is not None and a.customer_org_id == dealer_id:
        return 1
    if manufacturer_id is not None and a.customer_org_id == manufacturer_id:
        return 2
    return None


_CUSTOMER_WORDS = {1: "the ticket's dealer", 2: "the product's manufacturer", 3: "any customer"}


def choose(
    at: datetime,
    responsible_org_id: str | None,
    dealer_org_id: str | None,
    manufacturer_org_id: str | None,
    agreements: Iterable[Agreement],
    policies: Iterable[SlaPolicy],
) -> SlaChoice:
    """The agreement and SLA policy for a ticket at `at` (None when none applies), explained."""
    if responsible_org_id is None:
        return SlaChoice(None, None, "No SLA: the ticket has no responsible organization.")
    seen: list[Considered] = []
    fits: list[tuple[int, Agreement]] = []
    for a in agreements:
        rank = _customer_rank(a, dealer_org_id, manufacturer_org_id)
        if a.provider_org_id != responsible_org_id:
            seen.append(Considered(a.id, a.code, "excluded", "its provider is not the responsible organization"))
        elif rank is None:
            seen.append(Considered(a.id, a.code, "excluded", "its customer is neither the dealer nor the manufacturer"))
        elif not a.effective_at(at):
            seen.append(Considered(a.id, a.code, "excluded", f"not effective at {iso(at)}"))
        else:
            fits.append((rank, a))
    if not fits:
        return SlaChoice(None, None, "No SLA: no agreement with the responsible organization applies.", tuple(seen))
    fits.sort(key=lambda ra: (ra[0], -micros(ra[1].effective_from), ra[1].code))
    rank, agreement = fits[0]
    chosen = [
        Considered(agreement.id, agreement.code, "winner", f"provider responsible, customer {_CUSTOMER_WORDS[rank]}")
    ]
    for other_rank, other in fits[1:]:
        why = (
            f"customer {_CUSTOMER_WORDS[other_rank]} is less specific"
            if other_rank != rank
            else "same customer, earlier effective_from or later code"
        )
        chosen.append(Considered(other.id, other.code, "outranked", why))
    considered_agreements = tuple(chosen + seen)

    pols: list[Considered] = []
    live: list[SlaPolicy] = []
    for p in policies:
        if p.agreement_id != agreement.id:
            continue
        if p.effective_at(at):
            live.append(p)
        else:
            pols.append(Considered(p.id, p.code, "excluded", f"not effective at {iso(at)}"))
    if not live:
        summary = f"No SLA: agreement {agreement.code} has no SLA policy effective at {iso(at)}."
        return SlaChoice(agreement, None, summary, considered_agreements, tuple(pols))
    live.sort(key=lambda p: (-p.priority, -micros(p.effective_from), p.code))
    best = live[0]
    ranked = [Considered(best.id, best.code, "winner", "highest priority, latest effective_from, smallest code")]
    ranked += [Considered(p.id, p.code, "outranked", f"priority {p.priority} ≤ {best.priority}") for p in live[1:]]
    summary = f"SLA policy {best.code} ('{best.name}') of agreement {agreement.code} ('{agreement.name}')."
    return SlaChoice(agreement, best, summary, considered_agreements, tuple(ranked + pols))
