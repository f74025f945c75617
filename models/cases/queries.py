"""Reads of the cases module for routes and pages: each takes ctx, checks `cases.read`, opens its
own transaction and answers read models (models/cases/views.py). A vendor's reads are limited to
its own organization's cases (models.cases.cases.scoped), and RLS limits them again."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy import select as table_select
from sqlmodel import Session, col, select

from engine.cases import rules
from engine.cases.machines import ACTIVE, CASE_MACHINE, EVIDENCE_MACHINE
from engine.cases.permissions import READ
from engine.context import TenantContext
from engine.rbac import Role
from models.cases import cases, evidence, history
from models.cases.cases import CaseFilters
from models.cases.tables import CASE_EVENTS, EVIDENCE_EVENTS, Case, CaseMessage, Evidence, EvidenceVersion
from models.cases.views import (
    CaseDetail,
    CaseView,
    EventView,
    EvidenceFile,
    EvidenceView,
    Option,
    StepView,
    TimelineItem,
    VersionView,
)
from models.catalog.tables import Organization
from models.core.base import utcnow
from models.core.db import tenant_session
from models.core.decision_actions import ActionView
from models.core.pagination import Page
from models.core.tables import Membership, User

MESSAGE_TITLES = {"comment": "Comment", "response": "Response from the vendor", "request": "Request to the vendor"}


def _names(session: Session, ids: Iterable[Any]) -> dict[str, str]:
    keys = set()
    for value in ids:
        try:
            keys.add(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except (TypeError, ValueError):
            continue
    if not keys:
        return {}
    return {str(u.id): u.display_name for u in session.exec(select(User).where(col(User.id).in_(keys))).all()}


def _org_names(session: Session, ctx: TenantContext, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(
        select(Organization.id, Organization.name).where(
            Organization.tenant_id == ctx.tenant_id, col(Organization.id).in_(wanted)
        )
    ).all()
    return {r[0]: r[1] for r in rows}


def _views(session: Session, ctx: TenantContext, rows: list[Case], now: datetime | None = None) -> list[CaseView]:
    """`now`: the moment ages and overdue are counted at (a past one for a case as of then)."""
    orgs = _org_names(session, ctx, {r.vendor_org_id for r in rows})
    people = _names(session, {r.assignee_id for r in rows if r.assignee_id})
    now = now or utcnow()
    out = []
    for r in rows:
        age = rules.age(r.opened_at, r.due_at, now, active=r.status in ACTIVE)
        out.append(
            CaseView(
                id=r.id,
                vendor_id=r.vendor_org_id,
                vendor_name=orgs.get(r.vendor_org_id, ""),
                subject=r.subject,
                case_type=r.case_type,
                type_label=rules.type_label(r.case_type),
                status=r.status,
                assignee_id=r.assignee_id,
                assignee_name=people.get(str(r.assignee_id), "") if r.assignee_id else "",
                opened_at=r.opened_at,
                due_at=r.due_at,
                sla_days=rules.sla_days(r.case_type),
                age_days=age.days,
                overdue=age.overdue,
            )
        )
    return out


def case_view(session: Session, ctx: TenantContext, row: Case) -> CaseView:
    return _views(session, ctx, [row])[0]


def case_page(
    ctx: TenantContext, filters: CaseFilters | None = None, *, limit: int | None = None, cursor: str | None = None
) -> Page[CaseView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        page = cases.case_page(session, ctx, filters or CaseFilters(), limit=limit, cursor=cursor)
        return Page(_views(session, ctx, page.items), page.next_cursor)


def get_case(ctx: TenantContext, case_id: uuid.UUID) -> CaseView:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        return case_view(session, ctx, cases.get_case(session, ctx, case_id))


def _actions(transitions: Iterable[Any]) -> list[ActionView]:
    return [ActionView(t.action, t.display, t.reason_required) for t in transitions]


def _events(session: Session, ctx: TenantContext, table: Table, entity: str, ids: list[uuid.UUID]) -> list[EventView]:
    if not ids:
        return []
    rows = session.execute(
        table_select(table).where(table.c.tenant_id == ctx.tenant_id, table.c.entity_id.in_(ids)).order_by(table.c.at)
    ).all()
    names = _names(session, {r.actor for r in rows})
    return [
        EventView(
            id=r.id,
            entity=entity,
            entity_id=r.entity_id,
            action=r.action,
            from_status=r.from_status,
            to_status=r.to_status,
            reason=r.reason,
            actor_name=names.get(r.actor, "system" if r.actor == "system" else ""),
            actor_role=r.actor_role,
            at=r.at,
        )
        for r in rows
    ]


def _evidence_views(
    session: Session, ctx: TenantContext, rows: list[Evidence], versions: list[EvidenceVersion] | None = None
) -> list[EvidenceView]:
    """`versions`: the versions to show (those uploaded by a past moment); None: all, and the
    decisions this person may take now."""
    past = versions is not None
    if versions is None:
        versions = evidence.versions_of(session, ctx, [r.id for r in rows])
    by_evidence: dict[uuid.UUID, list[EvidenceVersion]] = {}
    for v in versions:
        by_evidence.setdefault(v.evidence_id, []).append(v)
    out = []
    for r in rows:
        mine = by_evidence.get(r.id, [])
        current = next((v for v in mine if v.version == r.current_version), None)
        latest = max((v.version for v in mine), default=0)
        allowed = [] if past else list(EVIDENCE_MACHINE.actions_for(r, ctx))
        out.append(
            EvidenceView(
                id=r.id,
                case_id=r.case_id,
                label=r.label,
                status=r.status,
                current_version=r.current_version,
                filename=current.filename if current else "",
                content_type=current.content_type if current else "",
                size=current.size if current else 0,
                sha256=current.sha256 if current else "",
                created_at=r.created_at,
                new_version_waiting=latest > r.current_version,
                versions=[
                    VersionView(v.version, v.filename, v.content_type, v.size, v.sha256, v.created_at, v == current)
                    for v in mine
                ],
                actions=_actions(t for t in allowed if t.action != "replace"),
                can_replace=any(t.action == "replace" for t in allowed),
            )
        )
    return out


def _timeline(
    messages: list[CaseMessage], versions: list[EvidenceVersion], labels: dict[uuid.UUID, str], events: list[EventView]
) -> list[TimelineItem]:
    items = [
        TimelineItem(m.created_at, "message", MESSAGE_TITLES.get(m.kind, m.kind), m.body, m.author_name, str(m.id))
        for m in messages
    ]
    items += [
        TimelineItem(
            v.created_at,
            "evidence",
            f"Evidence uploaded: {labels.get(v.evidence_id, v.filename)}"
            + (f" (version {v.version})" if v.version > 1 else ""),
            f"{v.filename} · {v.size:,} bytes · SHA-256 {v.sha256[:12]}…",
            "",
            str(v.evidence_id),
        )
        for v in versions
    ]
    items += [
        TimelineItem(
            e.at,
            "decision",
            f"{'Evidence' if e.entity == 'evidence' else 'Case'}: {e.action.replace('_', ' ')}"
            f" ({e.from_status.replace('_', ' ')} → {e.to_status.replace('_', ' ')})",
            e.reason or "",
            e.actor_name or e.actor_role,
            str(e.id),
        )
        for e in events
    ]
    return sorted(items, key=lambda i: (i.at, i.kind))


def case_detail(ctx: TenantContext, case_id: uuid.UUID, as_of: datetime | None = None) -> CaseDetail:
    """The case, the decisions this person may take now (at most four), one timeline of messages,
    evidence uploads and decision events, the checklist and the evidence files. With `as_of`: the
    case as it stood then, rebuilt from its events (models/cases/history.py), with no decisions."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        row = cases.get_case(session, ctx, case_id)
        messages = list(
            session.exec(
                cases.scoped(select(CaseMessage), CaseMessage, ctx)
                .where(CaseMessage.case_id == row.id)
                .order_by(col(CaseMessage.created_at))
            ).all()
        )
        files = evidence.evidence_of(session, ctx, row)
        versions = evidence.versions_of(session, ctx, [f.id for f in files])
        events = _events(session, ctx, CASE_EVENTS, "case", [row.id])
        events += _events(session, ctx, EVIDENCE_EVENTS, "evidence", [f.id for f in files])
        steps = cases.steps_of(session, ctx, row)
        shown: list[EvidenceVersion] | None = None
        if as_of is not None:
            then = history.case_then(
                session, ctx, row, as_of, messages=messages, files=files, versions=versions, events=events, steps=steps
            )
            row, messages, files, versions, events, steps = (
                then.case,
                then.messages,
                then.files,
                then.versions,
                then.events,
                then.steps,
            )
            shown = versions
        return CaseDetail(
            case=_views(session, ctx, [row], now=as_of)[0],
            actions=[] if as_of is not None else _actions(CASE_MACHINE.actions_for(row, ctx)),
            timeline=_timeline(messages, versions, {f.id: f.label for f in files}, events),
            checklist=[StepView(s.id, s.position, s.label, s.done, s.done_at) for s in steps],
            evidence=_evidence_views(session, ctx, files, shown),
        )


