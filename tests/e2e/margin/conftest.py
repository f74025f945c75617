"""Fixtures of the margin browser tests: one real worker process for a module that needs jobs run."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT


def _wait_for_heartbeat(proc: subprocess.Popen, log_path: Path, timeout: float = 90.0) -> None:
    """Until the worker's first heartbeat is in Redis: pages offer live runs only while a worker
    beats, and a loaded machine takes seconds to start one (every module is imported first)."""
    import time

    from models.core.probes import check_redis

    deadline = time.monotonic() + timeout
    while not check_redis().ok:
        if proc.poll() is not None:
            raise RuntimeError(f"the worker exited ({proc.returncode}): {log_path.read_text()[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no worker heartbeat after {timeout:.0f} s: {log_path.read_text()[-2000:]}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def worker(live_app):
    """One real worker process (`python -m workers`) on the test database/Redis for this module."""
    log_path = Path(tempfile.mkdtemp(prefix="pharos-e2e-worker-")) / "worker.log"
    env = {**os.environ, "PHAROS_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workers"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_heartbeat(proc, log_path)
        yield proc, log_path
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
