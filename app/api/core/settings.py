"""Tenant settings: feature flags (`GET/PATCH /api/settings/flags`) and the `feature()` dependency.

`feature(flag, permission)` guards a route: 401 without a session, 404 while the tenant's flag is
off (the feature does not exist for that tenant, whatever the role), 403 when the role lacks the
permission.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.api.deps import current_context, require
from engine.context import TenantContext
from engine.errors import NotFound
from models.core.flags import KNOWN_FLAGS, MANAGE_PERMISSION, PLANNED_FLAGS, flag_enabled, tenant_flags, update_flags

router = APIRouter(prefix="/api/settings", tags=["settings"])


def feature(flag: str, permission: str) -> Callable[[Request], TenantContext]:
    if flag not in KNOWN_FLAGS:
        raise KeyError(f"unknown feature flag {flag!r}")

    def dependency(request: Request) -> TenantContext:
        ctx = current_context(request)
        if not flag_enabled(ctx, flag):
            raise NotFound("Not Found")
        ctx.require(permission)
        return ctx

    return dependency


class FlagsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    flags: dict[str, StrictBool] = Field(min_length=1, max_length=len(KNOWN_FLAGS))


def _body(flags: dict[str, bool]) -> dict:
    """Every known flag; `built` is false for a flag whose feature does not exist yet (the settings
    page does not offer those)."""
    return {
        "flags": [
            {"name": n, "enabled": flags[n], "description": KNOWN_FLAGS[n], "built": n not in PLANNED_FLAGS}
            for n in KNOWN_FLAGS
        ]
    }


@router.get("/flags")
def read_flags(ctx: TenantContext = Depends(require("core.dashboard.read"))) -> dict:
    return _body(tenant_flags(ctx))


@router.patch("/flags")
def patch_flags(body: FlagsPatch, ctx: TenantContext = Depends(require(MANAGE_PERMISSION))) -> dict:
    return _body(update_flags(ctx, body.flags))
