"""A real worker process is SIGKILLed again and again during a 2,000-item sample job; every
item must still end done exactly once (side effects counted by idempotency key), none lost."""

from __future__ import annotations

import time
import uuid

import pytest

from models.core.db import tenant_session
from models.jobs import repo
from tests.support.kill import scalar

ITEMS = 2000
KILLS = 4

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("sample_job")]


def test_sigkilled_workers_lose_nothing_and_do_nothing_twice(tenant_a, kill_harness):
    ctx = tenant_a.ctx()
    worker = kill_harness(lease_seconds=2, chunk_size=20)
    prefix = uuid.uuid4().hex[:8]
    with tenant_session(ctx) as s:
        job = repo.create_job(
            s,
            ctx,
            "sample",
            {"item_delay_ms": 2, "max_attempts": 50},
            [(f"kill:{prefix}:{i}", {}) for i in range(ITEMS)],
        )
    job_id = job.id
    done_sql = "select count(*) from job_items where job_id = :j and status = 'done'"
    worker.enqueue(ctx.tenant_id, job_id)

    started = time.monotonic()
    worker.start()
    worker.kill_while_progressing(lambda: scalar(ctx, done_sql, j=job_id), ITEMS, KILLS)
    worker.wait(
        lambda: scalar(ctx, "select status from jobs where id = :j", j=job_id) in ("completed", "failed", "cancelled"),
        "the job to finish",
    )
    worker.stop()
    seconds = time.monotonic() - started

    status = scalar(ctx, "select status from jobs where id = :j", j=job_id)
    done = scalar(ctx, done_sql, j=job_id)
    effects = scalar(ctx, "select count(*) from job_sample_effects where job_id = :j", j=job_id)
    distinct = scalar(ctx, "select count(distinct idempotency_key) from job_sample_effects where job_id = :j", j=job_id)
    redone = scalar(ctx, "select count(*) from job_items where job_id = :j and attempts > 1", j=job_id)
    missing = scalar(
        ctx,
        "select count(*) from job_items i where i.job_id = :j and not exists "
        "(select 1 from job_sample_effects e where e.job_id = i.job_id and e.idempotency_key = i.idempotency_key)",
        j=job_id,
    )
    duplicates, lost = effects - distinct, ITEMS - distinct
    print(
        f"\nkill test: items={ITEMS} kills={worker.kills} duplicates={duplicates} lost={lost} "
        f"items_redone_after_kill={redone} seconds={seconds:.1f}"
    )
    assert worker.kills >= 3
    assert status == "completed", worker.tail()
    assert (done, effects, distinct, duplicates, lost, missing) == (ITEMS, ITEMS, ITEMS, 0, 0, 0)
    from models.core.audit import verify_tenant_chain

    with tenant_session(ctx) as s:
        assert verify_tenant_chain(s, ctx.tenant_id) is None
