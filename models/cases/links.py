"""Cases about money records, and what a case's life does to them.

`open_about` opens a case linked to a payment, a match line or a statement line (or to another
module's record by name, `origin`/`origin_ref`) and puts the payments it touches on hold.
`apply_case_decision` is the case's decision (the core's `decide`) followed by what a closed case
releases: the payments the system held for it, and — when another module opened it — that module's
handoff (`<origin module>.case_decided`, models/core/handoffs.py), so margin hears how the case
about its enforcement notice ended.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from engine.cases.machines import ACTIVE, CASE_MACHINE, CLOSED
from engine.context import TenantContext
from models.cases import cases, payments
from models.cases.tables import Case
from models.core.decisions import decide
from models.core.handoffs import hand_off, offered


def open_about(
    session: Session,
    ctx: TenantContext,
    *,
    vendor_id: uuid.UUID,
    subject: str,
    case_type: str,
    message: str | None = None,
    by_vendor: bool = False,
    assignee_id: uuid.UUID | None = None,
    **links: Any,
) -> Case:
    row = cases.open_case(
        session,
        ctx,
        vendor_id=vendor_id,
        subject=subject,
        case_type=case_type,
        assignee_id=assignee_id,
        message=None if by_vendor else message,
        links={k: v for k, v in links.items() if v is not None},
        by_vendor=by_vendor,
    )
    payments.hold_for(session, ctx, row)
    return row


def active_case_on(session: Session, ctx: TenantContext, **link: Any) -> Case | None:
    """The active case linked by one column (match_line_id=…, soa_line_id=…, origin_ref=…)."""
    ((name, value),) = link.items()
    return session.exec(
        cases.scoped(select(Case), Case, ctx)
        .where(getattr(Case, name) == value, col(Case.status).in_(sorted(ACTIVE)))
        .order_by(col(Case.opened_at).desc())
    ).first()


def cases_on(session: Session, ctx: TenantContext, name: str, values: list[Any]) -> list[Case]:
    """Every case (any status) linked by `name` to one of `values`, newest first."""
    if not values:
        return []
    return list(
        session.exec(
            cases.scoped(select(Case), Case, ctx)
            .where(col(getattr(Case, name)).in_(values))
            .order_by(col(Case.opened_at).desc())
        ).all()
    )


def after_close(session: Session, ctx: TenantContext, row: Case, action: str, reason: str | None) -> None:
    payments.release_for(session, ctx, row)
    if row.origin and row.origin_ref:
        name = f"{row.origin.split('.', 1)[0]}.case_decided"
        if offered(name):
            hand_off(
                session,
                payments.system(ctx),
                name,
                {
                    "origin": row.origin,
                    "origin_ref": row.origin_ref,
                    "case_id": str(row.id),
                    "subject": row.subject,
                    "action": action,
                    "status": row.status,
                    "note": reason or "",
                    "actor_role": str(ctx.role),
                },
            )


def apply_case_decision(session: Session, ctx: TenantContext, row: Any, action: str, reason: str | None) -> None:
    """A case decision (the decision route's `apply`): decide, then release what a closed case held."""
    decide(session, ctx, CASE_MACHINE, row, action, reason=reason)
    if row.status in CLOSED:
        after_close(session, ctx, row, action, reason)
