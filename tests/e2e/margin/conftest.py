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
