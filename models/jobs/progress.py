"""How job progress reaches a screen: Redis pub/sub first, the database as the fallback.

The worker calls `publish_progress` after each chunk. The UI has two ways to listen:
- Reflex background event: `async for snap in watch_job(ctx, job_id): async with self: ...`
- SSE route: `stream = await open_job_stream(ctx, job_id)` (raises NotFound for another
  tenant's id *before* any byte is sent), then
  `StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)`.
Both check the job under the caller's tenant (RLS) first, send the current state, then follow
pub/sub; when Redis is down or silent they poll Postgres about every `poll_interval` seconds.
Both end once the job is completed, failed or cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import redis

from engine.context import TenantContext
from engine.jobs import ProgressSnapshot
from models.core.db import tenant_session
from models.core.redis_client import new_async_redis, sync_redis
from models.core.settings import get_settings
from models.jobs.repo import get_job, snapshot_of

log = logging.getLogger("pharos.progress")

LATEST_TTL_SECONDS = 86_400
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "Connection": "keep-alive"}


def channel(tenant_id: uuid.UUID | str, job_id: uuid.UUID | str) -> str:
    """The tenant-namespaced pub/sub channel of one job."""
    return f"pharos:t:{tenant_id}:job:{job_id}"


def latest_key(tenant_id: uuid.UUID | str, job_id: uuid.UUID | str) -> str:
    return channel(tenant_id, job_id) + ":latest"


# --- publishing (worker side, sync) -----------------------------------------------------


def publish_progress(snapshot: ProgressSnapshot, client: redis.Redis | None = None) -> bool:
    """Store the latest snapshot and publish it; False (logged) if Redis is unavailable.

    Never raises: progress is a view of the database, so a Redis outage must not fail a job.
    """
    payload = json.dumps(snapshot.to_dict(), separators=(",", ":"))
    try:
        pipe = (client or sync_redis()).pipeline(transaction=False)
        pipe.set(latest_key(snapshot.tenant_id, snapshot.job_id), payload, ex=LATEST_TTL_SECONDS)
        pipe.publish(channel(snapshot.tenant_id, snapshot.job_id), payload)
        pipe.execute()
        return True
    except redis.RedisError as exc:
        log.warning("progress of job %s not published: %s", snapshot.job_id, exc)
        return False


def latest_snapshot(tenant_id: uuid.UUID | str, job_id: uuid.UUID | str) -> ProgressSnapshot | None:
    """The last published snapshot (no tenant check: call `get_job` under the ctx first)."""
    try:
        raw = sync_redis().get(latest_key(tenant_id, job_id))
    except redis.RedisError:
        return None
    return _parse(raw, str(tenant_id), str(job_id))


# --- listening (async) ------------------------------------------------------------------


async def load_snapshot(ctx: TenantContext, job_id: uuid.UUID | str) -> ProgressSnapshot:
    """The job's state from Postgres under ctx's tenant; NotFound for another tenant's id."""

    def _load() -> ProgressSnapshot:
        with tenant_session(ctx) as session:
            return snapshot_of(session, ctx, get_job(session, ctx, job_id))

    return await asyncio.to_thread(_load)


async def subscribe_progress(
    tenant_id: uuid.UUID | str, job_id: uuid.UUID | str, *, redis_url: str | None = None
) -> AsyncIterator[ProgressSnapshot]:
    """Raw pub/sub stream of one job's snapshots, forever. No tenant check and no fallback:
    most callers want `watch_job`."""
    client = new_async_redis(redis_url, blocking_reads=True)  # waits for messages without limit
    pubsub = client.pubsub()
    try:
        await pubsub.subscribe(channel(tenant_id, job_id))
        async for message in pubsub.listen():
            if message.get("type") == "message":
                snap = _parse(message.get("data"), str(tenant_id), str(job_id))
                if snap is not None:
                    yield snap
    finally:
        await _close(pubsub, client)


async def watch_job(
    ctx: TenantContext, job_id: uuid.UUID | str, *, poll_interval: float = 1.0, redis_url: str | None = None
) -> AsyncIterator[ProgressSnapshot]:
    """Snapshots of one job for a live page: current state first, then each change; ends
    when the job is finished. Raises NotFound on the first iteration for an id the tenant
    does not have."""
    async for snap in _follow(ctx, job_id, poll_interval, redis_url):
        if snap is not None:
            yield snap


