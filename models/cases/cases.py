"""Cases as repositories taking (session, ctx): load (tenant- and vendor-scoped), open, edit,
messages (comment, the vendor's response, the staff's request), checklist steps, the inbox page.

Scoping: every read filters by the caller's tenant and, for a vendor membership, by its own
organization (`scoped`); RLS does both again (migration 0018). A case another vendor or tenant owns
is simply not found. Status changes go through models.core.decisions.decide with CASE_MACHINE.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.cases import rules
from engine.cases.machines import ACTIVE, CASE_MACHINE, IN_REVIEW, OPEN, REQUEST_INFO, RESPOND, WAITING_VENDOR
from engine.context import TenantContext
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.rbac import Role
from models.cases.tables import Case, CaseMessage, ChecklistStep
from models.catalog.tables import Organization
from models.core import mutations
from models.core.base import utcnow
from models.core.decisions import decide
from models.core.pagination import Page, keyset_page, parse_instant
from models.core.tables import Membership, User
from models.core.text_search import like_pattern

NO_ORG = uuid.UUID(int=0)


def is_vendor(ctx: TenantContext) -> bool:
    return ctx.role is Role.VENDOR


def vendor_of(ctx: TenantContext) -> uuid.UUID:
    """The organization a vendor acts for (a vendor without one sees nothing)."""
    return ctx.organization_id or NO_ORG


def scoped(query: Any, model: Any, ctx: TenantContext) -> Any:
    """`query` limited to the caller's tenant and, for a vendor, to its own organization's rows."""
    query = query.where(model.tenant_id == ctx.tenant_id)
    if is_vendor(ctx):
        query = query.where(model.vendor_org_id == vendor_of(ctx))
    return query


def check_choice(field: str, value: str | None, allowed: Sequence[str]) -> None:
    """A list filter's value must be one of `allowed` (a machine's statuses, in its order): else 422
    naming the field and the choices."""
    if value is not None and value not in allowed:
        raise ValidationFailed(
            f"{field}: unknown {field} {value!r} (one of: {', '.join(allowed)})", fields={field: "unknown"}
        )


def newest_first(session: Session, query: Any, at: Any, row_id: Any, *, limit: int | None, cursor: str | None) -> Any:
    """The module's lists: newest first by (`at`, id), keyset-paginated."""
    return keyset_page(
        session, query, col(at), col(row_id), limit=limit, cursor=cursor, descending=True, parse=parse_instant
    )


def own_or_staff(ctx: TenantContext, vendor_id: uuid.UUID, by_vendor: bool, what: str) -> None:
    """Staff may `what` for any vendor; with `by_vendor`, only a vendor for its own organization."""
    if not by_vendor:
        staff_only(ctx, what)
    elif not is_vendor(ctx) or ctx.organization_id != vendor_id:
        raise Forbidden(f"a vendor may {what} only for its own organization")


def staff_only(ctx: TenantContext, what: str) -> None:
    if is_vendor(ctx):
        raise Forbidden(f"a vendor may not {what}")


def get_case(session: Session, ctx: TenantContext, case_id: uuid.UUID) -> Case:
    row = session.exec(scoped(select(Case), Case, ctx).where(Case.id == case_id)).first()
    if row is None:
        raise NotFound("case not found")
    return row


def _vendor_org(session: Session, ctx: TenantContext, org_id: uuid.UUID) -> Organization:
    org = session.exec(
        select(Organization).where(Organization.tenant_id == ctx.tenant_id, Organization.id == org_id)
    ).first()
    if org is None:
        raise ValidationFailed(f"vendor_id: no organization {org_id} in this tenant", fields={"vendor_id": "not found"})
    return org


def _staff_member(session: Session, ctx: TenantContext, user_id: uuid.UUID, field: str = "assignee_id") -> None:
    found = session.exec(
        select(Membership.id).where(
            Membership.tenant_id == ctx.tenant_id,
            Membership.user_id == user_id,
            Membership.status == "active",
            Membership.role != Role.VENDOR.value,
        )
    ).first()
    if found is None:
        raise ValidationFailed(f"{field}: no active staff member {user_id} in this tenant", fields={field: "not found"})


