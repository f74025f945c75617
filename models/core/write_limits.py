"""Write budgets: how many changes one user, and one tenant as a whole, may make in a moving window.

Every REST write (app/api/write_budget.py) and every page handler that writes (app/web/kit/calls.py
`write`) spends one unit of both budgets *before* the change runs, so a refused call writes nothing.
The defaults (PHAROS_WRITE_LIMIT_USER, PHAROS_WRITE_LIMIT_TENANT; the `limits` notation, `;` between
rates) are far above what a person at a keyboard makes and stop a runaway script. A bulk call counts
once. Kept in Redis by the `limits` library, through our own pool: a Redis that does not answer
raises `redis.RedisError` within the configured timeout (the API answers 503), never a hang.
"""

from __future__ import annotations

import math
import time
from functools import lru_cache

import redis
from limits import RateLimitItem, parse_many
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from engine.context import TenantContext
from engine.errors import RateLimited, Unavailable
from models.core.redis_client import sync_redis
from models.core.settings import get_settings

NAMESPACE = "pharos:writes"


@lru_cache(maxsize=1)
def _limiter_for(pool) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(RedisStorage("redis://", connection_pool=pool, key_prefix=NAMESPACE))


def _limiter() -> MovingWindowRateLimiter:
    return _limiter_for(sync_redis().connection_pool)


def _budgets(user_id: str, tenant_id: str | None) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    settings = get_settings()
    budgets = [(item, ("user", user_id)) for item in parse_many(settings.write_limit_user)]
    if tenant_id:
        budgets += [(item, ("tenant", tenant_id)) for item in parse_many(settings.write_limit_tenant)]
    return budgets


def refusal(retry_after: int) -> RateLimited:
    return RateLimited(f"Too many changes in a short time — try again in {retry_after} s", retry_after=retry_after)


def spend(user_id: str, tenant_id: str | None) -> None:
    """Spend one write of the user's and the tenant's budgets, or raise RateLimited (nothing spent)
    with the seconds until every spent budget has room again."""
    limiter = _limiter()
    budgets = _budgets(user_id, tenant_id)
    waits = []
    for item, keys in budgets:
        if not limiter.test(item, *keys):
            reset_at = limiter.get_window_stats(item, *keys).reset_time
            waits.append(max(1, math.ceil(reset_at - time.time())))
    if waits:
        raise refusal(max(waits))
    for item, keys in budgets:
        limiter.hit(item, *keys)


def spend_for(ctx: TenantContext) -> None:
    """`spend` for a page's context (a Redis that does not answer is Unavailable, which the page
    shows like any refusal); the platform's own work (no user) has no budget."""
    if ctx.user_id is None:
        return
    try:
        spend(str(ctx.user_id), str(ctx.tenant_id))
    except redis.RedisError as exc:
        raise Unavailable("The service is briefly unavailable (Redis did not answer); try again shortly") from exc
