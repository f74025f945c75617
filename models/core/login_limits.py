"""Login budgets: failed sign-ins per (e-mail, IP) and per IP, kept in Redis by the `limits` library.

Two budgets, both counting failures only:
- per account and IP (PHAROS_LOGIN_FAILURES_PER_MINUTE): guessing one user's password;
- per IP whatever the e-mail (PHAROS_LOGIN_IP_LIMIT, e.g. "20/minute;100/hour"): spraying one
  password over many accounts.
While either is spent every attempt from there is refused, the right password included, so a
refusal reveals nothing. A moving window (not fixed minutes) means a burst cannot straddle a window
edge for double the budget. The e-mail must already be normalised (models.identity.normalise_email),
so that " Sales@demo.test" and "sales@demo.test" share one budget.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, RateLimitItemPerMinute, parse_many
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from models.core.redis_client import sync_redis
from models.core.settings import get_settings

NAMESPACE = "pharos:login"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds until the first spent budget has room again


@lru_cache(maxsize=1)
def _limiter_for(pool) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(RedisStorage("redis://", connection_pool=pool, key_prefix=NAMESPACE))


def _limiter() -> MovingWindowRateLimiter:
    # Our own connection pool, so Redis timeouts and the configured database apply here too.
    return _limiter_for(sync_redis().connection_pool)


def _budgets(email: str, ip: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    settings = get_settings()
    account = hashlib.sha256(f"{email}|{ip}".encode()).hexdigest()
    budgets: list[tuple[RateLimitItem, tuple[str, ...]]] = [
        (RateLimitItemPerMinute(settings.login_failures_per_minute), ("account", account))
    ]
    budgets += [(item, ("ip", ip)) for item in parse_many(settings.login_ip_limit)]
    return budgets


def check(email: str, ip: str) -> Verdict:
    """May this e-mail try to sign in from this IP now?"""
    limiter = _limiter()
    waits = []
    for item, keys in _budgets(email, ip):
        if not limiter.test(item, *keys):
            reset_at = limiter.get_window_stats(item, *keys).reset_time
            waits.append(max(1, math.ceil(reset_at - time.time())))
    return Verdict(False, max(waits)) if waits else Verdict(True)


def record_failure(email: str, ip: str) -> None:
    limiter = _limiter()
    for item, keys in _budgets(email, ip):
        limiter.hit(item, *keys)


def record_success(email: str, ip: str) -> None:
    """A correct password clears that account's budget, never the IP's (a sprayer who finds one
    password must not get a fresh budget for the rest)."""
    item, keys = _budgets(email, ip)[0]
    _limiter().clear(item, *keys)
