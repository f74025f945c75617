"""The REST API as a real server (uvicorn in a subprocess) for tests and benchmarks that need real
sockets: a client that hangs up mid-body, bodies too big to build in memory, the server's RSS."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class LiveApi:
    base: str
    host: str
    port: int
    pid: int


@contextlib.contextmanager
def running_api(log: Path, **env: str) -> Iterator[LiveApi]:
    """Start the API on a free port with the current environment plus `env`; stop it on exit."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.api.main:create_api", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1", **env}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the API exited:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/api/health", timeout=2).status_code in (200, 503):
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"the API did not start:\n{log.read_text()[-3000:]}")
        yield LiveApi(base=base, host="127.0.0.1", port=port, pid=proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
