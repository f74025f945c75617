"""`pharos up` as a real process: SIGKILL its worker in the middle of a job. The web keeps
answering `/api/health`, the supervisor starts a new worker (its heartbeat shows up), the job
started before the kill completes with every item done exactly once, and SIGTERM then stops
everything with no process left. The time to recover is printed (and kept in docs/benchmarks.md),
never asserted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psutil
import pytest
from sqlalchemy import text

from models.core.db import tenant_session
from models.core.redis_client import sync_redis
from models.jobs import repo
from models.jobs.queue import enqueue_run_sync

ROOT = Path(__file__).resolve().parents[3]
ITEMS = 400
START_SECONDS = 300.0  # an upper bound for migrate + a possible frontend build on a busy machine
WAIT = 180.0

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("sample_job")]  # the test-only "sample" kind


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _scalar(ctx, sql: str, **params):
    with tenant_session(ctx) as s:
        return s.execute(text(sql), params).scalar()


def _scalars(ctx, sql: str, **params):
    with tenant_session(ctx) as s:
        return tuple(s.execute(text(sql), params).one())


def _workers(up: psutil.Process) -> list[psutil.Process]:
    found = []
    for child in up.children():
        with contextlib.suppress(psutil.Error):
            if child.cmdline()[-2:] == ["-m", "workers"] and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child)
    return found


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _until(predicate, what: str, log: Path, proc: subprocess.Popen, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc.poll() is not None:
            raise AssertionError(f"pharos up exited ({proc.returncode}) waiting for {what}:\n{log.read_text()[-4000:]}")
        time.sleep(0.1)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def built_frontend(services):
    from app.cli.frontend import build_frontend, ensure_bun

    os.environ.update(ensure_bun())
    build_frontend(quiet=True)


def test_a_sigkilled_worker_is_restarted_and_its_job_completes_once_while_the_web_serves(
    built_frontend, tenant_a, tmp_path, monkeypatch
):
    from rxconfig import reflex_redis_url

    ctx = tenant_a.ctx()  # the database has a tenant, so `pharos up` seeds nothing
    queue = f"pharos:test:up:{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("PHAROS_QUEUE_NAME", queue)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    test_db = int(os.environ.get("PHAROS_TEST_REDIS_DB", "13"))
    env = {
        **os.environ,
        "PHAROS_QUEUE_NAME": queue,
        "PHAROS_WEB_WORKERS": "1",
        "PHAROS_WORKER_HEARTBEAT_SECONDS": "1",
        "PHAROS_WORKER_KIND_MODULES": "tests.support.sample_job",  # the test-only "sample" kind
        "PHAROS_LOG_LEVEL": "WARNING",
        "REFLEX_REDIS_URL": reflex_redis_url(os.environ["REDIS_URL"], test_db),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "up.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "up", "--port", str(port), "--workers", "1",
             "--data-dir", str(tmp_path / "data")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    up = psutil.Process(proc.pid)
    seen: list[psutil.Process] = []
    try:

        def worker_ok():
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(base + "/api/health", timeout=5).json().get("worker") == "ok"
            return False

        _until(worker_ok, "pharos up to answer with a live worker", log, proc, START_SECONDS)
        seen += [up, *up.children(recursive=True)]

        with tenant_session(ctx) as s:
            job = repo.create_job(
                s, ctx, "sample", {"item_delay_ms": 20}, [(f"up:{queue}:{i}", {}) for i in range(ITEMS)]
            )
        job_id = job.id
        enqueue_run_sync(ctx.tenant_id, job_id)
        enqueued_at = time.monotonic()
        done_sql = "select count(*) from job_items where job_id = :j and status = 'done'"
        # kill in the middle of a chunk: some items done, others leased (claim committed, chunk not)
        in_flight = (
            "select count(*) filter (where status = 'done') >= :n and count(*) filter (where status = 'running') > 0 "
            "from job_items where job_id = :j"
        )
        _until(lambda: _scalar(ctx, in_flight, j=job_id, n=ITEMS // 5), "a chunk in flight", log, proc)

        [victim] = _workers(up)
        os.kill(victim.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        killed_db = _scalar(ctx, "select clock_timestamp()")
        done_at_kill = _scalar(ctx, done_sql, j=job_id)
        held_at_kill = _scalar(ctx, "select count(*) from job_items where job_id = :j and status = 'running'", j=job_id)
        rate_before = done_at_kill / (killed_at - enqueued_at)

        health_answers: list[tuple[int, dict]] = []
        restarted = progressed = None
        status = "running"
        deadline = killed_at + WAIT
        while status == "running":
            assert time.monotonic() < deadline, (
                f"job not finished {WAIT:.0f} s after the kill:\n{log.read_text()[-4000:]}"
            )
            response = httpx.get(base + "/api/health", timeout=5)  # the web keeps answering: no error here
            health_answers.append((response.status_code, response.json()))
            if restarted is None and any(w.pid != victim.pid for w in _workers(up)):
                restarted = time.monotonic() - killed_at
            if progressed is None and _scalar(ctx, done_sql, j=job_id) > done_at_kill:
                progressed = time.monotonic() - killed_at
            status = _scalar(ctx, "select status from jobs where id = :j", j=job_id)
            time.sleep(0.1)
        completed = time.monotonic() - killed_at

        [successor] = _workers(up)
        seen.append(successor)
        assert successor.pid != victim.pid
        assert any(f":{successor.pid}:" in member for member in sync_redis().zrange(f"{queue}:workers", 0, -1))
        final = httpx.get(base + "/api/health", timeout=5).json()
        assert (final["worker"], final["db"], final["redis"]) == ("ok", "ok", "ok")
        assert all(code == 200 and body["db"] == body["redis"] == "ok" for code, body in health_answers)
        assert f"worker-1 (pid {victim.pid}) exited with status -9; restarting" in log.read_text()

        assert status == "completed"
        effects = _scalar(ctx, "select count(*) from job_sample_effects where job_id = :j", j=job_id)
        distinct = _scalar(
            ctx, "select count(distinct idempotency_key) from job_sample_effects where job_id = :j", j=job_id
        )
        assert (_scalar(ctx, done_sql, j=job_id), effects, distinct) == (ITEMS, ITEMS, ITEMS)
        redone, taken_over = _scalars(
            ctx,
            "select count(*), extract(epoch from min(finished_at) - :k) from job_items "
            "where job_id = :j and attempts > 1",
            j=job_id,
            k=killed_db,
        )
        assert redone == held_at_kill  # the dead worker's leased items, each claimed once more (and done once)
        from models.core.audit import verify_tenant_chain

        with tenant_session(ctx) as s:
            assert verify_tenant_chain(s, ctx.tenant_id) is None
        print(
            f"\nsupervised up: worker SIGKILLed with {done_at_kill}/{ITEMS} items done ({rate_before:.0f} items/s); "
            f"new worker process after {restarted:.1f} s, its first item done after {progressed:.1f} s, the dead "
            f"worker's {redone} leased items redone from {float(taken_over or 0):.1f} s (lease "
            f"{repo.lease_seconds():.0f} s), job completed after {completed:.1f} s; /api/health answered "
            f"{len(health_answers)} times meanwhile, always 200"
        )

        seen += [p for p in up.children(recursive=True) if p not in seen]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert [p.pid for p in seen if _alive(p)] == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for leftover in seen:
            with contextlib.suppress(psutil.Error):
                leftover.kill()
