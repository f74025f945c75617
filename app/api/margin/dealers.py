"""`/api/dealers`: list with status and figures, one dealer, and status decisions
(margin.dealers.status: Owner, Admin, Ops)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from app.api.deps import require
from app.api.margin import schemas
from app.api.margin.common import Cursor, Limit, SearchText, row_view
from engine.context import TenantContext
from engine.jsonable import to_jsonable
from engine.margin import permissions as perm
from engine.text import TextInput
from models.margin import actions
from models.margin.inputs import DealerStatusChange
from models.margin.queries import dealers as dealer_queries

router = APIRouter(prefix="/api", tags=["margin"])


@router.get("/dealers", response_model=schemas.Page[schemas.DealerRowPublic])
def list_dealers(
    ctx: TenantContext = Depends(require(perm.READ)),
    q: SearchText = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    page = dealer_queries.dealer_list(ctx, q=q, limit=limit, cursor=cursor).page
    return {
        "items": [
            {
                "id": str(r.dealer.id),
                "code": r.dealer.code,
                "name": r.dealer.name,
                "profile": r.dealer.profile,
                "status": r.status,
                **to_jsonable(r.figures),
            }
            for r in page.items
        ],
        "next_cursor": page.next_cursor,
    }


def _dealer_summary(detail: dealer_queries.DealerDetail) -> dict[str, Any]:
    data = dict(detail.summary)
    dealer = data.pop("dealer")
    history = [row_view(e) for e in data.pop("history")]
    return {
        "id": str(dealer.id),
        "code": dealer.code,
        "name": dealer.name,
        "profile": dealer.profile,
        **to_jsonable(data),
        "history": history,
    }


@router.get("/dealers/{dealer_id}", response_model=schemas.DealerPublic)
def get_dealer(dealer_id: uuid.UUID, ctx: TenantContext = Depends(require(perm.READ))) -> dict:
    return _dealer_summary(dealer_queries.dealer_detail(ctx, dealer_id))


@router.patch("/dealers/{dealer_id}/status", response_model=schemas.DealerPublic)
def change_dealer_status(
    dealer_id: uuid.UUID, body: DealerStatusChange, ctx: TenantContext = Depends(require(perm.DEALERS_STATUS))
) -> dict:
    return _dealer_summary(actions.change_dealer_status(ctx, dealer_id, body.action, body.reason, body.expected_status))


class NoticeDeliveryOut(BaseModel):
    dealer_id: uuid.UUID
    channel: Literal["none", "email", "webhook"] = Field(
        description="how the dealer receives its notices besides the webhooks subscribed to margin.notice.sent"
    )
    email: str | None
    endpoint_id: uuid.UUID | None
    updated_at: datetime | None


class NoticeDeliveryIn(TextInput):
    channel: Literal["none", "email", "webhook"]
    email: str | None = Field(default=None, max_length=320)
    endpoint_id: uuid.UUID | None = None


class DealerNoticeDeliveryOut(NoticeDeliveryOut):
    code: str
    name: str
    endpoint_url: str | None


class EndpointChoiceOut(BaseModel):
    id: uuid.UUID
    url: str
    description: str
    status: Literal["enabled", "disabled"]


class NoticeDeliveryListOut(BaseModel):
    items: list[DealerNoticeDeliveryOut]
    endpoints: list[EndpointChoiceOut] = Field(description="the webhook endpoints a preference may name")


@router.get("/notice-delivery", response_model=NoticeDeliveryListOut)
def list_notice_delivery(ctx: TenantContext = Depends(require(perm.READ))) -> NoticeDeliveryListOut:
    """Every dealer by name with how it receives its enforcement notices (`none` when unset)."""
    found = dealer_queries.notice_deliveries(ctx)
    return NoticeDeliveryListOut(
        items=[DealerNoticeDeliveryOut.model_validate(d, from_attributes=True) for d in found.dealers],
        endpoints=[EndpointChoiceOut.model_validate(e, from_attributes=True) for e in found.endpoints],
    )


@router.get("/dealers/{dealer_id}/notice-delivery", response_model=NoticeDeliveryOut)
def get_notice_delivery(dealer_id: uuid.UUID, ctx: TenantContext = Depends(require(perm.READ))) -> NoticeDeliveryOut:
    return NoticeDeliveryOut.model_validate(dealer_queries.notice_delivery(ctx, dealer_id), from_attributes=True)


@router.put("/dealers/{dealer_id}/notice-delivery", response_model=NoticeDeliveryOut)
def put_notice_delivery(
    dealer_id: uuid.UUID, body: NoticeDeliveryIn, ctx: TenantContext = Depends(require(perm.DEALERS_STATUS))
) -> NoticeDeliveryOut:
    view = actions.set_notice_delivery(ctx, dealer_id, body.channel, body.email, body.endpoint_id)
    return NoticeDeliveryOut.model_validate(view, from_attributes=True)
