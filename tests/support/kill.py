"""Kill harness: real worker processes (`python -m workers`, with the test-only sample kind) on a queue of their own,
SIGKILLed on cue.

The SIGKILL tests (jobs, enforcement) share this: each worker gets a private queue name so runs on a
shared Redis never steal each other's work, its output goes to one log that failures quote, and the
harness stops whatever it started even when the test fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]


def scalar(ctx, sql: str, **params):
    """One value from `sql`, read in the tenant's own session (RLS on)."""
    from models.core.db import tenant_session

    with tenant_session(ctx) as s:
        return s.execute(text(sql), params).scalar()


class WorkerHarness:
    """Start, SIGKILL and restart worker processes for one test; `kills` counts the kills done."""

    def __init__(self, log: Path, *, lease_seconds: int, chunk_size: int, sweep_seconds: int = 2, wait: float = 240.0):
        self.log = log
        self.wait_seconds = wait
        self.queue = f"pharos:test:kill:{uuid.uuid4().hex[:10]}"
        self.env = {
            **os.environ,
            "PHAROS_QUEUE_NAME": self.queue,
            "PHAROS_JOB_LEASE_SECONDS": str(lease_seconds),
            "PHAROS_JOB_CHUNK_SIZE": str(chunk_size),
            "PHAROS_JOB_SWEEP_SECONDS": str(sweep_seconds),
            "PHAROS_LOG_LEVEL": "WARNING",
            "PHAROS_WORKER_KIND_MODULES": "tests.support.sample_job",  # the test-only "sample" kind too
            "PYTHONUNBUFFERED": "1",
        }
        self.proc: subprocess.Popen | None = None
        self.kills = 0

    def enqueue(self, tenant_id, job_id) -> None:
        """Put the job's run on this harness's queue (the queue name is read from the environment)."""
        from models.jobs.queue import enqueue_run_sync

        previous = os.environ.get("PHAROS_QUEUE_NAME")
        os.environ["PHAROS_QUEUE_NAME"] = self.queue
        try:
            enqueue_run_sync(tenant_id, job_id)
        finally:
            if previous is None:
                os.environ.pop("PHAROS_QUEUE_NAME", None)
            else:
                os.environ["PHAROS_QUEUE_NAME"] = previous

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "workers"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""

    def wait(self, predicate: Callable[[], bool], what: str, timeout: float | None = None) -> None:
        """Poll until `predicate()` holds; fail at once if the worker died, or after `timeout` seconds
        (an upper bound on waiting, never a timing assertion)."""
        deadline = time.monotonic() + (timeout or self.wait_seconds)
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"worker exited ({self.proc.returncode}) while waiting for {what}:\n{self.tail()}")
            time.sleep(0.05)
        raise AssertionError(f"gave up waiting for {what}:\n{self.tail()}")

    def kill_and_restart(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.kills += 1
        self.start()

    def kill_while_progressing(self, finished: Callable[[], int], total: int, kills: int) -> None:
        """Kill the worker `kills` times, each after another 1/(kills+2) of `total` items finished,
        so every kill lands mid-job and the last worker still has work left."""
        for k in range(1, kills + 1):
            target = k * total // (kills + 2)
            self.wait(lambda t=target: finished() >= t, f"{target} items finished before kill {k}")
            self.kill_and_restart()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
