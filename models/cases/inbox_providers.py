"""What vendor cases add to the one inbox (models/core/inbox.py), for staff: cases in review
assigned to me (or to nobody) waiting for a decision, payments waiting for approval, match packs
waiting for review. Oldest first; a case past its SLA shows its due date."""

from __future__ import annotations

from sqlmodel import Session, col, select

from engine.cases.machines import IN_REVIEW, MATCH_MACHINE, PAY_SUBMITTED
from engine.cases.permissions import APPROVE
from engine.context import TenantContext
from models.cases.cases import is_vendor
from models.cases.tables import Case, MatchPack, Payment
from models.core.inbox import InboxItem, InboxProvider


def _cases(session: Session, ctx: TenantContext, limit: int) -> list[InboxItem]:
    if is_vendor(ctx):
        return []
    found = session.exec(
        select(Case)
        .where(
            Case.tenant_id == ctx.tenant_id,
            Case.status == IN_REVIEW,
            (col(Case.assignee_id) == ctx.user_id) | col(Case.assignee_id).is_(None),
        )
        .order_by(col(Case.opened_at), col(Case.id))
        .limit(limit)
    ).all()
    return [
        InboxItem(
            "cases",
            str(c.id),
            c.subject,
            "The vendor answered: decide" + ("" if c.assignee_id else " (unassigned)"),
            f"/cases/{c.id}",
            c.opened_at,
            c.due_at,
        )
        for c in found
    ]


def _payments(session: Session, ctx: TenantContext, limit: int) -> list[InboxItem]:
    if is_vendor(ctx):
        return []
    found = session.exec(
        select(Payment)
        .where(Payment.tenant_id == ctx.tenant_id, Payment.status == PAY_SUBMITTED)
        .order_by(col(Payment.created_at), col(Payment.id))
        .limit(limit)
    ).all()
    return [
        InboxItem(
            "payments",
            str(p.id),
            f"{p.reference}: {p.amount:,.2f} {p.currency}",
            "Waiting for approval",
            f"/payments/{p.id}",
            p.created_at,
            p.scheduled_for,
        )
        for p in found
    ]


def _packs(session: Session, ctx: TenantContext, limit: int) -> list[InboxItem]:
    if is_vendor(ctx):
        return []
    found = session.exec(
        select(MatchPack)
        .where(MatchPack.tenant_id == ctx.tenant_id, MatchPack.status == MATCH_MACHINE.initial)
        .order_by(col(MatchPack.created_at), col(MatchPack.id))
        .limit(limit)
    ).all()
    return [
        InboxItem(
            "match_packs",
            str(p.id),
            p.title,
            f"{p.exception_lines} exception line(s) to review" if p.exception_lines else "Matched: confirm",
            f"/match-packs/{p.id}",
            p.created_at,
        )
        for p in found
    ]


PROVIDERS = (
    InboxProvider("cases", "Cases waiting for my decision", APPROVE, _cases),
    InboxProvider("payments", "Payments to approve", APPROVE, _payments),
    InboxProvider("match_packs", "Match packs to review", APPROVE, _packs),
)
