"""A tenant's single sign-on providers (`/api/settings/sso`), for `core.settings.manage`.

No answer ever carries the client secret: reads say `has_client_secret`.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field, StrictBool

from app.api.deps import require
from engine.context import TenantContext
from engine.sign_in import SIGN_UP_ROLES
from engine.text import TextInput
from models.core import sign_in_settings
from models.core.flags import MANAGE_PERMISSION

router = APIRouter(prefix="/api/settings/sso", tags=["settings"])
MANAGER = Depends(require(MANAGE_PERMISSION))
Domain = Annotated[str, Field(min_length=3, max_length=253)]
RoleName = Annotated[str, Field(json_schema_extra={"enum": list(SIGN_UP_ROLES)})]


class ProviderIn(TextInput):
    name: str = Field(min_length=1, max_length=60, description="the login button says 'Sign in with <name>'")
    issuer: str = Field(min_length=8, max_length=500, description="https URL; discovery is <issuer>/.well-known/…")
    client_id: str = Field(min_length=1, max_length=255)
    client_secret: str = Field(default="", max_length=1000, description="write-only; empty for a public client")
    allowed_domains: list[Domain] = Field(default=[], max_length=50, description="e-mail domains that may sign up")
    default_role: RoleName = "viewer"
    enabled: StrictBool = True


class ProviderPatch(TextInput):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    issuer: str | None = Field(default=None, min_length=8, max_length=500)
    client_id: str | None = Field(default=None, min_length=1, max_length=255)
    client_secret: str | None = Field(default=None, max_length=1000)
    allowed_domains: list[Domain] | None = Field(default=None, max_length=50)
    default_role: RoleName | None = None
    enabled: StrictBool | None = None


class ProvidersOut(BaseModel):
    providers: list[sign_in_settings.ProviderView]


@router.get("")
def list_providers(ctx: TenantContext = MANAGER) -> ProvidersOut:
    return ProvidersOut(providers=sign_in_settings.list_providers(ctx))


@router.post("", status_code=201)
def create_provider(body: ProviderIn, ctx: TenantContext = MANAGER) -> sign_in_settings.ProviderView:
    return sign_in_settings.create_provider(ctx, body.model_dump())


@router.patch("/{provider_id}")
def update_provider(
    provider_id: uuid.UUID, body: ProviderPatch, ctx: TenantContext = MANAGER
) -> sign_in_settings.ProviderView:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return sign_in_settings.update_provider(ctx, provider_id, changes)


@router.delete("/{provider_id}", status_code=204, response_class=Response)
def delete_provider(provider_id: uuid.UUID, ctx: TenantContext = MANAGER) -> Response:
    sign_in_settings.delete_provider(ctx, provider_id)
    return Response(status_code=204)
