"""Redis connections for sessions, rate limits, progress events and heartbeats (one pool per process).

Every client gives up quickly: a frozen Redis (SIGSTOP, a network partition) otherwise blocks a
request forever, because redis-py waits without limit by default and retries a timed-out call
three times with back-off. Here a call waits at most PHAROS_REDIS_TIMEOUT_SECONDS (connect:
PHAROS_REDIS_CONNECT_TIMEOUT_SECONDS) and a timeout is not retried; a dropped connection (Redis
restarted) is retried once at once, on a fresh connection. Callers see `redis.RedisError`; the
API answers it with a 503 (app/api/errors.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from models.core.settings import get_settings

# Errors retried once: a pooled connection Redis closed (restart). A timeout is never retried.
_RETRIED = (redis.ConnectionError,)


def client_options(*, blocking_reads: bool = False) -> dict[str, Any]:
    """Timeouts for a client. `blocking_reads` (a pub/sub listener that waits for messages
    without limit) keeps the connect timeout but no read timeout."""
    settings = get_settings()
    return {
        "socket_timeout": None if blocking_reads else settings.redis_timeout_seconds,
        "socket_connect_timeout": settings.redis_connect_timeout_seconds,
        "decode_responses": True,
    }


@lru_cache(maxsize=1)
def sync_redis() -> redis.Redis:
    return redis.Redis.from_url(
        get_settings().redis_url, retry=Retry(NoBackoff(), 1, supported_errors=_RETRIED), **client_options()
    )


@lru_cache(maxsize=1)
def async_redis() -> aioredis.Redis:
    return new_async_redis()


def new_async_redis(url: str | None = None, *, blocking_reads: bool = False) -> aioredis.Redis:
    """A separate async client (pub/sub, another event loop); close it with `aclose()`."""
    return aioredis.Redis.from_url(
        url or get_settings().redis_url,
        retry=AsyncRetry(NoBackoff(), 1, supported_errors=_RETRIED),
        **client_options(blocking_reads=blocking_reads),
    )


def reset_redis_clients() -> None:
    sync_redis.cache_clear()
    async_redis.cache_clear()
