"""Scheduled detection: every tenant's margin detection runs every N hours (its setting; no setting:
every DEFAULT_EVERY_HOURS; 0 turns it off), queued by the workers' cron (models/jobs/schedules.py).

A tenant is due when it has observations, no detection run was created within its interval before
`now`, and no detection job is queued or running (`pharos_margin_detection_due`, migration 0012,
reads every tenant's rows as a SECURITY DEFINER function). No double runs: the tenant's advisory
lock serializes two schedulers, which re-check inside it, and the job item's idempotency key is the
time slot (`margin.detect:schedule:<hours>h:<slot>`), unique per tenant.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, select

from engine.context import TenantContext
from engine.errors import Conflict, ValidationFailed
from models.core import mutations
from models.core.base import utcnow
from models.core.db import identity_session, tenant_session
from models.margin.detection import PERMISSION
from models.margin.detection_runs import open_run
from models.margin.tables import MarginDetectionSchedule

DEFAULT_EVERY_HOURS = 24
MAX_EVERY_HOURS = 720
_DUE = "select tenant_id, every_hours from pharos_margin_detection_due(:at, :h, :one)"


def due_tenants(at: datetime, *, tenant_id: uuid.UUID | None = None) -> list[tuple[uuid.UUID, int]]:
    """(tenant, every_hours) of the tenants whose scheduled detection is due at `at`."""
    with identity_session() as session:
        return _due(session, at, tenant_id)


def _due(session: Session, at: datetime, tenant_id: uuid.UUID | None) -> list[tuple[uuid.UUID, int]]:
    rows = session.execute(text(_DUE), {"at": at, "h": DEFAULT_EVERY_HOURS, "one": tenant_id}).all()
    return [(uuid.UUID(str(r.tenant_id)), int(r.every_hours)) for r in rows]


def slot_key(at: datetime, every_hours: int) -> str:
    return f"margin.detect:schedule:{every_hours}h:{int(at.timestamp() // (every_hours * 3600))}"


def _enqueue_one(tenant_id: uuid.UUID, at: datetime) -> uuid.UUID | None:
    ctx = TenantContext.system(tenant_id)
    try:
        with tenant_session(ctx) as session:
            session.execute(
                text("select pg_advisory_xact_lock(hashtext('margin.detect.schedule'), hashtext(:t))"),
                {"t": str(tenant_id)},
            )
            still = _due(session, at, tenant_id)  # another scheduler may have queued it meanwhile
            if not still:
                return None
            _, job_id = open_run(session, ctx, "schedule", key=slot_key(at, still[0][1]))
            return job_id
    except Conflict:  # this time slot's run exists already
        return None


def enqueue_due(at: datetime, *, tenant_ids: Collection[uuid.UUID] | None = None) -> list[uuid.UUID]:
    """Queue detection for every due tenant (or those of `tenant_ids`); returns the new job ids."""
    queued = []
    for tenant_id, _ in due_tenants(at):
        if tenant_ids is not None and tenant_id not in tenant_ids:
            continue
        job_id = _enqueue_one(tenant_id, at)
        if job_id is not None:
            queued.append(job_id)
    return queued


def run_schedule(now: datetime) -> int:
    """The workers' cron hook (registered in models/margin/kinds.py)."""
    return len(enqueue_due(now))


# --- the setting ------------------------------------------------------------------------------


def _row(session: Session, ctx: TenantContext) -> MarginDetectionSchedule | None:
    return session.exec(
        select(MarginDetectionSchedule).where(MarginDetectionSchedule.tenant_id == ctx.tenant_id)
    ).first()


def every_hours(ctx: TenantContext) -> int:
    """The tenant's interval in hours (DEFAULT_EVERY_HOURS when never set; 0 = off)."""
    ctx.require(PERMISSION)
    with tenant_session(ctx) as session:
        row = _row(session, ctx)
        return DEFAULT_EVERY_HOURS if row is None else row.every_hours


def set_every_hours(ctx: TenantContext, hours: int) -> int:
    """Change the interval (admin, ops); audited."""
    ctx.require(PERMISSION)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 0 <= hours <= MAX_EVERY_HOURS:
        raise ValidationFailed(
            f"every_hours must be a whole number from 0 (off) to {MAX_EVERY_HOURS}",
            fields={"every_hours": "out of range"},
        )
    with tenant_session(ctx) as session:
        row = _row(session, ctx)
        if row is None:
            row = MarginDetectionSchedule(tenant_id=ctx.tenant_id, every_hours=hours)
            mutations.create(session, ctx, row, action="margin.detection_schedule.create")
        elif row.every_hours != hours:
            mutations.update(
                session,
                ctx,
                row,
                {"every_hours": hours, "updated_at": utcnow()},
                action="margin.detection_schedule.update",
            )
    return hours
