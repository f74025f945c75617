"""The dependency checks `/api/health` runs (each raises when its dependency does not answer)."""

from __future__ import annotations

from sqlalchemy import text

from models.core.db import app_engine
from models.core.heartbeat import WorkerStatus, worker_status
from models.core.redis_client import sync_redis


def check_database() -> None:
    """One round trip as the app role."""
    with app_engine().connect() as conn:
        conn.execute(text("select 1"))


def check_redis() -> WorkerStatus:
    """A ping, then what the workers' heartbeats say."""
    client = sync_redis()
    client.ping()
    return worker_status(client)
