"""`pharos up` (the whole product on one port, its children supervised) and `pharos worker`."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import time
import urllib.request
from pathlib import Path

from app.cli.embedded import ensure_services
from app.cli.errors import CliError
from app.cli.supervisor import Child, Supervisor

CHILD_STOP_SECONDS = 15
START_SECONDS = 180


def _wait_http(url: str, timeout: float, supervisor: Supervisor) -> None:
    """Wait for the web process to answer; a child that dies during start-up is an error (a crash
    at start is a configuration problem a restart would only repeat)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in supervisor.exited():
            status = child.proc.returncode if child.proc else None
            raise CliError(f"{child.name} exited during start-up (status {status}); see its log above", 1)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback probe
                if response.status < 500:
                    return
        except Exception:
            time.sleep(0.3)
    raise CliError(f"PharOS did not answer on {url} within {timeout:.0f} s", 1)


def cmd_up(args: argparse.Namespace) -> int:
    started = time.monotonic()
    data_dir = Path(args.data_dir or os.environ.get("PHAROS_DATA_DIR", ".pharos")).resolve()
    os.environ["PHAROS_DATA_DIR"] = str(data_dir)
    print(f"PharOS: data in {data_dir}", flush=True)
    services = ensure_services(data_dir)
    supervisor: Supervisor | None = None
    try:
        from models.core.bootstrap import migrate
        from models.core.settings import get_settings, reset_settings_cache

        reset_settings_cache()
        migrate()
        _seed_if_empty()
        from app.cli import frontend

        os.environ.update(frontend.ensure_bun())
        frontend.build_frontend()
        metrics_dir = data_dir / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        children = [Child(f"worker-{n}", [sys.executable, "-m", "workers"], env) for n in range(1, args.workers + 1)]
        children.append(
            Child(
                "web", frontend.backend_command(args.port, host=args.host), {**env, **frontend.backend_env(args.port)}
            )
        )
        settings = get_settings()
        supervisor = Supervisor(
            children,
            backoff=settings.restart_backoff_seconds,
            backoff_max=settings.restart_backoff_max_seconds,
            stop_seconds=CHILD_STOP_SECONDS,
        )
        supervisor.start_all()
        url = f"http://{_display_host(args.host)}:{args.port}"
        _wait_http(f"http://{_probe_host(args.host)}:{args.port}/api/health", START_SECONDS, supervisor)
        _print_banner(url, time.monotonic() - started)
        _supervise(supervisor)
        return 0
    finally:
        if supervisor is not None:
            supervisor.stop_all()
        services.stop()


def _probe_host(host: str) -> str:
    """Where this machine reaches a server bound to `host` (a wildcard bind answers on loopback)."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _display_host(host: str) -> str:
    return "localhost" if host in ("127.0.0.1", "localhost") else _probe_host(host)


def _seed_if_empty() -> None:
    from sqlalchemy import text

    from models.core.db import owner_session
    from seeds.demo import seed_demo

    with owner_session() as session:
        empty = session.execute(text("select not exists (select 1 from tenants)")).scalar()
    if empty:
        seed_demo()
        print("PharOS: empty database, demo tenant seeded", flush=True)


def _print_banner(url: str, seconds: float) -> None:
    from seeds.demo import DEMO_PASSWORD, DEMO_USERS

    print(f"\nPharOS is up at {url}  (ready in {seconds:.1f} s; Ctrl-C stops everything)", flush=True)
    print("Demo logins (development only):")
    for user in DEMO_USERS:
        print(f"  {user.role.value:<7} {user.email} / {DEMO_PASSWORD}")
    print(flush=True)


class SignalFlag:
    """A stop flag a signal handler may set: a plain attribute, no lock. (`threading.Event.set` from
    a handler deadlocks when the signal lands while the main thread holds the event's own lock
    inside `wait`, and `pharos up` then never stops.)"""

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set

    def wait(self, seconds: float) -> None:
        time.sleep(seconds)


def _supervise(supervisor: Supervisor) -> None:
    """Restart dead children until SIGINT (Ctrl-C) or SIGTERM; then the caller stops everything."""
    stop = SignalFlag()

    def handle(signum, _frame):
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    supervisor.run(stop)
    print("\nPharOS: stopping…", flush=True)


def cmd_worker(args: argparse.Namespace) -> int:
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        raise CliError("pharos worker needs DATABASE_URL and REDIS_URL (pharos up starts workers itself)")
    os.execv(sys.executable, [sys.executable, "-m", "workers"])
    return 0  # pragma: no cover


def _bounded(low: int, high: int, noun: str, out_of_range: str):
    """An argparse type: a whole number from `low` to `high` (else a usage error naming it)."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"'{value}' is not {noun}") from exc
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(out_of_range.format(number))
        return number

    return parse


_port = _bounded(1, 65535, "a port number", "port {} is out of range 1-65535")
_count = _bounded(1, 32, "a number", "workers must be between 1 and 32")


def register(sub: argparse._SubParsersAction) -> None:
    up = sub.add_parser(
        "up", help="run the whole product: database, cache, migrations, demo data, worker, web UI + API"
    )
    up.add_argument(
        "--port",
        type=_port,
        default=int(os.environ.get("PHAROS_PORT", "3000")),
        help="port for UI and API (default 3000)",
    )
    up.add_argument(
        "--host",
        default=os.environ.get("PHAROS_HOST", "127.0.0.1"),
        help="address to listen on (default $PHAROS_HOST or 127.0.0.1: this machine only; 0.0.0.0 for every interface)",
    )
    up.add_argument("--workers", type=_count, default=1, help="number of job workers (default 1)")
    up.add_argument(
        "--data-dir", help="where embedded PostgreSQL/Redis keep data (default $PHAROS_DATA_DIR or ./.pharos)"
    )
    up.set_defaults(func=cmd_up)

    worker = sub.add_parser("worker", help="run one job worker (needs DATABASE_URL and REDIS_URL)")
    worker.set_defaults(func=cmd_worker)
