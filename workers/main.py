"""arq worker settings for `python -m workers` (what `pharos worker` and `pharos up` run).

arq carries only "run job X of tenant T"; Postgres holds the truth. At start-up the worker
re-enqueues every unfinished job (a killed worker's jobs resume), and a periodic sweep
re-enqueues jobs nobody seems to be working on (lost messages, workers that died). A heartbeat
in Redis (models/core/heartbeat.py) tells `/api/health` the worker is alive. A cron every five
minutes runs the modules' schedules (models/jobs/schedules.py: e.g. margin detection per tenant).
Every worker also runs the delivery dispatcher's loop (workers/delivery.py): webhooks and e-mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import Counter
from typing import Any

from arq import Retry
from arq.cron import cron
from arq.worker import func

from engine.context import TenantContext
from models.core import heartbeat
from models.core.base import utcnow
from models.core.db import identity_session, tenant_session
from models.core.redis_client import new_async_redis
from models.core.settings import delivery_settings, get_settings, job_settings
from models.jobs import discovery, repo, schedules
from models.jobs.queue import RUN_JOB, enqueue_run, queue_name, redis_settings
from models.jobs.runner import fail_after_retries, new_worker_id, run_job_sync
from workers.delivery import dispatch_forever
from workers.registry import load_kinds

log = logging.getLogger("pharos.worker")

MAX_TRIES = 5


# times a second run of a job is offered to another worker process before it runs here: with
# HOP_DELAY × (1 + 2 + … + 8) = 1.8 s in all, a worker that is still closing the job that queued
# this one (an import queues its detection run on commit) is free in time to take its share
MAX_HOPS = 8
_running: Counter[str] = Counter()  # jobs this process is running (touched on the event loop only)


async def run_job(ctx: dict[str, Any], tenant_id: str, job_id: str, hops: int = 0) -> dict[str, object]:
    """The only arq function: run one job in a thread; stop it cleanly on abort/shutdown.

    A job enqueued several times (so that several workers share its items, e.g. a detection run)
    gains nothing from a second run in the same process (one GIL): that message is handed back to the
    queue, a little later, for another worker process to take — at most MAX_HOPS times, then it runs
    here as well (a single worker process still gets the job done)."""
    if _running[job_id] and hops < MAX_HOPS:
        await ctx["redis"].enqueue_job(
            RUN_JOB, tenant_id, job_id, hops=hops + 1, _queue_name=queue_name(), _defer_by=HOP_DELAY * (hops + 1)
        )
        return {"job_id": job_id, "handed_over": hops + 1}
    _running[job_id] += 1
    try:
        return await _run(ctx, tenant_id, job_id)
    finally:
        _running[job_id] -= 1
        if not _running[job_id]:
            del _running[job_id]


HOP_DELAY = 0.05  # seconds; about one poll of the other workers (WorkerSettings.poll_delay)


async def _run(ctx: dict[str, Any], tenant_id: str, job_id: str) -> dict[str, object]:
    stop = threading.Event()
    try:
        report = await asyncio.to_thread(run_job_sync, tenant_id, job_id, worker_id=ctx["worker_id"], stop=stop)
    except asyncio.CancelledError:
        stop.set()  # the thread finishes its current item and releases the rest
        raise
    except Exception as exc:
        tries = int(ctx.get("job_try", 1))
        log.exception("run of job %s crashed (try %s)", job_id, tries)
        if tries >= MAX_TRIES:
            await asyncio.to_thread(fail_after_retries, tenant_id, job_id, f"runner crashed {tries} times: {exc}")
            return {"job_id": job_id, "status": "failed"}
        raise Retry(defer=min(30, 2 * tries)) from exc
    return report.as_dict()


async def run_schedules(ctx: dict[str, Any]) -> dict[str, int]:
    """The arq cron: every registered schedule queues what is due now (models/jobs/schedules.py),
    unless PHAROS_JOB_SCHEDULES=off."""
    if not job_settings().schedules_on:
        return {}
    return await asyncio.to_thread(schedules.run_due, utcnow())


def _unfinished() -> list[discovery.UnfinishedJob]:
    with identity_session() as session:
        return discovery.unfinished_jobs(session)


def _stalled(grace: float) -> list[discovery.UnfinishedJob]:
    stalled = []
    for job in _unfinished():
        ctx = TenantContext.system(job.tenant_id)
        with tenant_session(ctx) as session:
            if discovery.needs_worker(session, ctx, job.job_id, grace):
                stalled.append(job)
    return stalled


async def requeue(ctx: dict[str, Any], jobs: list[discovery.UnfinishedJob]) -> int:
    for job in jobs:
        await enqueue_run(job.tenant_id, job.job_id, pool=ctx["redis"])
    if jobs:
        log.info("re-enqueued %d unfinished job(s)", len(jobs))
    return len(jobs)


async def _sweep_forever(ctx: dict[str, Any], interval: float) -> None:
    grace = max(interval, 2 * repo.lease_seconds())
    while True:
        await asyncio.sleep(interval)
        try:
            await requeue(ctx, await asyncio.to_thread(_stalled, grace))
        except Exception:
            log.exception("job sweep failed; retrying in %ss", interval)


async def _beat_forever(ctx: dict[str, Any]) -> None:
    """The worker's heartbeat; a Redis outage is logged and the beat goes on."""
    interval = get_settings().worker_heartbeat_seconds
    client = ctx["heartbeat_redis"]
    while True:
        try:
            await heartbeat.beat(client, ctx["worker_id"])
        except Exception as exc:
            log.warning("worker heartbeat not written: %s", exc)
        await asyncio.sleep(interval)


async def startup(ctx: dict[str, Any]) -> None:
    ctx["worker_id"] = new_worker_id()
    load_kinds()
    await requeue(ctx, await asyncio.to_thread(_unfinished))
    interval = job_settings().sweep_seconds
    ctx["sweeper"] = asyncio.create_task(_sweep_forever(ctx, interval))
    ctx["heartbeat_redis"] = new_async_redis()
    ctx["heartbeat"] = asyncio.create_task(_beat_forever(ctx))
    if delivery_settings().dispatcher_on:
        ctx["delivery"] = asyncio.create_task(dispatch_forever(ctx))
    log.info("worker %s ready on queue %s", ctx["worker_id"], queue_name())


async def shutdown(ctx: dict[str, Any]) -> None:
    for name in ("sweeper", "heartbeat", "delivery"):
        task = ctx.get(name)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    client = ctx.get("heartbeat_redis")
    if client is not None:
        with contextlib.suppress(Exception):  # leaving early is a courtesy; the entry expires anyway
            await heartbeat.forget(client, ctx["worker_id"])
        await client.aclose()


def worker_options() -> dict[str, Any]:
    """Settings that depend on the environment, read when the worker starts (not at import)."""
    return {
        "redis_settings": redis_settings(),
        "queue_name": queue_name(),
        "job_timeout": job_settings().timeout_seconds,
    }


class WorkerSettings:
    """Static arq settings; `worker_options()` adds Redis, queue name and timeout at start."""

    functions = [func(run_job, name=RUN_JOB, max_tries=MAX_TRIES)]
    # every 5 minutes; arq runs one tick on one worker (unique), and a schedule is safe to run twice
    cron_jobs = [cron(run_schedules, name="pharos:schedules", minute=set(range(0, 60, 5)), unique=True)]
    on_startup = startup
    on_shutdown = shutdown
    queue_name = "pharos:queue"
    poll_delay = 0.05
    allow_abort_jobs = True
    max_jobs = 10
    keep_result = 3600
    health_check_interval = 30
