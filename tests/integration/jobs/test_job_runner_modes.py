"""The runner's two chunk modes and pacing, with the real runner against real Postgres.

- Collecting kinds (`ChunkHooks(collects=True)`, as margin.enforce): no savepoint per item, one
  mark statement per chunk, effects written by `end` for exactly the items marked — a failed, retried
  or lease-lost item leaves no effect, and every item ends with exactly one effect.
- Paced jobs (`pace_ms`): one item per chunk, the runner waits before each item outside any
  transaction, and a stop during the wait returns without claiming anything.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import select

from engine.jobs import Done, Failed, Retry, Skipped
from models.core import mutations
from models.core.db import tenant_session
from models.core.tables import AuditEvent
from models.jobs import repo
from models.jobs.kinds import ChunkHooks, ItemContext, JobKind, register
from models.jobs.runner import run_job_sync
from models.jobs.tables import JobItem
from tests.support.sample_job import JobSampleEffect

pytestmark = pytest.mark.usefixtures("sample_job")

KIND = "test.collecting"
STATE = "test.collecting.chunk"


def collecting_item(ic: ItemContext):
    """Writes nothing (collects only); the outcome comes from the item's payload."""
    chunk = ic.session.info[STATE]
    mode = ic.item.payload.get("mode", "done")
    if mode == "lose_lease" and ic.item.attempts == 1:
        # the worker lost this item's lease mid-chunk (as after a long stall): it must not be kept
        ic.session.execute(
            text("update job_items set lease_expires_at = clock_timestamp() - interval '1 second' where id = :i"),
            {"i": ic.item.id},
        )
    if mode == "fail":
        return Failed("broken item")
    if mode == "retry" and ic.item.attempts == 1:
        return Retry("try again")
    if mode == "boom":
        raise RuntimeError("handler bug")
    chunk["collected"].append(ic.item.idempotency_key)
    return Skipped("nothing to do") if mode == "skip" else Done({"key": ic.item.idempotency_key})


def _begin(session, ctx, job, items):
    session.info[STATE] = {"collected": [], "undone": [], "ctx": ctx}


def _undo(session, item):
    chunk = session.info[STATE]
    chunk["undone"].append(item.idempotency_key)
    if item.idempotency_key in chunk["collected"]:
        chunk["collected"].remove(item.idempotency_key)


def _end(session, job, kept):
    chunk = session.info[STATE]
    assert sorted(chunk["collected"]) == sorted(i.idempotency_key for i in kept)
    for item in kept:
        mutations.create(
            session,
            chunk["ctx"],
            JobSampleEffect(tenant_id=job.tenant_id, job_id=job.id, idempotency_key=item.idempotency_key),
        )


def _abort(session):
    session.info.pop(STATE, None)


register(
    JobKind(KIND, collecting_item, chunk=ChunkHooks(begin=_begin, undo=_undo, end=_end, abort=_abort, collects=True))
)


def _job(ctx, kind: str, modes: list[str], params: dict | None = None) -> uuid.UUID:
    prefix = uuid.uuid4().hex[:8]
    with tenant_session(ctx) as s:
        job = repo.create_job(
            s, ctx, kind, params or {}, [(f"{prefix}:{i}:{m}", {"mode": m}) for i, m in enumerate(modes)]
        )
        return job.id


def _items(ctx, job_id) -> dict[str, JobItem]:
    with tenant_session(ctx) as s:
        return {
            i.idempotency_key.split(":", 1)[1]: i for i in s.exec(select(JobItem).where(JobItem.job_id == job_id)).all()
        }


def _effects(ctx, job_id) -> list[str]:
    with tenant_session(ctx) as s:
        keys = s.exec(select(JobSampleEffect.idempotency_key).where(JobSampleEffect.job_id == job_id)).all()
    return sorted(k.split(":", 1)[1] for k in keys)


