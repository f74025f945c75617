"""The operator console's periodic work, queued by the workers' cron (models/jobs/schedules.py):

- `graph.expire`: tenants with applied interventions past their time to live get a `graph.expire`
  job (one item: reverse every one due at the job's instant, system action `expire`).
- `graph.recommend`: tenants with participants and no generator run within RECOMMEND_EVERY_HOURS
  get a `graph.recommend` job.

The due tenants come from SECURITY DEFINER functions (migration 0019_graph). A job's item key is the
time slot, unique per tenant, so two schedulers at one instant queue one job.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text

from engine.context import TenantContext
from engine.errors import Conflict
from models.core.db import identity_session, tenant_session
from models.jobs.queue import enqueue_after_commit
from models.jobs.repo import create_job

EXPIRE_KIND = "graph.expire"
RECOMMEND_KIND = "graph.recommend"
RECOMMEND_EVERY_HOURS = 24


def expiry_due(at: datetime) -> list[uuid.UUID]:
    with identity_session() as session:
        rows = session.execute(text("select tenant_id from pharos_graph_expiry_due(:at)"), {"at": at}).all()
    return [uuid.UUID(str(r[0])) for r in rows]


def recommend_due(at: datetime) -> list[uuid.UUID]:
    with identity_session() as session:
        rows = session.execute(
            text("select tenant_id from pharos_graph_recommend_due(:at, :h)"), {"at": at, "h": RECOMMEND_EVERY_HOURS}
        ).all()
    return [uuid.UUID(str(r[0])) for r in rows]


def _queue(tenant_id: uuid.UUID, kind: str, key: str, params: dict) -> uuid.UUID | None:
    ctx = TenantContext.system(tenant_id)
    try:
        with tenant_session(ctx) as session:
            job = create_job(session, ctx, kind, params, [(key, {})])
            enqueue_after_commit(session, tenant_id, job.id)
            return job.id
    except Conflict:  # this slot's job exists already
        return None


def queue_expiry(at: datetime) -> list[uuid.UUID]:
    """A graph.expire job for every tenant with interventions due at `at`; returns the job ids."""
    slot = int(at.timestamp() // 60)
    found = [_queue(t, EXPIRE_KIND, f"graph.expire:{slot}", {"at": at.isoformat()}) for t in expiry_due(at)]
    return [j for j in found if j is not None]


def queue_recommendations(at: datetime) -> list[uuid.UUID]:
    slot = int(at.timestamp() // (RECOMMEND_EVERY_HOURS * 3600))
    key = f"graph.recommend:schedule:{RECOMMEND_EVERY_HOURS}h:{slot}"
    found = [_queue(t, RECOMMEND_KIND, key, {"trigger": "schedule"}) for t in recommend_due(at)]
    return [j for j in found if j is not None]
