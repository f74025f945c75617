"""Worker heartbeats in Redis, so `/api/health` can tell whether anyone runs jobs.

Each worker process writes its id into one sorted set per queue (score: Redis's own clock, so
workers on hosts with skewed clocks still count) every PHAROS_WORKER_HEARTBEAT_SECONDS. A worker
that missed MISSED_BEATS beats counts as gone; its entry is dropped by the next beat of anyone,
and the whole set expires when nobody beats any more. Liveness only: the job path's guarantees
never depend on it (item leases in Postgres do that).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import redis
import redis.asyncio as aioredis

from models.core.settings import get_settings
from models.jobs.queue import queue_name

MISSED_BEATS = 3


def heartbeat_key() -> str:
    """Per queue: two deployments (or test runs) sharing a Redis do not see each other's workers."""
    return f"{queue_name()}:workers"


def gone_after_seconds() -> float:
    return MISSED_BEATS * get_settings().worker_heartbeat_seconds


def _seconds(redis_time: tuple[int, int] | list[int]) -> float:
    secs, micros = redis_time
    return int(secs) + int(micros) / 1_000_000


async def beat(client: aioredis.Redis, worker_id: str) -> None:
    """Say `worker_id` is alive now; drop entries of workers that stopped beating."""
    now = _seconds(await client.time())
    gone = gone_after_seconds()
    key = heartbeat_key()
    async with client.pipeline(transaction=False) as pipe:
        pipe.zadd(key, {worker_id: now})
        pipe.zremrangebyscore(key, "-inf", now - gone)
        pipe.expire(key, math.ceil(gone))
        await pipe.execute()


async def forget(client: aioredis.Redis, worker_id: str) -> None:
    """A worker stopping cleanly leaves at once (health then says missing without waiting)."""
    await client.zrem(heartbeat_key(), worker_id)


@dataclass(frozen=True)
class WorkerStatus:
    alive: int
    last_seen_seconds: float | None  # since the most recent beat of any worker; None: no beat known

    @property
    def ok(self) -> bool:
        return self.alive > 0


def worker_status(client: redis.Redis) -> WorkerStatus:
    """How many workers beat within the window, and how long ago the last beat was."""
    pipe = client.pipeline(transaction=False)
    pipe.time()
    pipe.zrange(heartbeat_key(), 0, -1, withscores=True)
    server_time, entries = pipe.execute()
    now = _seconds(server_time)
    gone = gone_after_seconds()
    ages = [max(0.0, now - float(score)) for _, score in entries]
    return WorkerStatus(
        alive=sum(1 for age in ages if age < gone),
        last_seen_seconds=round(min(ages), 1) if ages else None,
    )