def open_case(
    session: Session,
    ctx: TenantContext,
    *,
    vendor_id: uuid.UUID,
    subject: str,
    case_type: str = rules.DEFAULT_TYPE,
    assignee_id: uuid.UUID | None = None,
    message: str | None = None,
    case_id: uuid.UUID | None = None,
    opened_at: datetime | None = None,
    links: dict[str, Any] | None = None,
    by_vendor: bool = False,
) -> Case:
    """A new `open` case with `vendor_id`'s organization (staff only); `message`: its first message.
    `links`: what it is about (payment_id, match_line_id, soa_line_id, origin, origin_ref; checked
    by the caller, models/cases/links.py). `by_vendor`: a vendor opens it about its own record (a
    disputed match or statement line), never otherwise."""
    if not by_vendor:
        staff_only(ctx, "open a case")
    elif not is_vendor(ctx) or ctx.organization_id != vendor_id:
        raise Forbidden("a vendor opens a case only about its own organization's records")
    unknown = set(links or {}) - set(LINKS)
    if unknown:
        raise ValueError(f"unknown case links {sorted(unknown)}")
    subject = rules.clean_text(subject, "subject", rules.SUBJECT_MAX)
    rules.check_type(case_type)
    _vendor_org(session, ctx, vendor_id)
    if assignee_id is not None:
        _staff_member(session, ctx, assignee_id)
    when = opened_at or utcnow()
    row = Case(
        tenant_id=ctx.tenant_id,
        vendor_org_id=vendor_id,
        subject=subject,
        case_type=case_type,
        assignee_id=assignee_id,
        opened_by=ctx.user_id,
        opened_at=when,
        due_at=rules.due_at(when, case_type),
        **(links or {}),
    )
    if case_id is not None:
        row.id = case_id
    mutations.create(session, ctx, row, action="case.create")
    if message and message.strip():
        add_message(session, ctx, row, message, kind="request")
    return row


EDITABLE = ("subject", "case_type", "assignee_id")
LINKS = ("payment_id", "match_line_id", "soa_line_id", "origin", "origin_ref")


def edit_case(session: Session, ctx: TenantContext, row: Case, changes: dict[str, Any]) -> Case:
    """PATCH: subject, type (the SLA's due date follows it) and assignee; staff only; never the status."""
    staff_only(ctx, "edit a case")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(f"cannot edit {', '.join(sorted(unknown))}", fields={k: "not editable" for k in unknown})
    clean: dict[str, Any] = {}
    if "subject" in changes:
        clean["subject"] = rules.clean_text(str(changes["subject"] or ""), "subject", rules.SUBJECT_MAX)
    if "case_type" in changes:
        clean["case_type"] = rules.check_type(str(changes["case_type"] or ""))
        clean["due_at"] = rules.due_at(row.opened_at, clean["case_type"])
    if "assignee_id" in changes:
        if changes["assignee_id"] is not None:
            _staff_member(session, ctx, changes["assignee_id"])
        clean["assignee_id"] = changes["assignee_id"]
    clean = {k: v for k, v in clean.items() if getattr(row, k) != v}
    if not clean:
        return row
    return mutations.update(session, ctx, row, clean, action="case.update")


def _author(session: Session, ctx: TenantContext) -> str:
    if ctx.user_id is None:
        return "system"
    user = session.get(User, ctx.user_id)
    return user.display_name if user else ""


def _open_for_messages(row: Case) -> None:
    if row.status not in ACTIVE:
        raise Conflict(f"this case is '{row.status}': a closed case takes no new messages or steps")


def add_message(session: Session, ctx: TenantContext, row: Case, body: str, *, kind: str = "comment") -> CaseMessage:
    _open_for_messages(row)
    text = rules.clean_text(body, "body", rules.BODY_MAX)
    message = CaseMessage(
        tenant_id=ctx.tenant_id,
        case_id=row.id,
        vendor_org_id=row.vendor_org_id,
        kind=kind,
        body=text,
        author_id=ctx.user_id,
        author_name=_author(session, ctx),
        author_role=str(ctx.role),
    )
    return mutations.create(session, ctx, message, action=f"case_message.{kind}")


def respond(session: Session, ctx: TenantContext, row: Case, body: str) -> CaseMessage:
    """The vendor answers: a `response` message; a case that waited (open, waiting_vendor) goes
    `in_review` through the decision path (not one of the four decisions, never a button)."""
    if not is_vendor(ctx):
        raise Forbidden("only the case's vendor submits a response; staff add a comment or ask the vendor")
    session.refresh(row, with_for_update=True)
    message = add_message(session, ctx, row, body, kind="response")
    if row.status in (OPEN, WAITING_VENDOR):
        decide(session, ctx, CASE_MACHINE, row, RESPOND, details={"message_id": message.id})
    return message


