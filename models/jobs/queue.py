"""Enqueue "work on job X of tenant T" on arq, only after the job's rows are committed.

The message carries ids only: the worker reloads the job under the tenant's context and
refuses ids that are not that tenant's. A lost message loses nothing: workers re-enqueue
unfinished jobs at start-up and in a periodic sweep (workers/main.py). An enqueue gives up after
a few seconds (a frozen Redis must not hang the request that committed the job).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import redis.exceptions
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from sqlalchemy import event
from sqlmodel import Session

from models.core.settings import get_settings, job_settings

log = logging.getLogger("pharos.queue")

RUN_JOB = "run_job"
T = TypeVar("T")


def queue_name() -> str:
    """arq's queue key; PHAROS_QUEUE_NAME lets a test run keep its own queue on a shared Redis."""
    return job_settings().queue_name


def redis_settings(url: str | None = None) -> RedisSettings:
    """arq settings from REDIS_URL. arq reads a unix socket's db only from `?db=N`."""
    dsn = url or get_settings().redis_url
    parsed = urlparse(dsn)
    if parsed.scheme == "unix":
        query = dict(parse_qsl(parsed.query))
        query.setdefault("db", "0")
        dsn = urlunparse(parsed._replace(query=urlencode(query)))
    settings = RedisSettings.from_dsn(dsn)
    settings.conn_retries = 2
    settings.conn_timeout = get_settings().redis_connect_timeout_seconds  # type: ignore[assignment]
    return settings


def enqueue_deadline() -> float:
    """Seconds an enqueue may take in all (connect, then one command); arq's client has no read timeout."""
    settings = get_settings()
    return settings.redis_connect_timeout_seconds + 2 * settings.redis_timeout_seconds


async def arq_pool() -> ArqRedis:
    """A new arq connection pool on our queue; close it with `await pool.aclose()`."""
    return await create_pool(redis_settings(), default_queue_name=queue_name())


async def enqueue_run(tenant_id: uuid.UUID | str, job_id: uuid.UUID | str, *, pool: ArqRedis | None = None) -> str:
    """Ask a worker to run the job; returns arq's job id. Duplicate runs of one job are safe.

    Raises redis.TimeoutError when Redis does not answer within `enqueue_deadline()`."""
    try:
        return await asyncio.wait_for(_enqueue(tenant_id, job_id, pool), enqueue_deadline())
    except TimeoutError:
        raise redis.exceptions.TimeoutError(f"Redis did not take job {job_id} in time") from None


async def _enqueue(tenant_id: uuid.UUID | str, job_id: uuid.UUID | str, pool: ArqRedis | None) -> str:
    own = pool is None
    if pool is None:
        settings = redis_settings()
        settings.conn_retries = 0  # within the deadline; a job that was not enqueued is swept up later
        pool = await create_pool(settings, default_queue_name=queue_name())
    try:
        queued = await pool.enqueue_job(RUN_JOB, str(tenant_id), str(job_id), _queue_name=queue_name())
        if queued is None:  # only possible with a fixed _job_id; kept as a clear failure
            raise RuntimeError(f"arq refused to enqueue job {job_id}")
        return queued.job_id
    finally:
        if own:
            await pool.aclose()


def enqueue_run_sync(tenant_id: uuid.UUID | str, job_id: uuid.UUID | str) -> str:
    """`enqueue_run` for synchronous callers (CLI, sync handlers, after-commit hooks)."""
    return _run_blocking(enqueue_run(tenant_id, job_id))


def enqueue_after_commit(session: Session, tenant_id: uuid.UUID | str, job_id: uuid.UUID | str) -> None:
    """Enqueue once `session`'s transaction commits (never before: the worker must see the rows).

    If Redis is down the job stays queued in Postgres and the workers' sweep picks it up.
    """

    sent = False

    def _after_commit(committed: Session) -> None:
        nonlocal sent
        # SQLAlchemy also calls after_commit when a savepoint is released (begin_nested): the job's
        # rows are not committed then, and a worker that looked at once would refuse the job
        if sent or committed.in_nested_transaction():
            return
        sent = True
        try:
            enqueue_run_sync(tenant_id, job_id)
        except Exception:  # the sweep recovers; a commit must not look failed because of Redis
            log.exception("enqueue of job %s failed; the worker sweep will pick it up", job_id)

    event.listen(session, "after_commit", _after_commit)


def _run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even if this thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="pharos-enqueue")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
