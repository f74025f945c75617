"""`GET /api/inbox`: what waits on the caller (models/core/inbox.py), in the caller's tenant, from
the providers the caller's role may read."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from app.api.deps import current_context
from engine.context import TenantContext
from models.core import inbox as core_inbox

router = APIRouter(prefix="/api", tags=["inbox"])


class InboxItemOut(BaseModel):
    kind: str
    id: str
    title: str
    why: str  # why it waits on you
    url: str  # the page that shows it
    since: datetime  # waiting since
    due_at: datetime | None


class InboxOut(BaseModel):
    total: int
    counts: dict[str, int]  # kind → how many (every kind the role may see)
    labels: dict[str, str]  # kind → label
    items: list[InboxItemOut]  # overdue first, then by due date, then oldest first


@router.get("/inbox", response_model=InboxOut)
def inbox(ctx: TenantContext = Depends(current_context)) -> InboxOut:
    found = core_inbox.inbox(ctx)
    return InboxOut(
        total=found.total,
        counts=found.counts,
        labels=found.labels,
        items=[InboxItemOut(**vars(i)) for i in found.items],
    )
