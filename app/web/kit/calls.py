"""`call`: run a data function in a worker thread for a page event, turning a refused read or
write (DomainError) into the page's `error` text. With `await self._require(P)` before it, this is
the whole "check, run, report" of a handler."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from app.web.kit.format import error_text
from engine.errors import DomainError


async def call(state: Any, fn: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
    """(True, fn(*args)) run in a worker thread; on a DomainError, `state.error` says why and the
    result is (False, None)."""
    try:
        return True, await asyncio.to_thread(fn, *args)
    except DomainError as exc:
        state.error = error_text(exc)
        return False, None
