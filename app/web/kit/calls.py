"""`call` and `write`: run a data function in a worker thread for a page event.

`call` turns a refused read or write (DomainError) into the page's `error` text. `write` is the one
way a page handler changes data: it spends one unit of the user's and the tenant's write budgets
(models/core/write_limits.py) before the change runs, so a refused write (RateLimited, a DomainError:
"Too many changes in a short time — try again in N s") changes nothing. `call(..., writes=True)` is
both. tests/unit/web/test_write_budget_calls.py checks that no page runs an action any other way.
With `await self._require(P)` before it, this is the whole "check, run, report" of a handler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from app.web.kit.format import error_text
from engine.context import TenantContext
from engine.errors import DomainError
from models.core import write_limits


async def write(fn: Callable[..., Any], ctx: TenantContext, *args: Any) -> Any:
    """`fn(ctx, *args)` in a worker thread, after spending the write budget (RateLimited if spent)."""
    await asyncio.to_thread(write_limits.spend_for, ctx)
    return await asyncio.to_thread(fn, ctx, *args)


async def call(state: Any, fn: Callable[..., Any], *args: Any, writes: bool = False) -> tuple[bool, Any]:
    """(True, fn(*args)) run in a worker thread; on a DomainError, `state.error` says why and the
    result is (False, None). `writes=True`: `fn` changes data and `args[0]` is the caller's context."""
    try:
        if writes:
            return True, await write(fn, *args)
        return True, await asyncio.to_thread(fn, *args)
    except DomainError as exc:
        state.error = error_text(exc)
        return False, None
