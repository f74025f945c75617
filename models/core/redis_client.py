"""Redis connections for sessions, rate limits and progress events (one pool per process)."""

from __future__ import annotations

from functools import lru_cache

import redis
import redis.asyncio as aioredis

from models.core.settings import get_settings


@lru_cache(maxsize=1)
def sync_redis() -> redis.Redis:
    return redis.Redis.from_url(get_settings().redis_url, decode_responses=True)


@lru_cache(maxsize=1)
def async_redis() -> aioredis.Redis:
    return aioredis.Redis.from_url(get_settings().redis_url, decode_responses=True)


def reset_redis_clients() -> None:
    sync_redis.cache_clear()
    async_redis.cache_clear()