async def sse_job_events(
    ctx: TenantContext,
    job_id: uuid.UUID | str,
    *,
    poll_interval: float = 1.0,
    keepalive_seconds: float = 15.0,
    redis_url: str | None = None,
) -> AsyncIterator[str]:
    """`text/event-stream` frames: `event: progress` per snapshot (JSON `data`), a `: keepalive`
    comment during long silences, and a final `event: end`. NotFound on the first iteration
    for another tenant's id; prefer `open_job_stream`, which raises before streaming."""
    sent = 0
    quiet = 0.0
    async for snap in _follow(ctx, job_id, poll_interval, redis_url):
        if snap is None:
            quiet += poll_interval
            if quiet >= keepalive_seconds:
                quiet = 0.0
                yield ": keepalive\n\n"
            continue
        quiet = 0.0
        sent += 1
        frame = sse_frame("progress", snap.to_dict(), event_id=str(sent))
        yield ("retry: 2000\n" + frame) if sent == 1 else frame
        if snap.finished:
            yield sse_frame("end", snap.to_dict(), event_id=str(sent + 1))


async def open_job_stream(
    ctx: TenantContext,
    job_id: uuid.UUID | str,
    *,
    poll_interval: float = 1.0,
    keepalive_seconds: float = 15.0,
    redis_url: str | None = None,
) -> AsyncIterator[str]:
    """Check access now (raises NotFound), then return the SSE frame generator."""
    await load_snapshot(ctx, job_id)
    return sse_job_events(
        ctx, job_id, poll_interval=poll_interval, keepalive_seconds=keepalive_seconds, redis_url=redis_url
    )


def sse_frame(event: str, data: dict[str, Any], *, event_id: str | None = None) -> str:
    """One SSE message; JSON has no raw newlines, so `data` fits on one line."""
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _follow(
    ctx: TenantContext, job_id: uuid.UUID | str, poll_interval: float, redis_url: str | None
) -> AsyncIterator[ProgressSnapshot | None]:
    """Yield the current snapshot, then changes (None = a quiet poll), until finished.

    Subscribes before reading the database so no change between the two is missed; after
    `poll_interval` without a message it reads Postgres, which also covers a Redis outage.
    """
    tenant, job = str(ctx.tenant_id), str(job_id)
    client, pubsub = await _try_subscribe(redis_url or get_settings().redis_url, channel(tenant, job))
    try:
        last = await load_snapshot(ctx, job_id)  # the tenant check: NotFound leaves here
        yield last
        while not last.finished:
            snap: ProgressSnapshot | None = None
            if pubsub is not None:
                try:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=poll_interval)
                except (redis.RedisError, OSError) as exc:
                    log.info("progress pub/sub lost (%s); polling the database", exc)
                    await _close(pubsub, client)
                    client = pubsub = None
                    message = None
                if message and message.get("type") == "message":
                    snap = _parse(message.get("data"), tenant, job)
                    if snap is not None and not snap.finished and snap.processed < last.processed:
                        snap = None  # an older chunk's report arriving late from another worker
            else:
                await asyncio.sleep(poll_interval)
            if snap is None:
                snap = await load_snapshot(ctx, job_id)
            if snap.same_progress(last):
                yield None
                continue
            last = snap
            yield snap
    finally:
        await _close(pubsub, client)


async def _try_subscribe(url: str, name: str) -> tuple[Any, Any]:
    client = new_async_redis(url)  # reads use get_message's own timeout; commands the client's
    pubsub = client.pubsub()
    try:
        await pubsub.subscribe(name)
        return client, pubsub
    except (redis.RedisError, OSError) as exc:
        log.info("progress pub/sub unavailable (%s); polling the database", exc)
        await _close(pubsub, client)
        return None, None


async def _close(pubsub: Any, client: Any) -> None:
    with contextlib.suppress(Exception):
        if pubsub is not None:
            await pubsub.aclose()
    with contextlib.suppress(Exception):
        if client is not None:
            await client.aclose()


def _parse(raw: Any, tenant_id: str, job_id: str) -> ProgressSnapshot | None:
    """A snapshot from Redis, only if it names the expected tenant and job."""
    if not raw:
        return None
    try:
        snap = ProgressSnapshot.from_dict(json.loads(raw))
    except (ValueError, KeyError, TypeError):
        return None
    return snap if (snap.tenant_id, snap.job_id) == (tenant_id, job_id) else None
