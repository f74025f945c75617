"""The catalog pages' one shared piece of their own: the permission + feature-flag check every
handler makes (the blocks, badge and table come from app/web/kit)."""

from __future__ import annotations

import asyncio
from typing import Any

from engine.context import TenantContext
from models.catalog.queries import feature_enabled


async def page_context(state: Any, permission: str, flag: str) -> tuple[TenantContext | None, bool]:
    """(ctx, feature_off): ctx is None when the role lacks `permission` or the flag is off."""
    ctx = await state._require(permission)
    if ctx is None:
        return None, False
    if not await asyncio.to_thread(feature_enabled, ctx, flag):
        return None, True
    return ctx, False
