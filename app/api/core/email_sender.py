"""The tenant's e-mail sender (`/api/settings/email-sender`): the name and address its notices and
invitations come from, for `core.settings.manage` (docs/delivery.md)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from app.api.deps import require
from engine.context import TenantContext
from engine.delivery.permissions import EMAIL_SETTINGS
from engine.text import TextInput
from models.delivery import actions, queries

router = APIRouter(prefix="/api/settings/email-sender", tags=["settings"])
SENDER = Depends(require(EMAIL_SETTINGS))


class SenderOut(BaseModel):
    from_name: str
    from_address: str
    reply_to: str
    default_name: str = Field(description="used when from_name is empty (PHAROS_SMTP_FROM_NAME)")
    default_address: str = Field(description="used when from_address is empty (PHAROS_SMTP_FROM)")
    smtp_configured: bool = Field(description="false: PHAROS_SMTP_HOST is empty and no e-mail is sent")


class SenderIn(TextInput):
    from_name: str = Field(default="", max_length=200)
    from_address: str = Field(default="", max_length=320)
    reply_to: str = Field(default="", max_length=320)


@router.get("", response_model=SenderOut)
def get_sender(ctx: TenantContext = SENDER) -> SenderOut:
    return SenderOut.model_validate(queries.sender(ctx), from_attributes=True)


@router.put("", response_model=SenderOut)
def put_sender(body: SenderIn, ctx: TenantContext = SENDER) -> SenderOut:
    view = actions.set_sender(ctx, body.from_name, body.from_address, body.reply_to)
    return SenderOut.model_validate(view, from_attributes=True)
