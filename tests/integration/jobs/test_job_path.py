"""The job path against real Postgres and Redis: claims, leases, cancel, decisions, progress,
SSE and tenant isolation."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from typing import cast

import pytest
from sqlalchemy import text

from engine.errors import Forbidden, InvalidTransition, NotFound
from models.core.db import tenant_session
from models.jobs import discovery, repo
from models.jobs import items as job_items

pytestmark = pytest.mark.usefixtures("sample_job")

WAIT = 30.0  # upper bound of every wait; none is a timing assertion


@pytest.fixture(autouse=True, scope="module")
def _own_queue():
    """A queue of our own, so a concurrent test run on the same Redis never takes our jobs."""
    previous = os.environ.get("PHAROS_QUEUE_NAME")
    os.environ["PHAROS_QUEUE_NAME"] = f"pharos:test:{uuid.uuid4().hex[:10]}:queue"
    yield
    if previous is None:
        os.environ.pop("PHAROS_QUEUE_NAME", None)
    else:
        os.environ["PHAROS_QUEUE_NAME"] = previous


_CREATED: list = []


@pytest.fixture(autouse=True)
def _cancel_leftovers():
    """Cancel jobs a test left unfinished, so a later worker in this session does not run them."""
    yield
    while _CREATED:
        ctx, job_id = _CREATED.pop()
        with tenant_session(ctx) as s:
            if repo.get_job(s, ctx, job_id).status in ("queued", "running"):
                repo.request_cancel(s, ctx, job_id, reason="test teardown")


def new_job(ctx, n: int, params: dict | None = None, kind: str = "sample") -> uuid.UUID:
    prefix = uuid.uuid4().hex[:8]
    with tenant_session(ctx) as s:
        job = repo.create_job(s, ctx, kind, params or {}, [(f"t:{prefix}:{i}", {"i": i}) for i in range(n)])
    _CREATED.append((ctx, job.id))
    return job.id


def started_job(ctx, n: int, params: dict | None = None) -> uuid.UUID:
    job_id = new_job(ctx, n, params)
    with tenant_session(ctx) as s:
        assert repo.start_job(s, ctx, repo.get_job(s, ctx, job_id))
    return job_id


def claim(ctx, job_id, worker: str, limit: int = 10, lease: float = 30.0):
    with tenant_session(ctx) as s:
        return job_items.claim_items(s, ctx, job_id, worker, limit, lease)


def rows(ctx, sql: str, **params):
    with tenant_session(ctx) as s:
        return s.execute(text(sql), params).all()


def wait_for(predicate, what: str, timeout: float = WAIT, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"gave up after {timeout}s waiting for {what}")


def run(ctx, job_id, **kw):
    from models.jobs.runner import run_job_sync

    return run_job_sync(ctx.tenant_id, job_id, **kw)


# --- creation -------------------------------------------------------------------------


def test_create_job_with_10k_items_is_one_audited_insert(tenant_a):
    ctx = tenant_a.ctx()
    t0 = time.perf_counter()
    job_id = new_job(ctx, 10_000)
    elapsed = time.perf_counter() - t0
    print(f"\ncreate_job with 10,000 items: {elapsed:.2f}s")
    assert rows(ctx, "select count(*) from job_items where job_id = :j", j=job_id)[0][0] == 10_000
    with tenant_session(ctx) as s:
        job = repo.get_job(s, ctx, job_id)
        assert (job.status, job.total_items) == ("queued", 10_000)
    audits = rows(ctx, "select action, after from audit_events where entity_id = :j", j=str(job_id))
    assert [a for a, _ in audits] == ["job.create"]
    assert audits[0][1]["total_items"] == 10_000


def test_reused_idempotency_key_is_a_conflict(tenant_a):
    from engine.errors import Conflict

    ctx = tenant_a.ctx()
    with tenant_session(ctx) as s:
        repo.create_job(s, ctx, "sample", {}, [("dup:key", {})])
    with pytest.raises(Conflict), tenant_session(ctx) as s:
        repo.create_job(s, ctx, "sample", {}, [("dup:key", {})])


# --- claims and leases ----------------------------------------------------------------


def test_concurrent_claimers_never_get_the_same_item(tenant_a):
    ctx = tenant_a.ctx()
    job_id = started_job(ctx, 300)

    # 1. an open claim transaction does not block a second claimer: it skips the locked rows
    holding, release = threading.Event(), threading.Event()
    first: list = []

    def hold_claim():
        with tenant_session(ctx) as s:
            first.extend(job_items.claim_items(s, ctx, job_id, "w-hold", 20, 30))
            holding.set()
            release.wait(WAIT)

    t = threading.Thread(target=hold_claim)
    t.start()
    assert holding.wait(WAIT), "first claimer never claimed"
    second = claim(ctx, job_id, "w-second", 20)
    release.set()
    t.join(WAIT)
    assert len(first) == len(second) == 20
    assert not {i.id for i in first} & {i.id for i in second}

    # 2. many claimers racing until the job is drained: every item handed out exactly once
    got: dict[str, list[uuid.UUID]] = {}

    def drain(name: str):
        mine = got.setdefault(name, [])
        while True:
            items = claim(ctx, job_id, name, 7)
            if not items:
                return
            mine.extend(i.id for i in items)

    threads = [threading.Thread(target=drain, args=(f"w{n}",)) for n in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(WAIT * 2)
    handed = [i for ids in got.values() for i in ids]
    assert len(handed) == len(set(handed)) == 260
    assert sum(1 for ids in got.values() if ids) >= 2, "claims were not actually concurrent"


def test_expired_lease_is_reclaimed_and_the_old_holder_cannot_finish(tenant_a):
    ctx = tenant_a.ctx()
    job_id = started_job(ctx, 2)
    [live] = claim(ctx, job_id, "w-live", 1, lease=300)
    assert live.attempts == 1
    [short] = claim(ctx, job_id, "w-old", 1, lease=0.2)
    assert short.id != live.id
    taken = wait_for(lambda: claim(ctx, job_id, "w-new", 5, lease=30), "the expired lease to be re-claimed")
    assert [i.id for i in taken] == [short.id], "a live lease must never be handed out again"
    assert taken[0].attempts == 2
    with tenant_session(ctx) as s:
        assert job_items.complete_item(s, ctx, short.id, "w-old") is False
        assert job_items.fail_item(s, ctx, short.id, "w-old", "late") is False
        assert job_items.complete_item(s, ctx, short.id, "w-new", {"ok": True}) is True
        assert job_items.complete_item(s, ctx, live.id, "w-live") is True
    status = rows(ctx, "select status, lease_owner, result from job_items where id = :i", i=short.id)[0]
    assert tuple(status) == ("done", None, {"ok": True})


def test_an_item_claimed_more_than_max_attempts_fails(tenant_a):
    ctx = tenant_a.ctx()
    job_id = started_job(ctx, 1, {"max_attempts": 1})
    [item] = claim(ctx, job_id, "w1", 1, lease=0.05)

    def gave_up():
        claim(ctx, job_id, "w2", 1, lease=30)
        return rows(ctx, "select status, attempts, error from job_items where id = :i", i=item.id)[0].status == "failed"

    wait_for(gave_up, "the item to fail after its lease expired")
    row = rows(ctx, "select status, attempts, error from job_items where id = :i", i=item.id)[0]
    assert row.attempts == 2 and "gave up after 1 attempts" in row.error


# --- running, decisions, audit --------------------------------------------------------


def test_run_sample_job_decisions_audit_and_effects(tenant_a):
    from models.core.audit import verify_tenant_chain

    ctx = tenant_a.ctx()
    job_id = new_job(ctx, 120, {"fail_keys": [], "retry_keys": []})
    report = run(ctx, job_id, chunk_size=25)
    assert report.status == "completed" and report.outcomes == {"done": 120}
    effects = rows(
        ctx, "select count(*), count(distinct idempotency_key) from job_sample_effects where job_id = :j", j=job_id
    )
    assert tuple(effects[0]) == (120, 120)
    events = rows(
        ctx,
        "select action, from_status, to_status, actor from decision_events where entity_id = :j order by at",
        j=job_id,
    )
    assert [tuple(e) for e in events] == [
        ("start", "queued", "running", "system"),
        ("complete", "running", "completed", "system"),
    ]
    actions = [
        r.action for r in rows(ctx, "select action from audit_events where entity_id = :j order by seq", j=str(job_id))
    ]
    assert actions[0] == "job.create" and "job.start" in actions and actions[-1] == "job.complete"
    assert actions.count("job.items.process") == 5
    outbox = rows(ctx, "select topic from outbox_events where entity_id = :j order by created_at", j=str(job_id))
    assert [o.topic for o in outbox] == ["job.start", "job.complete"]
    with tenant_session(ctx) as s:
        assert verify_tenant_chain(s, ctx.tenant_id) is None
    # a second run of a finished job does nothing
    again = run(ctx, job_id)
    assert again.status == "completed" and again.items == 0


def test_failed_and_retried_items_leave_no_side_effect(tenant_a):
    ctx = tenant_a.ctx()
    prefix = uuid.uuid4().hex[:8]
    keys = [f"fr:{prefix}:{i}" for i in range(6)]
    with tenant_session(ctx) as s:
        job_id = repo.create_job(
            s,
            ctx,
            "sample",
            {"fail_keys": [keys[1]], "retry_keys": [keys[2]], "max_attempts": 3},
            [(k, {}) for k in keys],
        ).id
    report = run(ctx, job_id, chunk_size=2)
    assert report.status == "completed"
    by_key = {
        r.idempotency_key: r
        for r in rows(ctx, "select idempotency_key, status, attempts, error from job_items where job_id = :j", j=job_id)
    }
    assert by_key[keys[1]].status == "failed" and by_key[keys[1]].attempts == 1
    assert by_key[keys[2]].status == "failed" and by_key[keys[2]].attempts == 3
    assert "sample retry" in by_key[keys[2]].error
    done = {k for k, r in by_key.items() if r.status == "done"}
    effects = {
        r.idempotency_key
        for r in rows(ctx, "select idempotency_key from job_sample_effects where job_id = :j", j=job_id)
    }
    assert effects == done == set(keys) - {keys[1], keys[2]}


def test_a_job_kind_without_handler_fails_with_a_reason(tenant_a):
    ctx = tenant_a.ctx()
    job_id = new_job(ctx, 3, kind="no-such-kind")
    assert run(ctx, job_id).status == "failed"
    with tenant_session(ctx) as s:
        job = repo.get_job(s, ctx, job_id)
        assert job.status == "failed" and "no handler" in job.error
    assert {r.status for r in rows(ctx, "select status from job_items where job_id = :j", j=job_id)} == {"cancelled"}


# --- cancel ---------------------------------------------------------------------------


def test_cancel_queued_job_is_a_decision_and_needs_the_permission(tenant_a):
    owner = tenant_a.ctx()
    job_id = new_job(owner, 5)
    viewer = tenant_a.ctx("viewer")
    with pytest.raises(Forbidden), tenant_session(viewer) as s:
        repo.request_cancel(s, viewer, job_id)
    assert rows(owner, "select count(*) from job_items where job_id = :j and status = 'pending'", j=job_id)[0][0] == 5

    ops = tenant_a.ctx("ops")
    with tenant_session(ops) as s:
        job = repo.request_cancel(s, ops, job_id, reason="wrong file")
        assert job.status == "cancelled" and job.cancel_requested
    assert {r.status for r in rows(owner, "select status from job_items where job_id = :j", j=job_id)} == {"cancelled"}
    [event] = rows(owner, "select action, reason, actor_role from decision_events where entity_id = :j", j=job_id)
    assert tuple(event) == ("cancel", "wrong file", "ops")
    assert "job.cancel" in {
        r.action for r in rows(owner, "select action from audit_events where entity_id = :j", j=str(job_id))
    }
    with pytest.raises(InvalidTransition), tenant_session(ops) as s:
        repo.request_cancel(s, ops, job_id)
    assert run(owner, job_id).status == "cancelled"


def test_cancel_while_running_stops_the_runner(tenant_a):
    ctx = tenant_a.ctx()
    job_id = new_job(ctx, 400, {"item_delay_ms": 5})
    result: dict = {}
    t = threading.Thread(target=lambda: result.update(report=run(ctx, job_id, chunk_size=10)))
    t.start()
    wait_for(
        lambda: rows(ctx, "select count(*) from job_items where job_id = :j and status = 'done'", j=job_id)[0][0] >= 20,
        "the runner to finish a few chunks",
    )
    with tenant_session(ctx) as s:
        repo.request_cancel(s, ctx, job_id, reason="stop")
    t.join(WAIT)
    assert not t.is_alive(), "runner did not stop after cancel"
    assert result["report"].status == "cancelled"
    counts = dict(rows(ctx, "select status, count(*) from job_items where job_id = :j group by status", j=job_id))
    assert set(counts) <= {"done", "cancelled"} and counts["cancelled"] > 0
    effects = rows(ctx, "select count(*) from job_sample_effects where job_id = :j", j=job_id)[0][0]
    assert effects == counts["done"]


# --- progress -------------------------------------------------------------------------


def test_progress_is_published_on_the_tenants_channel(tenant_a):
    from models.core.redis_client import sync_redis
    from models.jobs.progress import channel, latest_snapshot

    ctx = tenant_a.ctx()
    job_id = new_job(ctx, 60)
    pubsub = sync_redis().pubsub()
    name = channel(ctx.tenant_id, job_id)
    assert name == f"pharos:t:{ctx.tenant_id}:job:{job_id}"
    pubsub.subscribe(name)
    wait_for(lambda: pubsub.get_message(timeout=0.1), "the subscription")
    run(ctx, job_id, chunk_size=20)
    messages = []
    while True:
        msg = pubsub.get_message(timeout=1.0)
        if msg is None:
            break
        if msg["type"] == "message":
            messages.append(json.loads(msg["data"]))
    pubsub.close()
    assert messages, "no progress message received"
    assert all(m["tenant_id"] == str(ctx.tenant_id) and m["job_id"] == str(job_id) for m in messages)
    done = [m["counts"]["done"] for m in messages]
    assert done == sorted(done) and done[-1] == 60
    assert messages[-1]["status"] == "completed" and messages[-1]["finished"] and messages[-1]["percent"] == 100
    latest = latest_snapshot(ctx.tenant_id, job_id)
    assert latest is not None and latest.status == "completed"


def _parse_frames(frames: list[str]) -> list[tuple[str, dict]]:
    parsed = []
    for frame in frames:
        event, data = None, None
        for line in frame.strip().splitlines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
        if event:
            parsed.append((event, data))
    return parsed


async def _collect_sse(ctx, job_id, **kw) -> list[str]:
    from models.jobs.progress import open_job_stream

    stream = await open_job_stream(ctx, job_id, poll_interval=0.5, **kw)
    runner = asyncio.create_task(asyncio.to_thread(run, ctx, job_id, chunk_size=10))
    frames = []

    async def consume():
        async for frame in stream:
            frames.append(frame)

    await asyncio.wait_for(consume(), WAIT)
    await asyncio.wait_for(runner, WAIT)
    return frames


async def test_sse_streams_snapshots_and_ends(tenant_a):
    ctx = tenant_a.ctx()
    job_id = await asyncio.to_thread(new_job, ctx, 50, {"item_delay_ms": 2})
    frames = await _collect_sse(ctx, job_id)
    assert frames[0].startswith("retry: ")
    events = _parse_frames(frames)
    assert events[0][0] == "progress" and events[0][1]["status"] in ("queued", "running")
    assert events[-1][0] == "end" and events[-1][1]["status"] == "completed"
    assert events[-1][1]["counts"]["done"] == 50
    assert len(events) >= 3


async def test_sse_falls_back_to_database_polling_without_redis(tenant_a):
    ctx = tenant_a.ctx()
    job_id = await asyncio.to_thread(new_job, ctx, 30, {"item_delay_ms": 2})
    frames = await _collect_sse(ctx, job_id, redis_url="redis://127.0.0.1:1/0")
    events = _parse_frames(frames)
    assert events[-1] == ("end", events[-1][1]) and events[-1][1]["status"] == "completed"


async def test_watch_job_for_a_finished_job_yields_once_and_ends(tenant_a):
    from models.jobs.progress import watch_job

    ctx = tenant_a.ctx()
    job_id = await asyncio.to_thread(new_job, ctx, 3)
    await asyncio.to_thread(run, ctx, job_id)
    snaps = [s async for s in watch_job(ctx, job_id)]
    assert [s.status for s in snaps] == ["completed"] and snaps[0].counts["done"] == 3


# --- tenant isolation -----------------------------------------------------------------


async def test_tenant_b_cannot_load_claim_run_or_stream_tenant_a_job(tenant_a, tenant_b):
    from models.jobs.progress import open_job_stream, sse_job_events, watch_job

    a, b = tenant_a.ctx(), tenant_b.ctx()
    job_id = await asyncio.to_thread(new_job, a, 4)

    def sync_checks():
        [item_id] = rows(a, "select id from job_items where job_id = :j and seq = 1", j=job_id)[0]
        with tenant_session(b) as s:
            for call in (
                lambda: repo.get_job(s, b, job_id),
                lambda: repo.job_progress(s, b, job_id),
                lambda: job_items.claim_items(s, b, job_id, "intruder", 10, 30),
            ):
                with pytest.raises(NotFound):
                    call()
            assert job_items.complete_item(s, b, item_id, "intruder") is False
            assert job_items.renew_leases(s, b, [item_id], "intruder", 30) == set()
        with pytest.raises(NotFound), tenant_session(b) as s:
            repo.request_cancel(s, b, job_id)
        report = run(b, job_id)
        assert report.refused and report.items == 0
        with tenant_session(b) as s:  # B sees no rows at all, and learns nothing from counts
            assert s.execute(text("select count(*) from job_items where job_id = :j"), {"j": job_id}).scalar() == 0

    await asyncio.to_thread(sync_checks)
    with pytest.raises(NotFound):
        await open_job_stream(b, job_id)
    with pytest.raises(NotFound):
        await anext(sse_job_events(b, job_id))
    with pytest.raises(NotFound):
        await anext(watch_job(b, job_id))
    untouched = await asyncio.to_thread(rows, a, "select status, attempts from job_items where job_id = :j", j=job_id)
    assert {tuple(r) for r in untouched} == {("pending", 0)}
    with tenant_session(a) as s:
        assert repo.get_job(s, a, job_id).status == "queued"


# --- the whole path through arq -------------------------------------------------------


async def test_submitted_job_is_run_by_an_arq_worker(tenant_a):
    from arq.worker import Worker

    from models.jobs.repo import submit_job
    from workers.main import WorkerSettings, worker_options

    ctx = tenant_a.ctx()
    prefix = uuid.uuid4().hex[:8]
    job_id = await asyncio.to_thread(submit_job, ctx, "sample", {}, [(f"arq:{prefix}:{i}", {}) for i in range(40)])
    options = {k: v for k, v in vars(WorkerSettings).items() if not k.startswith("_")}
    worker = Worker(**{**options, **worker_options(), "burst": True, "handle_signals": False})
    try:
        await asyncio.wait_for(worker.async_run(), WAIT)
    finally:
        await worker.close()
    with tenant_session(ctx) as s:
        assert repo.get_job(s, ctx, job_id).status == "completed"
    effects = rows(ctx, "select count(distinct idempotency_key) from job_sample_effects where job_id = :j", j=job_id)
    assert effects[0][0] == 40


def test_a_job_created_in_a_savepoint_is_enqueued_at_the_commit_not_at_the_savepoint(tenant_a):
    """after_commit also fires when a savepoint is released (an import merges in one and queues
    detection there): the message must wait for the real commit, or a fast worker refuses the job
    it cannot see yet and it waits for the sweep."""
    from models.core.redis_client import sync_redis
    from models.jobs.queue import enqueue_after_commit, queue_name

    ctx = tenant_a.ctx()

    def queued() -> int:
        return cast(int, sync_redis().zcard(queue_name()))

    before = queued()
    with tenant_session(ctx) as s:
        with s.begin_nested():
            job = repo.create_job(s, ctx, "sample", {}, [(f"sp:{uuid.uuid4().hex[:8]}", {})])
            enqueue_after_commit(s, ctx.tenant_id, job.id)
        assert queued() == before  # the savepoint is released, nothing committed yet
        _CREATED.append((ctx, job.id))
    assert queued() == before + 1


async def test_a_second_run_of_a_job_in_the_same_process_is_offered_to_another_worker(tenant_a):
    """A job enqueued twice (so two worker processes share its items) whose messages both reach one
    process: the second is handed back to the queue (bounded) instead of running beside the first
    under the same GIL; the job is still done, every item once."""
    from arq.worker import Worker

    from models.jobs.queue import arq_pool, enqueue_run
    from workers.main import MAX_HOPS, WorkerSettings, worker_options

    ctx = tenant_a.ctx()
    job_id = new_job(ctx, 30, {"item_delay_ms": 20})
    pool = await arq_pool()
    try:
        for _ in range(2):
            await enqueue_run(ctx.tenant_id, job_id, pool=pool)
        options = {k: v for k, v in vars(WorkerSettings).items() if not k.startswith("_")}
        worker = Worker(**{**options, **worker_options(), "burst": True, "handle_signals": False})
        try:
            await asyncio.wait_for(worker.async_run(), WAIT)
        finally:
            await worker.close()
        results = [r.result for r in await pool.all_job_results() if r.args[1:2] == (str(job_id),)]
    finally:
        await pool.aclose()
    hops = [r["handed_over"] for r in results if isinstance(r, dict) and "handed_over" in r]
    assert hops and max(hops) <= MAX_HOPS, results  # handed over, and never more than MAX_HOPS times
    with tenant_session(ctx) as s:
        assert repo.get_job(s, ctx, job_id).status == "completed"
    effects = rows(
        ctx, "select count(*), count(distinct idempotency_key) from job_sample_effects where job_id = :j", j=job_id
    )
    assert tuple(effects[0]) == (30, 30)


# --- stopping and the sweep -----------------------------------------------------------


def test_a_stopping_runner_gives_unstarted_items_back(tenant_a):
    ctx = tenant_a.ctx()
    job_id = new_job(ctx, 200, {"item_delay_ms": 5})
    stop = threading.Event()
    result: dict = {}
    t = threading.Thread(target=lambda: result.update(report=run(ctx, job_id, chunk_size=50, stop=stop)))
    t.start()
    wait_for(
        lambda: rows(ctx, "select count(*) from job_items where job_id = :j and status = 'done'", j=job_id)[0][0] >= 5,
        "a few items to be done",
    )
    stop.set()
    t.join(WAIT)
    assert not t.is_alive()
    assert result["report"].status == "running"
    counts = dict(rows(ctx, "select status, count(*) from job_items where job_id = :j group by status", j=job_id))
    assert set(counts) == {"done", "pending"}, counts  # nothing left leased to the stopped worker
    refunded = rows(ctx, "select max(attempts) from job_items where job_id = :j and status = 'pending'", j=job_id)[0][0]
    assert refunded == 0
    assert run(ctx, job_id).status == "completed"  # another run finishes it
    assert rows(ctx, "select count(*) from job_sample_effects where job_id = :j", j=job_id)[0][0] == 200


def test_needs_worker_spots_stalled_jobs_only(tenant_a):
    ctx = tenant_a.ctx()
    queued = new_job(ctx, 1)
    running = started_job(ctx, 2)
    claim(ctx, running, "w-live", 1, lease=300)

    def needs(job_id, grace):
        with tenant_session(ctx) as s:
            return discovery.needs_worker(s, ctx, job_id, grace)

    assert needs(queued, 300) is False  # just enqueued: give the queue time
    assert needs(queued, 0) is True  # queued past the grace: the message may be lost
    assert needs(running, 0) is False  # a live lease: someone is working
    claim(ctx, running, "w-dying", 1, lease=0.05)
    wait_for(lambda: needs(running, 300), "the expired lease to mark the job as stalled")
    with tenant_session(ctx) as s:
        assert {j.job_id for j in discovery.unfinished_jobs(s)} >= {queued, running}
