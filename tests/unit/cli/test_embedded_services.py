"""QA #22: a CLI command next to a running `pharos up` reuses its embedded Redis instead of
replacing it, and a command never leaves a redis-server it started running after it exits."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from app.cli.embedded import EmbeddedServices, redis_answers, start_redis

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def data_dir():
    # short path: unix socket paths are limited to ~107 bytes
    with tempfile.TemporaryDirectory(prefix="phx-") as d:
        yield Path(d)


def _servers_on(sock: Path) -> list[int]:
    """Pids of live redis-server processes started for this socket path."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes()  # redis rewrites its title: "… unixsocket:<path>"
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except OSError:
            continue
        if str(sock).encode() in cmd and state != "Z":
            pids.append(int(entry.name))
    return pids


def _gone(sock: Path, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while _servers_on(sock) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _servers_on(sock)


def _cli_child(data_dir: Path) -> subprocess.CompletedProcess:
    """A separate process doing what every admin command does first, then exiting without stop()."""
    code = (
        "import os, sys; from app.cli.embedded import ensure_services; "
        "s = ensure_services(sys.argv[1]); "
        "print(os.environ['REDIS_URL'], s.reused_redis)"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = "postgresql://unused@127.0.0.1:1/unused"  # no embedded PostgreSQL here
    return subprocess.run(
        [sys.executable, "-c", code, str(data_dir)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_a_second_start_reuses_the_running_server_and_does_not_stop_it(data_dir):
    up = EmbeddedServices()
    url = start_redis(data_dir, up)
    sock = data_dir / "redis" / "redis.sock"
    try:
        (owner_pid,) = _servers_on(sock)
        cli = EmbeddedServices()
        assert start_redis(data_dir, cli) == url
        assert cli.reused_redis and cli._redis_proc is None
        assert _servers_on(sock) == [owner_pid]  # nothing new started, socket not taken over
        cli.stop()
        assert redis_answers(sock) and _servers_on(sock) == [owner_pid]
    finally:
        up.stop()
    assert _gone(sock) and not redis_answers(sock)
    up.stop()  # idempotent


def test_a_cli_process_next_to_pharos_up_leaves_no_server_behind(data_dir):
    up = EmbeddedServices()
    start_redis(data_dir, up)
    sock = data_dir / "redis" / "redis.sock"
    try:
        (owner_pid,) = _servers_on(sock)
        result = _cli_child(data_dir)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [f"unix://{sock}?db=0", "True"]
        assert _servers_on(sock) == [owner_pid] and redis_answers(sock)
    finally:
        up.stop()
    assert _gone(sock)


def test_a_cli_process_stops_the_server_it_started_at_exit(data_dir):
    sock = data_dir / "redis" / "redis.sock"
    result = _cli_child(data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"unix://{sock}?db=0", "False"]
    assert _gone(sock)


def test_a_stale_socket_is_replaced(data_dir):
    sock = data_dir / "redis" / "redis.sock"
    sock.parent.mkdir(parents=True)
    sock.write_text("")  # left over from a crashed server: nothing answers
    assert not redis_answers(sock)
    services = EmbeddedServices()
    try:
        start_redis(data_dir, services)
        assert not services.reused_redis and redis_answers(sock)
    finally:
        services.stop()
    assert _gone(sock)
