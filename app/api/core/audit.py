"""The tenant's audit chain, filterable (`GET /api/audit`): owner, admin and auditor only.
`event_type` is one exact action (served by an index per tenant and event type); `action` a prefix."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from app.api.deps import Cursor, InstantParam, require
from engine.context import TenantContext
from engine.inputs import PlainText, query_int
from engine.jsonable import format_instant
from models.core.audit_log import AuditFilter, event_page

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("")
def audit_events(
    ctx: TenantContext = Depends(require("core.audit.read")),
    actor: PlainText | None = Query(None, max_length=64),
    action: PlainText | None = Query(None, max_length=100, description="actions starting with this"),
    event_type: PlainText | None = Query(None, max_length=100, description="exactly this action (event type)"),
    entity: PlainText | None = Query(None, max_length=60),
    since: InstantParam = None,
    until: InstantParam = None,
    limit: query_int(1, 200) = 50,
    cursor: Cursor = None,
) -> dict:
    page = event_page(ctx, AuditFilter(actor, action, entity, since, until, event_type), limit=limit, cursor=cursor)
    items = [
        {
            "seq": e.seq,
            "at": format_instant(e.at),
            "actor": e.actor,
            "actor_role": e.actor_role,
            "action": e.action,
            "entity": e.entity,
            "entity_id": e.entity_id,
            "before": e.before,
            "after": e.after,
            "hash": e.hash,
        }
        for e in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor}
