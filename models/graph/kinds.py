"""The operator console's job kinds and schedules (workers load every models/<module>/kinds.py).

- graph.recommend: one item = one generator run over the tenant's whole graph
  (models.graph.recommendations.refresh), in the item's transaction.
- graph.expire: one item = reverse every applied intervention whose time to live ended by the
  job's instant (`params.at`), each through the decision path (system action `expire`).
"""

from __future__ import annotations

from datetime import datetime

from engine.jobs import Done, ItemOutcome
from models.core.base import utcnow
from models.graph import interventions, recommendations, schedule
from models.jobs.kinds import ItemContext, JobKind, register
from models.jobs.schedules import Schedule, register_schedule


def recommend_item(ic: ItemContext) -> ItemOutcome:
    return Done(recommendations.refresh(ic.session, ic.ctx, utcnow()))


def expire_item(ic: ItemContext) -> ItemOutcome:
    raw = (ic.job.params or {}).get("at")
    at = datetime.fromisoformat(raw) if raw else utcnow()
    return Done(interventions.expire_due(ic.session, ic.ctx, at))


RECOMMEND = register(JobKind(schedule.RECOMMEND_KIND, recommend_item, min_lease_seconds=120.0))
EXPIRE = register(JobKind(schedule.EXPIRE_KIND, expire_item, min_lease_seconds=120.0))

EXPIRY_SCHEDULE = register_schedule(Schedule("graph.expire", lambda now: len(schedule.queue_expiry(now))))
RECOMMEND_SCHEDULE = register_schedule(
    Schedule("graph.recommend", lambda now: len(schedule.queue_recommendations(now)))
)