def case_events(ctx: TenantContext, case_id: uuid.UUID) -> Page[EventView]:
    """Every decision on the case, oldest first (the case's own machine; evidence has its own)."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        row = cases.get_case(session, ctx, case_id)
        return Page(_events(session, ctx, CASE_EVENTS, "case", [row.id]), None)


def get_evidence(ctx: TenantContext, evidence_id: uuid.UUID) -> EvidenceView:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        return _evidence_views(session, ctx, [evidence.get_evidence(session, ctx, evidence_id)])[0]


def evidence_events(ctx: TenantContext, evidence_id: uuid.UUID) -> Page[EventView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        row = evidence.get_evidence(session, ctx, evidence_id)
        return Page(_events(session, ctx, EVIDENCE_EVENTS, "evidence", [row.id]), None)


def evidence_file(ctx: TenantContext, evidence_id: uuid.UUID, version: int | None = None) -> EvidenceFile:
    """The stored object of the current (or a given) version: kept even after REMOVE."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        row = evidence.get_evidence(session, ctx, evidence_id)
        v = evidence.version_row(session, ctx, row, version)
        return EvidenceFile(v.storage_key, v.filename, v.content_type, v.size, v.sha256)


def vendor_options(ctx: TenantContext) -> list[Option]:
    """Organizations a case can be opened with (staff): the tenant's catalog organizations but its own brand."""
    ctx.require(READ)
    cases.staff_only(ctx, "list vendors")
    with tenant_session(ctx) as session:
        rows = session.exec(
            select(Organization)
            .where(Organization.tenant_id == ctx.tenant_id, Organization.type != "manufacturer")
            .order_by(col(Organization.name))
            .limit(500)
        ).all()
        return [Option(str(o.id), o.name) for o in rows]


def assignee_options(ctx: TenantContext) -> list[Option]:
    """Active staff members of the tenant (who a case can be assigned to)."""
    ctx.require(READ)
    cases.staff_only(ctx, "list assignees")
    with tenant_session(ctx) as session:
        rows = session.exec(
            select(User.id, User.display_name)
            .join(Membership, col(Membership.user_id) == col(User.id))
            .where(
                Membership.tenant_id == ctx.tenant_id,
                Membership.status == "active",
                Membership.role != Role.VENDOR.value,
            )
            .order_by(col(User.display_name))
            .limit(500)
        ).all()
        return [Option(str(r[0]), r[1]) for r in rows]


def vendor_name(ctx: TenantContext) -> str:
    """The organization a vendor acts for (the portal's header)."""
    ctx.require(READ)
    if ctx.organization_id is None:
        return ""
    with tenant_session(ctx) as session:
        return _org_names(session, ctx, [ctx.organization_id]).get(ctx.organization_id, "")
