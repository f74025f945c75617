"""What margin does for other modules (models/core/handoffs.py), by name.

`margin.case_decided` — a vendor case opened about an enforcement notice (origin "margin.notice")
was decided: a note on each alert of the notice and on the dealer says how (the case's subject,
the decision, its status and note), so the alert's and the dealer's timelines show it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.margin.permissions import READ
from models.core import mutations
from models.core.handoffs import Handoff, Payload
from models.margin.enforcement.tables import EnforcementNotice
from models.margin.tables import MarginAlert, MarginNote

NOTICE = "margin.notice"


def _case_decided(session: Session, ctx: TenantContext, payload: Payload) -> dict[str, Any]:
    if payload.get("origin") != NOTICE:
        return {"notes": 0}
    notice = session.exec(
        select(EnforcementNotice).where(
            EnforcementNotice.tenant_id == ctx.tenant_id,
            EnforcementNotice.id == uuid.UUID(str(payload["origin_ref"])),
        )
    ).first()
    if notice is None:
        return {"notes": 0}
    note = f'Vendor case "{payload.get("subject", "")}": {payload.get("action", "")} → {payload.get("status", "")}'
    if payload.get("note"):
        note += f" — {payload['note']}"
    alert_ids = [uuid.UUID(a) for a in notice.alert_ids or []]
    known = (
        set(
            session.exec(
                select(MarginAlert.id).where(MarginAlert.tenant_id == ctx.tenant_id, col(MarginAlert.id).in_(alert_ids))
            ).all()
        )
        if alert_ids
        else set()
    )
    notes = [
        MarginNote(tenant_id=ctx.tenant_id, alert_id=a, body=note[:4000], author=ctx.actor_label)
        for a in alert_ids
        if a in known
    ]
    notes.append(
        MarginNote(tenant_id=ctx.tenant_id, dealer_id=notice.dealer_id, body=note[:4000], author=ctx.actor_label)
    )
    for row in notes:
        mutations.create(session, ctx, row, action="margin_note.case_decided")
    return {"notes": len(notes)}


PROVIDERS = (Handoff("margin.case_decided", READ, _case_decided),)
