"""The service pages' display rows (frozen dataclasses of display strings and real bools) and the
functions that build them from the module's queries. They run in a worker thread (`kit.calls.call`);
no ORM and no session here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.web.kit import format as fmt
from app.web.kit.rows import Option
from engine.context import TenantContext
from engine.errors import NotFound
from engine.service.flags import ENABLE_ENGINEERS
from engine.service.permissions import TICKETS_ASSIGN
from models.service import queries
from models.service.public import AgreementPublic, EligibilityPublic, EngineerPublic, PolicyPublic, TicketPublic

DASH = fmt.DASH


def _when(value: datetime | None) -> str:
    return fmt.when(value) if value else DASH


def _iso_when(text: str | None) -> str:
    return fmt.stamp(text, seconds=False) if text else DASH


@dataclass(frozen=True)
class TicketRow:
    id: str = ""
    code: str = ""
    title: str = ""
    priority: str = ""
    status: str = ""
    responsible: str = ""
    engineer: str = ""
    region: str = ""
    opened: str = ""
    response_due: str = ""
    resolution_due: str = ""
    breached: bool = False
    href: str = ""


def ticket_row(t: TicketPublic) -> TicketRow:
    return TicketRow(
        id=str(t.id),
        code=t.code,
        title=t.title,
        priority=t.priority,
        status=t.status,
        responsible=t.responsible_org or DASH,
        engineer=t.assigned_engineer or DASH,
        region=t.region or DASH,
        opened=_when(t.opened_at),
        response_due=_when(t.response_due_at),
        resolution_due=_when(t.resolution_due_at),
        breached=t.response_breached or t.resolution_breached,
        href=f"/service/tickets/{t.id}",
    )


def _options(choices: list[queries.Choice]) -> list[Option]:
    return [Option(c.id, c.label) for c in choices]


@dataclass(frozen=True)
class TicketList:
    rows: list[TicketRow]
    dealers: list[Option]
    skus: list[Option]
    channels: list[Option]


def ticket_list(ctx: TenantContext, breached_only: bool) -> TicketList:
    page = queries.ticket_page(ctx, breached=True if breached_only else None, limit=200)
    picks = queries.pickers(ctx)
    return TicketList(
        [ticket_row(t) for t in page.items], _options(picks.dealers), _options(picks.skus), _options(picks.channels)
    )


# one ticket


@dataclass(frozen=True)
class TicketHeader:
    id: str = ""
    code: str = ""
    title: str = ""
    description: str = ""
    priority: str = ""
    status: str = ""
    dealer: str = ""
    sku: str = ""
    channel: str = ""
    region: str = ""
    skills: str = ""
    responsible: str = ""
    opened: str = ""
    response_due: str = ""
    resolution_due: str = ""
    first_response: str = ""
    resolved: str = ""
    response_breached: bool = False
    resolution_breached: bool = False
    engineer: str = ""
    assigned_at: str = ""
    assignment_note: str = ""
    why_summary: str = ""
    assigned_by_policy: bool = False
    sla_summary: str = ""


@dataclass(frozen=True)
class PolicyLine:
    code: str = ""
    name: str = ""
    outcome: str = ""
    reason: str = ""
    detail: str = ""
    level: str = ""


@dataclass(frozen=True)
class StepLine:
    step: str = ""
    role: str = ""
    org: str = ""
    outcome: str = ""
    reason: str = ""
    detail: str = ""


@dataclass(frozen=True)
class RuleLine:
    rule: str = ""
    expr: str = ""
    hours: str = ""
    error: str = ""
    read: str = ""


@dataclass(frozen=True)
class RankLine:
    id: str = ""
    name: str = ""
    code: str = ""
    eligible: bool = False
    rank: str = ""
    reason: str = ""
    summary: str = ""
    detail: str = ""


def policy_lines(provenance: dict[str, Any] | None) -> list[PolicyLine]:
    return [
        PolicyLine(p["code"], p["name"], p["outcome"], fmt.label(p["reason"]), p["detail"], fmt.label(p["level"]))
        for p in (provenance or {}).get("policies", [])
    ]


def step_lines(provenance: dict[str, Any] | None) -> list[StepLine]:
    return [
        StepLine(
            str(s["step"]),
            s["role"],
            s.get("org_name") or DASH,
            fmt.label(s["outcome"]),
            fmt.label(s["reason"]),
            s["detail"],
        )
        for s in (provenance or {}).get("steps", [])
    ]


def rule_lines(evaluation: dict[str, Any] | None) -> list[RuleLine]:
    return [
        RuleLine(
            r["rule"].replace("_", " "),
            r["expr"],
            f"{r['hours']} h" if r.get("hours") is not None else DASH,
            r.get("error") or "",
            ", ".join(f"{k} = {v}" for k, v in (r.get("refs") or {}).items()),
        )
        for r in (evaluation or {}).get("rules", [])
    ]


def rank_lines(found: EligibilityPublic) -> list[RankLine]:
    return [
        RankLine(
            str(r.engineer_id),
            r.name,
            r.code,
            r.eligible,
            f"#{r.rank}" if r.rank else "",
            fmt.label(r.reason),
            r.summary,
            r.detail,
        )
        for r in found.items
    ]


def ticket_view(ctx: TenantContext, ticket_id: str) -> dict[str, Any]:
    """Everything the ticket page shows (DecisionDialogMixin's record data)."""
    t = queries.ticket(ctx, ticket_id)
    prov = t.policy_provenance
    sla = t.sla_provenance or {}
    engineers_on = queries.flags(ctx)[ENABLE_ENGINEERS]
    ranked = rank_lines(queries.ticket_eligible_engineers(ctx, t.id)) if engineers_on else []
    header = TicketHeader(
        id=str(t.id),
        code=t.code,
        title=t.title,
        description=t.description or "",
        priority=t.priority,
        status=t.status,
        dealer=t.dealer or DASH,
        sku=t.sku or DASH,
        channel=t.channel or DASH,
        region=t.region or DASH,
        skills=", ".join(t.required_skills) or DASH,
        responsible=t.responsible_org or DASH,
        opened=_when(t.opened_at),
        response_due=_when(t.response_due_at),
        resolution_due=_when(t.resolution_due_at),
        first_response=_when(t.first_response_at),
        resolved=_when(t.resolved_at),
        response_breached=t.response_breached,
        resolution_breached=t.resolution_breached,
        engineer=t.assigned_engineer or "",
        assigned_at=_when(t.assigned_at),
        assignment_note=t.assignment_note or "",
        why_summary=(prov or {}).get(
            "summary", "Responsible-organization assignment was off when this ticket was opened."
        ),
        assigned_by_policy=prov is not None,
        sla_summary=sla.get("summary", ""),
    )
    return {
        "ticket": header,
        "actions": [{"action": a.action, "label": a.label, "reason": a.reason_required} for a in t.actions],
        "policies": policy_lines(prov),
        "steps": step_lines(prov),
        "rules": rule_lines(sla.get("evaluation")),
        "engineers": ranked,
        "engineers_on": engineers_on,
        "can_assign": engineers_on and ctx.can(TICKETS_ASSIGN) and t.status not in ("closed", "cancelled"),
    }


# policies and "why this organization?"


@dataclass(frozen=True)
class PolicyRow:
    id: str = ""
    code: str = ""
    name: str = ""
    scope: str = ""
    steps: str = ""
    default: str = ""
    priority: str = ""
    enabled: bool = True
    window: str = ""


def _step_text(step: Any, names: dict[str, str]) -> str:
    who = names.get(str(step.org_id), "an organization") if step.role == "organization" else step.role
    extra = []
    if step.territories:
        extra.append("in " + ", ".join(step.territories))
    if step.certification:
        extra.append(f"certified '{step.certification}'")
    return who + (f" ({'; '.join(extra)})" if extra else "")


def policy_row(p: PolicyPublic, names: dict[str, str]) -> PolicyRow:
    scope = []
    if p.manufacturer_org_id:
        scope.append(names.get(str(p.manufacturer_org_id), "a manufacturer"))
    if p.category:
        scope.append(f"category {p.category}")
    return PolicyRow(
        id=str(p.id),
        code=p.code,
        name=p.name,
        scope=", ".join(scope) or "every ticket",
        steps=" → ".join(_step_text(s, names) for s in p.steps),
        default=names.get(str(p.default_org_id), DASH) if p.default_org_id else DASH,
        priority=str(p.priority),
        enabled=p.enabled,
        window=f"{fmt.when(p.effective_from, time=False)} → {fmt.when(p.effective_to, time=False) or 'open'}",
    )


@dataclass(frozen=True)
class PolicyPage:
    rows: list[PolicyRow]
    dealers: list[Option]
    skus: list[Option]
    providers: list[Option]  # the forms' organization pickers
    manufacturers: list[Option]


def policy_page(ctx: TenantContext) -> PolicyPage:
    picks = queries.pickers(ctx)
    names = {c.id: c.label.rsplit(" (", 1)[0] for c in picks.providers}
    page = queries.policy_page(ctx, limit=200)
    makers = [c for c in picks.providers if c.label.endswith("(manufacturer)")]
    return PolicyPage(
        [policy_row(p, names) for p in page.items],
        _options(picks.dealers),
        _options(picks.skus),
        _options(picks.providers),
        _options(makers),
    )


@dataclass(frozen=True)
class Explained:
    summary: str
    policies: list[PolicyLine]
    steps: list[StepLine]


def explain(
    ctx: TenantContext, dealer: str | None, sku: str | None, region: str | None, at: datetime | None
) -> Explained:
    answer = queries.explain_responsibility(
        ctx,
        dealer_org_id=fmt.parse_uuid(dealer) if dealer else None,
        sku_id=fmt.parse_uuid(sku) if sku else None,
        region=region or None,
        at=at,
    )
    return Explained(answer["summary"], policy_lines(answer), step_lines(answer))


# engineers


@dataclass(frozen=True)
class EngineerRow:
    id: str = ""
    code: str = ""
    name: str = ""
    organizations: str = ""
    skills: str = ""
    coverage: str = ""
    open_tickets: str = ""
    active: bool = True


def engineer_row(e: EngineerPublic) -> EngineerRow:
    return EngineerRow(
        id=str(e.id),
        code=e.code,
        name=e.name,
        organizations=", ".join(sorted({m.org_name for m in e.memberships})) or DASH,
        skills=", ".join(f"{s.skill} {s.level}" for s in e.skills) or DASH,
        coverage=", ".join(f"{c.region}{'' if c.primary else ' (secondary)'}" for c in e.coverage) or DASH,
        open_tickets=str(e.open_tickets),
        active=e.is_active,
    )


def engineer_rows(ctx: TenantContext) -> list[EngineerRow]:
    return [engineer_row(e) for e in queries.engineer_page(ctx, limit=200).items]


def provider_options(ctx: TenantContext) -> list[Option]:
    """The organizations an engineer may work for (the service pickers'; none while the tenant has
    ENABLE_SERVICE_POLICIES off, since the pickers live behind it)."""
    try:
        return _options(queries.pickers(ctx).providers)
    except NotFound:
        return []


def eligible(ctx: TenantContext, skills: list[str], region: str | None) -> list[RankLine]:
    return rank_lines(queries.eligible_engineers(ctx, skills=skills, region=region))


# agreements


@dataclass(frozen=True)
class SlaLine:
    code: str = ""
    name: str = ""
    agreement: str = ""
    priority: str = ""
    window: str = ""
    response: str = ""
    resolution: str = ""


@dataclass(frozen=True)
class AgreementRow:
    id: str = ""
    code: str = ""
    name: str = ""
    provider: str = ""
    customer: str = ""
    window: str = ""
    policies: str = ""


def _window(start: datetime, end: datetime | None) -> str:
    return f"{fmt.when(start, time=False)} → {fmt.when(end, time=False) if end else 'open'}"


def agreement_rows(found: list[AgreementPublic]) -> tuple[list[AgreementRow], list[SlaLine]]:
    rows, lines = [], []
    for a in found:
        rows.append(
            AgreementRow(
                str(a.id),
                a.code,
                a.name,
                a.provider,
                a.customer or "any customer",
                _window(a.effective_from, a.effective_to),
                ", ".join(p.code for p in a.sla_policies) or DASH,
            )
        )
        for p in a.sla_policies:
            lines.append(
                SlaLine(
                    p.code,
                    p.name,
                    a.code,
                    str(p.priority),
                    _window(p.effective_from, p.effective_to),
                    p.response_hours_expr,
                    p.resolution_hours_expr,
                )
            )
    return rows, lines


def agreements(ctx: TenantContext) -> tuple[list[AgreementRow], list[SlaLine]]:
    return agreement_rows(queries.agreement_page(ctx, limit=200).items)


def try_rules(
    ctx: TenantContext, response: str, resolution: str, priority: str, channel: str | None, region: str | None
) -> list[RuleLine]:
    found = queries.try_sla(
        ctx,
        response_hours_expr=response,
        resolution_hours_expr=resolution,
        priority=priority,
        channel=channel,
        region=region,
    )
    return rule_lines(found)
