"""The SLA check: every few minutes (the workers' cron, models/jobs/schedules.py) each tenant with
ENABLE_SERVICE_POLICIES on and a ticket whose response or resolution is now past due unmet gets a
"service.sla_check" job; its one item marks those tickets breached (audited `ticket.sla_breach`) and
writes one `ticket.sla_breached` event per target, in the item's transaction.

Which tenants are due is read by `pharos_service_sla_due(at)` (migration 0020_service, a SECURITY
DEFINER function like pharos_margin_detection_due: the cron has no tenant). No double work: the
item's idempotency key is the five-minute slot (unique per tenant), a tenant with a check queued or
running is not due, and marking locks the tickets `FOR UPDATE SKIP LOCKED` and skips flags already set.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text

from engine.context import TenantContext
from engine.errors import Conflict
from models.core.db import identity_session
from models.jobs.repo import submit_job

KIND = "service.sla_check"
SLOT_SECONDS = 300
_DUE = "select tenant_id from pharos_service_sla_due(:at)"


def due_tenants(at: datetime) -> list[uuid.UUID]:
    """Tenants with a ticket past a due time unmet at `at` (service flag on, no check in flight)."""
    with identity_session() as session:
        return [uuid.UUID(str(r.tenant_id)) for r in session.execute(text(_DUE), {"at": at}).all()]


def slot_key(at: datetime) -> str:
    return f"{KIND}:{int(at.timestamp() // SLOT_SECONDS)}"


def enqueue_due(at: datetime) -> list[uuid.UUID]:
    """One check job per due tenant for the slot of `at`; returns the new job ids."""
    queued = []
    for tenant_id in due_tenants(at):
        ctx = TenantContext.system(tenant_id)
        try:
            queued.append(submit_job(ctx, KIND, {"at": at.isoformat()}, [(slot_key(at), {"at": at.isoformat()})]))
        except Conflict:  # this slot's check exists already
            continue
    return queued


def run_schedule(now: datetime) -> int:
    """The workers' cron hook (registered in models/service/kinds.py)."""
    return len(enqueue_due(now))
