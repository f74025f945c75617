"""The arq 0.25 behaviour the job path relies on, against a real Redis.

If an arq upgrade changes any of this, these tests say what broke: enqueue on our own queue
name, results, Retry, giving up after max_tries, abort, duplicate enqueues, and a job enqueued
while no worker runs being done by a worker started later.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from arq import Retry
from arq.jobs import JobStatus
from arq.worker import Worker

from models.jobs.queue import redis_settings

WAIT = 20.0


@pytest.fixture
def queue() -> str:
    return f"pharos:test:arq:{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def pool(queue):
    from arq import create_pool

    redis = await create_pool(redis_settings(), default_queue_name=queue)
    yield redis
    await redis.aclose()


async def add(ctx, a: int, b: int) -> int:
    return a + b


async def flaky(ctx, succeed_on: int) -> int:
    if ctx["job_try"] < succeed_on:
        raise Retry(defer=0.05)
    return ctx["job_try"]


async def always_retry(ctx) -> None:
    raise Retry(defer=0.01)


async def sleeper(ctx, seconds: float) -> str:
    ctx["started"].set()
    await asyncio.sleep(seconds)
    return "slept"


def make_worker(queue: str, *, burst: bool = True, **kw) -> Worker:
    return Worker(
        functions=kw.pop("functions", [add, flaky, always_retry, sleeper]),
        redis_settings=redis_settings(),
        queue_name=queue,
        burst=burst,
        poll_delay=0.01,
        handle_signals=False,
        keep_result=60,
        **kw,
    )


async def run_burst(queue: str, **kw) -> Worker:
    worker = make_worker(queue, **kw)
    try:
        await asyncio.wait_for(worker.async_run(), WAIT)
    finally:
        await worker.close()
    return worker


def test_unix_socket_urls_get_a_database_number():
    settings = redis_settings("unix:///tmp/pharos-redis.sock")
    assert (settings.unix_socket_path, settings.database) == ("/tmp/pharos-redis.sock", 0)
    settings = redis_settings("unix:///tmp/pharos-redis.sock?db=13")
    assert settings.database == 13
    assert redis_settings("redis://127.0.0.1:6379/5").database == 5


async def test_enqueue_on_our_queue_and_read_the_result(pool, queue):
    job = await pool.enqueue_job("add", 2, 3, _queue_name=queue)
    assert job is not None
    assert await job.status() == JobStatus.queued
    assert [j.function for j in await pool.queued_jobs(queue_name=queue)] == ["add"]
    assert all(j.job_id != job.job_id for j in await pool.queued_jobs(queue_name="arq:queue"))
    worker = await run_burst(queue)
    assert worker.jobs_complete == 1
    assert await job.result(timeout=WAIT) == 5
    info = await job.result_info()
    assert info.success and info.args == (2, 3) and info.job_try == 1
    assert await job.status() == JobStatus.complete


async def test_duplicate_enqueues_are_two_jobs_unless_the_id_is_fixed(pool, queue):
    first = await pool.enqueue_job("add", 1, 1, _queue_name=queue)
    second = await pool.enqueue_job("add", 1, 1, _queue_name=queue)
    assert first.job_id != second.job_id  # we rely on this: re-enqueueing a job is allowed
    fixed = await pool.enqueue_job("add", 1, 1, _queue_name=queue, _job_id=f"fixed-{queue}")
    again = await pool.enqueue_job("add", 1, 1, _queue_name=queue, _job_id=f"fixed-{queue}")
    assert fixed is not None and again is None
    await run_burst(queue)
    assert [await j.result(timeout=WAIT) for j in (first, second, fixed)] == [2, 2, 2]


async def test_retry_runs_the_function_again_with_a_higher_try(pool, queue):
    job = await pool.enqueue_job("flaky", 3, _queue_name=queue)
    worker = await run_burst(queue)
    assert await job.result(timeout=WAIT) == 3
    assert (await job.result_info()).job_try == 3
    assert worker.jobs_retried == 2


async def test_retry_gives_up_after_max_tries(pool, queue):
    job = await pool.enqueue_job("always_retry", _queue_name=queue)
    worker = await run_burst(queue, max_tries=3)
    assert worker.jobs_failed == 1
    info = await job.result_info()
    assert info is not None and not info.success and "max 3 retries exceeded" in str(info.result)


async def test_abort_cancels_a_running_job(pool, queue):
    started = asyncio.Event()
    worker = make_worker(queue, burst=False, allow_abort_jobs=True, ctx={"started": started})
    task = asyncio.create_task(worker.async_run())
    try:
        job = await pool.enqueue_job("sleeper", 60, _queue_name=queue)
        await asyncio.wait_for(started.wait(), WAIT)
        assert await job.status() == JobStatus.in_progress
        assert await job.abort(timeout=WAIT, poll_delay=0.05) is True
        info = await job.result_info()
        assert not info.success and isinstance(info.result, asyncio.CancelledError)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await worker.close()


async def test_a_job_enqueued_while_no_worker_runs_is_done_by_a_later_worker(pool, queue):
    job = await pool.enqueue_job("add", 20, 22, _queue_name=queue)
    # the queue is this test's own and no worker runs: the job waits in the queue's sorted set
    assert await pool.zscore(queue, job.job_id) is not None
    assert await job.status() == JobStatus.queued
    assert await pool.zscore(queue, job.job_id) is not None
    first = make_worker(queue, burst=False)
    first_task = asyncio.create_task(first.async_run())
    try:
        assert await job.result(timeout=WAIT, poll_delay=0.05) == 42
    finally:
        first_task.cancel()
        await asyncio.gather(first_task, return_exceptions=True)
        await first.close()
    # and after that worker is gone, a new one started later takes the next job
    later = await pool.enqueue_job("add", 1, 2, _queue_name=queue)
    await run_burst(queue)
    assert await later.result(timeout=WAIT) == 3


async def test_pharos_worker_settings_name_the_contract():
    from workers.main import WorkerSettings, worker_options

    options = worker_options()
    assert options["queue_name"].startswith("pharos:")
    assert [f.name for f in WorkerSettings.functions] == ["run_job"]
    assert WorkerSettings.allow_abort_jobs is True and WorkerSettings.poll_delay <= 0.05