def request_info(session: Session, ctx: TenantContext, row: Case, body: str) -> CaseMessage:
    """Staff ask the vendor for more: a `request` message; an open or in-review case goes
    `waiting_vendor` (the decision path checks the role: reviewers only)."""
    staff_only(ctx, "ask the vendor")
    session.refresh(row, with_for_update=True)
    if row.status in (OPEN, IN_REVIEW):
        CASE_MACHINE.check(row.status, REQUEST_INFO, ctx, None)  # refuse before the message is written
    message = add_message(session, ctx, row, body, kind="request")
    if row.status in (OPEN, IN_REVIEW):
        decide(session, ctx, CASE_MACHINE, row, REQUEST_INFO, details={"message_id": message.id})
    return message


# ---- checklist ------------------------------------------------------------------------------


def steps_of(session: Session, ctx: TenantContext, row: Case) -> list[ChecklistStep]:
    return list(
        session.exec(
            scoped(select(ChecklistStep), ChecklistStep, ctx)
            .where(ChecklistStep.case_id == row.id)
            .order_by(col(ChecklistStep.position), col(ChecklistStep.created_at))
        ).all()
    )


def add_step(session: Session, ctx: TenantContext, row: Case, label: str) -> ChecklistStep:
    staff_only(ctx, "add checklist steps")
    _open_for_messages(row)
    text = rules.clean_text(label, "label", rules.STEP_MAX)
    count = session.exec(
        select(func.count())
        .select_from(ChecklistStep)
        .where(ChecklistStep.tenant_id == ctx.tenant_id, ChecklistStep.case_id == row.id)
    ).one()
    if count >= rules.MAX_STEPS:
        raise ValidationFailed(f"a case has at most {rules.MAX_STEPS} checklist steps", fields={"label": "too many"})
    step = ChecklistStep(
        tenant_id=ctx.tenant_id, case_id=row.id, vendor_org_id=row.vendor_org_id, position=int(count), label=text
    )
    return mutations.create(session, ctx, step, action="case_step.create")


def get_step(session: Session, ctx: TenantContext, row: Case, step_id: uuid.UUID) -> ChecklistStep:
    step = session.exec(
        scoped(select(ChecklistStep), ChecklistStep, ctx).where(
            ChecklistStep.id == step_id, ChecklistStep.case_id == row.id
        )
    ).first()
    if step is None:
        raise NotFound("checklist step not found")
    return step


def set_step_done(session: Session, ctx: TenantContext, row: Case, step: ChecklistStep, done: bool) -> ChecklistStep:
    _open_for_messages(row)
    if step.done == done:
        return step
    changes = {"done": done, "done_by": ctx.user_id if done else None, "done_at": utcnow() if done else None}
    return mutations.update(session, ctx, step, changes, action="case_step.done" if done else "case_step.undone")


# ---- the inbox ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    vendor_id: uuid.UUID | None = None
    case_type: str | None = None
    assignee_id: uuid.UUID | None = None
    unassigned: bool = False
    min_age_days: int | None = None  # opened at least this many days ago
    overdue: bool = False  # still active and past its SLA
    q: str | None = None


def check_filters(filters: CaseFilters) -> None:
    check_choice("status", filters.status, CASE_MACHINE.statuses)
    if filters.case_type is not None:
        rules.check_type(filters.case_type)
    if filters.min_age_days is not None and not 0 <= filters.min_age_days <= 36500:
        raise ValidationFailed("min_age_days must be between 0 and 36500", fields={"min_age_days": "out of range"})


def case_page(
    session: Session, ctx: TenantContext, filters: CaseFilters, *, limit: int | None, cursor: str | None
) -> Page[Case]:
    """Newest first (opened_at, id), keyset-paginated; each filter narrows an indexed prefix."""
    check_filters(filters)
    now = utcnow()
    query = scoped(select(Case), Case, ctx)
    if filters.status:
        query = query.where(Case.status == filters.status)
    if filters.vendor_id:
        query = query.where(Case.vendor_org_id == filters.vendor_id)
    if filters.case_type:
        query = query.where(Case.case_type == filters.case_type)
    if filters.unassigned:
        query = query.where(col(Case.assignee_id).is_(None))
    elif filters.assignee_id:
        query = query.where(Case.assignee_id == filters.assignee_id)
    if filters.min_age_days is not None:
        query = query.where(Case.opened_at <= now - timedelta(days=filters.min_age_days))
    if filters.overdue:
        query = query.where(Case.due_at < now, col(Case.status).in_(sorted(ACTIVE)))
    if filters.q:
        query = query.where(col(Case.subject).ilike(like_pattern(filters.q)))
    return newest_first(session, query, Case.opened_at, Case.id, limit=limit, cursor=cursor)
