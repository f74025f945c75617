"""Process configuration, read once from the environment.

DATABASE_URL is the owner/superuser URL used by migrations and the CLI; the application itself
connects as the unprivileged role `pharos_app` (APP_DATABASE_URL, or DATABASE_URL with that user
swapped in). REDIS_URL carries sessions, rate limits, progress events and the arq queue.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.engine import make_url

APP_ROLE = "pharos_app"


@dataclass(frozen=True)
class Settings:
    database_url: str
    app_database_url: str
    redis_url: str
    data_dir: str
    session_ttl_seconds: int
    app_role_password: str
    login_failures_per_minute: int

    @property
    def sqlalchemy_owner_url(self) -> str:
        return to_sqlalchemy_url(self.database_url)

    @property
    def sqlalchemy_app_url(self) -> str:
        return to_sqlalchemy_url(self.app_database_url)


def to_sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver whatever scheme the URL was given with."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def app_url_from_owner_url(owner_url: str, password: str) -> str:
    parsed = make_url(owner_url)
    return parsed.set(username=APP_ROLE, password=password or None).render_as_string(hide_password=False)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        raise RuntimeError(
            "DATABASE_URL is not set. Run `pharos up` (it starts an embedded PostgreSQL) "
            "or export DATABASE_URL=postgresql://owner@host:5432/db"
        )
    app_password = os.environ.get("PHAROS_APP_DB_PASSWORD", "pharos_app")
    return Settings(
        database_url=database_url,
        app_database_url=os.environ.get("APP_DATABASE_URL") or app_url_from_owner_url(database_url, app_password),
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        data_dir=os.environ.get("PHAROS_DATA_DIR", ".pharos"),
        session_ttl_seconds=int(os.environ.get("PHAROS_SESSION_TTL", "43200")),
        app_role_password=app_password,
        login_failures_per_minute=int(os.environ.get("PHAROS_LOGIN_FAILURES_PER_MINUTE", "10")),
    )


@dataclass(frozen=True)
class JobSettings:
    """The job path's knobs. `chunk_size` None: each job kind's own (JobKind.chunk_size)."""

    queue_name: str
    lease_seconds: float
    chunk_size: int | None
    sweep_seconds: float
    timeout_seconds: float


def job_settings() -> JobSettings:
    """Read on each call, not cached like `get_settings()`: a test run or benchmark switches the
    queue name (PHAROS_QUEUE_NAME) inside a running process, and the kill tests give their worker
    a short lease. Five environment reads cost nothing next to a chunk's transaction."""
    chunk = os.environ.get("PHAROS_JOB_CHUNK_SIZE", "")
    return JobSettings(
        queue_name=os.environ.get("PHAROS_QUEUE_NAME", "pharos:queue"),
        lease_seconds=float(os.environ.get("PHAROS_JOB_LEASE_SECONDS", "60")),
        chunk_size=int(chunk) if chunk.strip() else None,
        sweep_seconds=float(os.environ.get("PHAROS_JOB_SWEEP_SECONDS", "30")),
        timeout_seconds=float(os.environ.get("PHAROS_JOB_TIMEOUT_SECONDS", "3600")),
    )


def reset_settings_cache() -> None:
    get_settings.cache_clear()
