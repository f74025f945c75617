"""What the cases module does for other modules (models/core/handoffs.py), by name.

`cases.open_case` — open a case with an organization of the tenant about another module's record
(margin: an enforcement notice; the dealer is the vendor organization, and sees the case in its
vendor portal once one of its people is invited). Payload: `vendor_id`, `subject`, `message`
(the first message to the vendor), `origin` ("margin.notice"), `origin_ref` (the record's id),
optional `case_type` (default "enforcement"). Answers `{"case_id", "status", "created"}`; asking
again for the same origin while its case is active answers that case (`created` false).

When such a case closes, the cases module calls `<origin module>.case_decided` (if the module
offers it) with `origin`, `origin_ref`, `case_id`, `subject`, `action`, `status`, `note`,
`actor_role` (models/cases/links.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from engine.cases.permissions import WRITE
from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.cases import links
from models.core.handoffs import Handoff, Payload


def _open_case(session: Session, ctx: TenantContext, payload: Payload) -> dict[str, Any]:
    try:
        vendor_id = uuid.UUID(str(payload["vendor_id"]))
        origin, origin_ref = str(payload["origin"])[:40], str(payload["origin_ref"])[:100]
        subject = str(payload["subject"])
    except (KeyError, ValueError) as exc:
        raise ValidationFailed(f"cases.open_case: bad payload ({exc})", fields={"payload": "invalid"}) from exc
    existing = links.active_case_on(session, ctx, origin_ref=origin_ref)
    if existing is not None and existing.origin == origin:
        return {"case_id": str(existing.id), "status": existing.status, "created": False}
    row = links.open_about(
        session,
        ctx,
        vendor_id=vendor_id,
        subject=subject,
        case_type=str(payload.get("case_type") or "enforcement"),
        message=str(payload.get("message") or "") or None,
        origin=origin,
        origin_ref=origin_ref,
    )
    return {"case_id": str(row.id), "status": row.status, "created": True}


PROVIDERS = (Handoff("cases.open_case", WRITE, _open_case),)
