"""Live progress of a run's computation (load, evaluate, persist N of M), kept in Redis.

The worker computes a run in one transaction, so the database only shows `queued` until it commits;
the phases in between are published here: the latest value under a key the run's reads overlay on
the stored phase, and a job progress snapshot on the job's channel, which wakes every page
watching the job (app.web.kit.jobs.JobWatchMixin re-reads the run on each). Never raises.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import redis

from engine.jobs import ProgressSnapshot
from models.core.base import utcnow
from models.core.redis_client import sync_redis
from models.jobs.progress import LATEST_TTL_SECONDS, publish_progress

log = logging.getLogger("pharos.comp.runs")


def key(tenant_id: uuid.UUID | str, run_id: uuid.UUID | str) -> str:
    return f"pharos:t:{tenant_id}:comp_run:{run_id}:progress"


def publish(
    tenant_id: uuid.UUID, run_id: uuid.UUID, job_id: uuid.UUID | None, phase: str, done: int, total: int
) -> None:
    payload = {"phase": phase, "done": done, "total": total, "at": utcnow().isoformat()}
    try:
        sync_redis().set(key(tenant_id, run_id), json.dumps(payload), ex=LATEST_TTL_SECONDS)
    except redis.RedisError as exc:
        log.warning("progress of run %s not stored: %s", run_id, exc)
    if job_id is not None:
        publish_progress(
            ProgressSnapshot(
                job_id=str(job_id),
                tenant_id=str(tenant_id),
                kind="comp.run",
                status="running",
                total=1,
                counts={"pending": 1},
                updated_at=payload["at"],
            )
        )


def latest(tenant_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any] | None:
    try:
        raw: Any = sync_redis().get(key(tenant_id, run_id))
    except redis.RedisError:
        return None
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