def test_collecting_chunk_keeps_exactly_the_marked_items(tenant_a):
    ctx = tenant_a.ctx("ops")
    modes = ["done", "skip", "fail", "retry", "boom", "lose_lease", "done"]
    job_id = _job(ctx, KIND, modes, {"max_attempts": 3})

    report = run_job_sync(ctx.tenant_id, job_id, chunk_size=len(modes), lease_seconds=30)

    items = _items(ctx, job_id)
    assert {k: i.status for k, i in items.items()} == {
        "0:done": "done",
        "1:skip": "skipped",
        "2:fail": "failed",
        "3:retry": "done",  # released on attempt 1, done on attempt 2
        "4:boom": "failed",
        "5:lose_lease": "done",  # dropped when its lease ran out, redone by the next claim
        "6:done": "done",
    }
    assert items["1:skip"].result == {"skipped": "nothing to do"}
    assert items["0:done"].result == {"key": items["0:done"].idempotency_key}
    assert items["4:boom"].error == "RuntimeError: handler bug"
    assert (items["3:retry"].attempts, items["5:lose_lease"].attempts) == (2, 2)
    # one effect per kept item, none for the failed ones, none twice
    assert _effects(ctx, job_id) == ["0:done", "1:skip", "3:retry", "5:lose_lease", "6:done"]
    assert report.status == "completed"
    assert report.outcomes == {"done": 4, "skipped": 1, "failed": 2, "retried": 1, "lease_lost": 1}
    with tenant_session(ctx) as s:
        first_chunk = s.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "job.items.process", AuditEvent.entity_id == str(job_id))
            .order_by(AuditEvent.seq)
        ).first()
    assert first_chunk is not None
    assert {k: v for k, v in first_chunk.after.items() if k != "worker"} == {
        "done": [1, 7],
        "skipped": [2],
        "failed": [3, 5],
        "retried": [4],
        "lease_lost": [6],
    }


def test_paced_job_runs_one_item_per_chunk_and_waits_between_items(tenant_a):
    ctx = tenant_a.ctx("ops")
    job_id = _job(ctx, "sample", ["a", "b", "c"], {"pace_ms": 300})

    report = run_job_sync(ctx.tenant_id, job_id, lease_seconds=30)

    assert report.status == "completed" and report.chunks == 3
    finished = sorted(i.finished_at for i in _items(ctx, job_id).values())
    gaps = [(b - a).total_seconds() for a, b in zip(finished, finished[1:], strict=False)]
    assert all(gap >= 0.3 for gap in gaps), gaps  # no item before its pace has passed


def test_stop_during_the_pace_claims_nothing(tenant_a):
    ctx = tenant_a.ctx("ops")
    job_id = _job(ctx, "sample", ["a", "b"], {"pace_ms": 600_000})
    stop = threading.Event()
    result: dict = {}
    runner = threading.Thread(target=lambda: result.update(run_job_sync(ctx.tenant_id, job_id, stop=stop).as_dict()))
    runner.start()
    with tenant_session(ctx) as s:  # wait (bounded) until the runner has started the job
        for _ in range(300):
            if repo.get_job(s, ctx, job_id).status == "running":
                break
            s.expire_all()
            threading.Event().wait(0.1)
    stop.set()
    runner.join(timeout=30)

    assert not runner.is_alive()
    assert result["items"] == 0 and result["status"] == "running"
    assert {i.status for i in _items(ctx, job_id).values()} == {"pending"}
    assert {i.attempts for i in _items(ctx, job_id).values()} == {0}
    with tenant_session(ctx) as s:
        job = repo.get_job(s, ctx, job_id)
        assert repo.pace_seconds(job) == 600.0  # capped at 10 minutes
        repo.request_cancel(s, ctx, job_id, reason="test done")


def test_a_chunk_longer_than_the_lease_renews_it_and_keeps_every_item(tenant_a):
    """Leases are short so a dead worker's items are taken over soon; a live runner whose chunk
    outlasts the lease renews it between items and loses none (one attempt each, one effect each)."""
    ctx = tenant_a.ctx("ops")
    job_id = _job(ctx, "sample", [f"slow{i}" for i in range(10)], {"item_delay_ms": 300, "max_attempts": 1})

    report = run_job_sync(ctx.tenant_id, job_id, chunk_size=10, lease_seconds=1.5)  # the chunk takes 3 s+

    assert (report.status, report.chunks, report.outcomes) == ("completed", 1, {"done": 10})
    assert {i.attempts for i in _items(ctx, job_id).values()} == {1}
    assert _effects(ctx, job_id) == sorted(f"{i}:slow{i}" for i in range(10))
