"""What compensation adds to the one inbox (models/core/inbox.py): plan versions waiting to be
locked (drafts and approved versions), for the roles that may lock them (comp.plans.write)."""

from __future__ import annotations

from sqlmodel import Session

from engine.comp.permissions import PLANS_WRITE
from engine.context import TenantContext
from models.comp.plans import open_drafts
from models.core.inbox import InboxItem, InboxProvider

WHY = {
    "draft": "Draft: lock it once it validates",
    "approved": "Approved: waiting to be locked",
}


def _waiting(session: Session, ctx: TenantContext, limit: int) -> list[InboxItem]:
    return [
        InboxItem(
            "bonus_plans",
            str(p.id),
            f"{p.name} · version {p.version}",
            WHY.get(p.status, p.status),
            f"/comp/plans/{p.id}",
            p.updated_at,
        )
        for p in open_drafts(session, ctx, limit)
    ]


PROVIDERS = (InboxProvider("bonus_plans", "Plan versions waiting to be locked", PLANS_WRITE, _waiting),)
