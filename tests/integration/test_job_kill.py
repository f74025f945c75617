"""A real worker process is SIGKILLed again and again during a 2,000-item sample job; every
item must still end done exactly once (side effects counted by idempotency key), none lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from models.core.db import tenant_session
from models.jobs import repo
from models.jobs.queue import enqueue_run_sync

ITEMS = 2000
KILLS = 4
LEASE_SECONDS = "2"
ROOT = Path(__file__).resolve().parents[2]
WAIT = 240.0

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("sample_job")]


def _env(queue: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PHAROS_QUEUE_NAME=queue,
        PHAROS_JOB_LEASE_SECONDS=LEASE_SECONDS,
        PHAROS_JOB_CHUNK_SIZE="20",
        PHAROS_JOB_SWEEP_SECONDS="2",
        PHAROS_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def _start(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.support.sample_worker"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _scalar(ctx, sql: str, **params):
    with tenant_session(ctx) as s:
        return s.execute(text(sql), params).scalar()


def _wait(predicate, what: str, proc: subprocess.Popen, log: Path, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(f"worker exited ({proc.returncode}) while waiting for {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)
    raise AssertionError(f"gave up after {timeout}s waiting for {what}:\n{log.read_text()[-3000:]}")


def test_sigkilled_workers_lose_nothing_and_do_nothing_twice(tenant_a, tmp_path):
    ctx = tenant_a.ctx()
    queue = f"pharos:test:kill:{uuid.uuid4().hex[:10]}"
    env = _env(queue)
    log = tmp_path / "worker.log"
    prefix = uuid.uuid4().hex[:8]
    with tenant_session(ctx) as s:
        job = repo.create_job(
            s, ctx, "sample", {"item_delay_ms": 2, "max_attempts": 50}, [(f"kill:{prefix}:{i}", {}) for i in range(ITEMS)]
        )
    job_id = job.id
    done_sql = "select count(*) from job_items where job_id = :j and status = 'done'"

    previous = os.environ.get("PHAROS_QUEUE_NAME")
    os.environ["PHAROS_QUEUE_NAME"] = queue
    try:
        enqueue_run_sync(ctx.tenant_id, job_id)
    finally:
        if previous is None:
            os.environ.pop("PHAROS_QUEUE_NAME", None)
        else:
            os.environ["PHAROS_QUEUE_NAME"] = previous

    started = time.monotonic()
    kills = 0
    proc = _start(env, log)
    try:
        for k in range(1, KILLS + 1):
            target = k * ITEMS // (KILLS + 2)
            _wait(lambda t=target: _scalar(ctx, done_sql, j=job_id) >= t, f"{target} items done before kill {k}", proc, log)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            kills += 1
            proc = _start(env, log)
        _wait(
            lambda: _scalar(ctx, "select status from jobs where id = :j", j=job_id) in ("completed", "failed", "cancelled"),
            "the job to finish",
            proc,
            log,
        )
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    seconds = time.monotonic() - started

    status = _scalar(ctx, "select status from jobs where id = :j", j=job_id)
    done = _scalar(ctx, done_sql, j=job_id)
    effects = _scalar(ctx, "select count(*) from job_sample_effects where job_id = :j", j=job_id)
    distinct = _scalar(ctx, "select count(distinct idempotency_key) from job_sample_effects where job_id = :j", j=job_id)
    redone = _scalar(ctx, "select count(*) from job_items where job_id = :j and attempts > 1", j=job_id)
    missing = _scalar(
        ctx,
        "select count(*) from job_items i where i.job_id = :j and not exists "
        "(select 1 from job_sample_effects e where e.job_id = i.job_id and e.idempotency_key = i.idempotency_key)",
        j=job_id,
    )
    duplicates, lost = effects - distinct, ITEMS - distinct
    print(
        f"\nkill test: items={ITEMS} kills={kills} duplicates={duplicates} lost={lost} "
        f"items_redone_after_kill={redone} seconds={seconds:.1f}"
    )
    assert kills >= 3
    assert status == "completed", log.read_text()[-3000:]
    assert (done, effects, distinct, duplicates, lost, missing) == (ITEMS, ITEMS, ITEMS, 0, 0, 0)
    from models.core.audit import verify_tenant_chain

    with tenant_session(ctx) as s:
        assert verify_tenant_chain(s, ctx.tenant_id) is None
