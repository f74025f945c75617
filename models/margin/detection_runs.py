"""Detection runs: why detection ran (an import, the schedule, a person) and what it found.

`open_run` creates the "margin.detect" job and its run row in the caller's unit of work and
enqueues the job after commit (an import's merge, the schedule, the Run detection button all go
through it). The job's item locks the run row first, runs detection and fills the run's counts in
the same transaction: a run with `finished_at` is a run whose alerts committed.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import NotFound
from models.core import mutations
from models.core.base import utcnow
from models.core.db import tenant_session
from models.jobs.queue import enqueue_after_commit
from models.jobs.repo import create_job
from models.margin.detection import KIND, PERMISSION
from models.margin.detection_items import detection_items, detection_params
from models.margin.tables import MarginDetectionRun


def open_run(
    session: Session,
    ctx: TenantContext,
    trigger: str,
    *,
    params: dict[str, Any] | None = None,
    key: str | None = None,
    upload_id: uuid.UUID | None = None,
    target: str | None = None,
    rows_imported: int = 0,
    rows_skipped: int = 0,
) -> tuple[MarginDetectionRun, uuid.UUID]:
    """Queue detection for ctx's tenant and record why; `key` is the job item's idempotency key
    (the schedule passes its time slot so two cron ticks of one slot cannot both queue a run)."""
    run_id = uuid.uuid4()
    first = key or f"{KIND}:{run_id}"
    payloads = detection_items(session, ctx)
    job = create_job(
        session,
        ctx,
        KIND,
        {**(params or {}), "run_id": str(run_id), "trigger": trigger},
        [(first if n == 0 else f"{first}:{n}", payload) for n, payload in enumerate(payloads)],
    )
    run = MarginDetectionRun(
        id=run_id,
        tenant_id=ctx.tenant_id,
        trigger=trigger,
        job_id=job.id,
        upload_id=upload_id,
        target=target,
        rows_imported=rows_imported,
        rows_skipped=rows_skipped,
        created_by=ctx.actor_label,
    )
    mutations.create(session, ctx, run, action="margin.detection_run.create")
    for _ in range(min(len(payloads), parallel_runs())):  # each run of the job claims items: workers share them
        enqueue_after_commit(session, ctx.tenant_id, job.id)
    return run, job.id


def parallel_runs() -> int:
    """How many workers a detection job asks for (PHAROS_DETECT_PARALLEL, default 2)."""
    try:
        return max(1, int(os.environ.get("PHAROS_DETECT_PARALLEL", "2")))
    except ValueError:
        return 2


def lock_run(session: Session, ctx: TenantContext, run_id: uuid.UUID | str) -> MarginDetectionRun:
    """The run row FOR UPDATE, taken before detection's first audit append (docs/jobs.md, lock order)."""
    run = session.exec(
        select(MarginDetectionRun)
        .where(MarginDetectionRun.tenant_id == ctx.tenant_id, MarginDetectionRun.id == uuid.UUID(str(run_id)))
        .with_for_update()
    ).first()
    if run is None:
        raise NotFound("detection run not found")
    return run


def job_totals(session: Session, ctx: TenantContext, job_id: uuid.UUID) -> dict[str, Any]:
    """A detection job's counts added up over its done items (each item's result is its summary)."""
    row = session.execute(
        text(
            "select coalesce(sum((result->>'created')::int), 0), coalesce(sum((result->>'attached')::int), 0), "
            "coalesce(sum((result->>'unchanged')::int), 0), count(*) filter (where status = 'failed') "
            "from job_items where tenant_id = :t and job_id = :j"
        ),
        {"t": ctx.tenant_id, "j": job_id},
    ).one()
    return {"created": row[0], "attached": row[1], "unchanged": row[2], "items_failed": row[3]}


def finish_run(
    session: Session,
    ctx: TenantContext,
    run: MarginDetectionRun,
    summary: dict[str, Any],
    started_at: datetime | None,
) -> None:
    changes = {
        "started_at": started_at,
        "finished_at": utcnow(),
        "new_breaches": int(summary.get("created", 0)),
        "attached": int(summary.get("attached", 0)),
    }
    mutations.update(session, ctx, run, changes, action="margin.detection_run.finish")


def record_inline(
    session: Session, ctx: TenantContext, summary: dict[str, Any], started_at: datetime
) -> MarginDetectionRun:
    """A run done in the caller's transaction without a job (the demo seed's scan): recorded finished."""
    run = MarginDetectionRun(
        tenant_id=ctx.tenant_id, trigger="manual", created_by=ctx.actor_label, created_at=started_at
    )
    mutations.create(session, ctx, run, action="margin.detection_run.create")
    finish_run(session, ctx, run, summary, started_at)
    return run


def runs_query(ctx: TenantContext) -> Any:
    return select(MarginDetectionRun).where(MarginDetectionRun.tenant_id == ctx.tenant_id)


def last_import(session: Session, ctx: TenantContext) -> MarginDetectionRun | None:
    return session.exec(
        runs_query(ctx)
        .where(MarginDetectionRun.trigger == "import")
        .order_by(col(MarginDetectionRun.created_at).desc(), col(MarginDetectionRun.id).desc())
        .limit(1)
    ).first()


def submit_detection(ctx: TenantContext, params: dict[str, Any] | None = None) -> uuid.UUID:
    """Run detection now (the Run detection button, `POST /api/margin/detect`): returns the job id."""
    ctx.require(PERMISSION)
    clean = dict(params or {})
    detection_params(clean)  # validate before queuing
    with tenant_session(ctx) as session:
        _, job_id = open_run(session, ctx, "manual", params=clean)
    return job_id
