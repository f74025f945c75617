"""Job path repository: jobs and their items in Postgres, leased to workers item by item.

Postgres holds the truth (architecture.md, "The job path"); arq only says "work on job X".
Every function takes `(session, ctx)` first and runs in the caller's transaction, under RLS.

Guarantees, and why:
- `claim_items` uses `FOR UPDATE SKIP LOCKED`, so concurrent claimers never get the same item.
- An item is finished only by the worker holding its unexpired lease (`complete_item` & co.
  return False otherwise), inside the transaction that also holds the handler's side effects:
  a crash rolls both back, the lease expires and another worker redoes the item — once.
- Job status changes go through the decision path (`models.core.decisions.decide`, JOB_MACHINE).
- Audit: job creation, every decision and every chunk of outcomes are recorded (one event
  per chunk, not per item, so a 10k-item job does not write 10k links). A lease alone is not
  audited: it is coordination, not business state, and auditing it would take the tenant's
  audit lock and serialize every claimer behind running chunks, defeating SKIP LOCKED. The
  lease's trace stays on the item (attempts, lease_owner) and in the chunk's audit event.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.jobs import DEFAULT_MAX_ATTEMPTS, JOB_MACHINE, ProgressSnapshot, full_counts
from engine.jsonable import to_jsonable
from models.core import audit
from models.core.base import utcnow
from models.core.bulk import insert_rows, table_of
from models.core.db import tenant_session
from models.core.decisions import decide
from models.core.settings import job_settings
from models.jobs.fence import fence_job
from models.jobs.kinds import get_kind
from models.jobs.queue import enqueue_after_commit
from models.jobs.tables import Job, JobItem

ItemSpec = tuple[str, dict[str, Any]]  # (idempotency_key, payload)

_INSERT_BATCH = 5000


def lease_seconds() -> float:
    """Lease length (PHAROS_JOB_LEASE_SECONDS). Short, so a dead worker's items are taken over
    within seconds: a live runner renews its leases every third of a lease while a chunk runs."""
    return job_settings().lease_seconds


def chunk_size(preferred: int = 50) -> int:
    """Items per chunk (one transaction): PHAROS_JOB_CHUNK_SIZE if set, else the job kind's preference."""
    return job_settings().chunk_size or preferred


MAX_PACE_SECONDS = 600.0


def pace_seconds(job: Job) -> float:
    """Seconds a runner waits before each item of a paced job (`pace_ms` param, at most 10 min):
    for a demo batch meant to be watched live. 0 = not paced."""
    pace_ms = (job.params or {}).get("pace_ms") or 0
    return min(max(float(pace_ms), 0.0) / 1000, MAX_PACE_SECONDS)


def max_attempts_of(job: Job) -> int:
    return int((job.params or {}).get("max_attempts", DEFAULT_MAX_ATTEMPTS))


def create_job(
    session: Session,
    ctx: TenantContext,
    kind: str,
    params: dict[str, Any] | None,
    items: Sequence[ItemSpec],
) -> Job:
    """Insert a queued job and its items; the caller enqueues it after commit (models.jobs.queue).

    Permission is the calling module's business (e.g. margin.enforcement.run); this only
    records. Idempotency keys are unique per tenant: namespace them (`enforce:{batch}:{row}`).
    """
    if not kind or len(kind) > 60:
        raise ValidationFailed("job kind must be 1-60 characters", fields={"kind": "invalid"})
    keys = [key for key, _ in items]
    if len(set(keys)) != len(keys):
        raise ValidationFailed("idempotency keys must be unique within a job", fields={"items": "duplicate key"})
    job = Job(
        tenant_id=ctx.tenant_id,
        kind=kind,
        params=to_jsonable(params or {}),
        total_items=len(items),
        created_by=ctx.actor_label,
    )
    session.add(job)
    session.flush()
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": ctx.tenant_id,
            "job_id": job.id,
            "seq": seq,
            "status": "pending",
            "attempts": 0,
            "idempotency_key": key,
            "payload": to_jsonable(payload or {}),
        }
        for seq, (key, payload) in enumerate(items, start=1)
    ]
    try:
        with session.begin_nested():
            for start in range(0, len(rows), _INSERT_BATCH):
                insert_rows(session, table_of(JobItem), rows[start : start + _INSERT_BATCH])
    except IntegrityError as exc:
        raise Conflict("an idempotency key of this job was already used by another job") from exc
    audit.record(
        session,
        ctx,
        action="job.create",
        entity="job",
        entity_id=job.id,
        after={
            "kind": kind,
            "params": job.params,
            "total_items": len(items),
            "keys_sha256": hashlib.sha256("\n".join(keys).encode()).hexdigest(),
        },
    )
    return job


def submit_job(ctx: TenantContext, kind: str, params: dict[str, Any] | None, items: Sequence[ItemSpec]) -> uuid.UUID:
    """Create a job in its own transaction and enqueue it after commit; returns the job id.

    For callers without a unit of work of their own; inside one, call `create_job` and
    `models.jobs.queue.enqueue_after_commit(session, ctx.tenant_id, job.id)`.
    """
    with tenant_session(ctx) as session:
        job = create_job(session, ctx, kind, params, items)
        enqueue_after_commit(session, ctx.tenant_id, job.id)
    return job.id


def get_job(session: Session, ctx: TenantContext, job_id: uuid.UUID | str, *, lock: bool = False) -> Job:
    """The tenant's job, or NotFound — also for another tenant's id (its existence stays hidden).
    `lock`: the job's exclusive fence, then its row FOR UPDATE (a cancel or a fail), current row."""
    try:
        key = uuid.UUID(str(job_id))
    except ValueError as exc:
        raise NotFound("job not found") from exc
    query = select(Job).where(Job.id == key, Job.tenant_id == ctx.tenant_id)
    if lock:
        fence_job(session, key, exclusive=True)
        query = query.with_for_update().execution_options(populate_existing=True)
    job = session.exec(query).first()
    if job is None:
        raise NotFound("job not found")
    return job


def has_pending_items(session: Session, ctx: TenantContext, job_id: uuid.UUID | str) -> bool:
    return bool(
        session.execute(
            text("select exists(select 1 from job_items where job_id = :j and tenant_id = :t and status = 'pending')"),
            {"j": uuid.UUID(str(job_id)), "t": ctx.tenant_id},
        ).scalar()
    )


def item_counts(session: Session, ctx: TenantContext, job_id: uuid.UUID) -> dict[str, int]:
    rows = session.execute(
        text("select status, count(*) from job_items where job_id = :j and tenant_id = :t group by status"),
        {"j": job_id, "t": ctx.tenant_id},
    ).all()
    return full_counts({status: n for status, n in rows})


def snapshot_of(session: Session, ctx: TenantContext, job: Job) -> ProgressSnapshot:
    return ProgressSnapshot(
        job_id=str(job.id),
        tenant_id=str(job.tenant_id),
        kind=job.kind,
        status=job.status,
        total=job.total_items,
        counts=item_counts(session, ctx, job.id),
        updated_at=utcnow().isoformat(),
        error=job.error,
    )


@dataclass(frozen=True)
class RecentItem:
    seq: int
    idempotency_key: str
    status: str
    attempts: int
    error: str | None
    finished_at: str | None


@dataclass(frozen=True)
class JobProgress:
    snapshot: ProgressSnapshot
    recent: list[RecentItem]


def job_progress(session: Session, ctx: TenantContext, job_id: uuid.UUID | str, *, recent: int = 10) -> JobProgress:
    """Counts by status plus the most recently finished items, for a progress page."""
    job = get_job(session, ctx, job_id)
    rows = session.exec(
        select(JobItem)
        .where(JobItem.job_id == job.id, JobItem.tenant_id == ctx.tenant_id, col(JobItem.finished_at).is_not(None))
        .order_by(col(JobItem.finished_at).desc(), col(JobItem.seq).desc())
        .limit(recent)
    ).all()
    items = [
        RecentItem(
            r.seq,
            r.idempotency_key,
            r.status,
            r.attempts,
            r.error,
            r.finished_at.isoformat() if r.finished_at else None,
        )
        for r in rows
    ]
    return JobProgress(snapshot_of(session, ctx, job), items)


def start_job(session: Session, ctx: TenantContext, job: Job) -> bool:
    """queued → running; False when another worker already started (or finished) it."""
    session.refresh(job, with_for_update=True)
    if job.status != "queued":
        return False
    moment = utcnow()
    decide(session, ctx, JOB_MACHINE, job, "start", details={"started_at": moment.isoformat()})
    job.started_at = moment
    session.add(job)
    session.flush()
    return True


def finish_job(session: Session, ctx: TenantContext, job: Job) -> str | None:
    """running → completed once no item is open; returns the new status, or None if not yet."""
    session.refresh(job, with_for_update=True)
    if job.status != "running":
        return None
    counts = item_counts(session, ctx, job.id)
    if counts["pending"] or counts["running"]:
        return None
    kind = get_kind(job.kind)
    if kind is not None and kind.complete is not None:
        kind.complete(session, ctx, job)  # the kind's totals commit with the completion
    moment = utcnow()
    decide(session, ctx, JOB_MACHINE, job, "complete", details={"counts": counts, "finished_at": moment.isoformat()})
    job.finished_at = moment
    session.add(job)
    session.flush()
    return job.status


def fail_job(session: Session, ctx: TenantContext, job: Job, error: str) -> bool:
    """queued|running → failed with a reason (unknown kind, runner crash after all retries)."""
    fence_job(session, job.id, exclusive=True)  # no chunk of a failed job commits after this
    session.refresh(job, with_for_update=True)
    if job.status not in ("queued", "running"):
        return False
    moment = utcnow()
    message = error[:4000]
    cancel_open_items(session, ctx, job.id)  # item rows before the decision's audit append (lock order)
    decide(session, ctx, JOB_MACHINE, job, "fail", reason=message[:1000], details={"finished_at": moment.isoformat()})
    job.error = message
    job.finished_at = moment
    session.add(job)
    session.flush()
    return True


def request_cancel(session: Session, ctx: TenantContext, job_id: uuid.UUID | str, reason: str | None = None) -> Job:
    """Cancel a queued or running job (permission core.jobs.manage, checked by the machine).

    Final once committed: the job's fence is taken exclusively first (`fence_job`), so this waits
    for every chunk a worker is processing (each holds it shared until its commit) and every later
    chunk sees `cancelled` after taking it and cancels its items instead of running them. Pending
    items are cancelled now. Lock order: fence → job row → item rows → audit lock (docs/jobs.md). Raises
    InvalidTransition (409) for a finished job — so of concurrent cancels one wins, the rest get
    409 — and NotFound for another tenant's.
    """
    job = get_job(session, ctx, job_id, lock=True)
    JOB_MACHINE.check(job.status, "cancel", ctx, reason)  # fail before touching any item
    cancelled = cancel_open_items(session, ctx, job.id)
    moment = utcnow()
    decide(
        session,
        ctx,
        JOB_MACHINE,
        job,
        "cancel",
        reason=reason,
        details={"cancel_requested": True, "items_cancelled": cancelled, "finished_at": moment.isoformat()},
    )
    job.cancel_requested = True
    job.finished_at = moment
    session.add(job)
    session.flush()
    return job


def cancel_open_items(session: Session, ctx: TenantContext, job_id: uuid.UUID) -> int:
    """Mark pending items, and running items whose lease expired, as cancelled.

    Lock order: the job row (when the caller locks it) → item rows → the audit lock, as claims and
    chunks do, so no deadlock.
    """
    result = session.execute(
        text(
            "update job_items set status = 'cancelled', lease_owner = null, lease_expires_at = null, "
            "finished_at = clock_timestamp() where job_id = :j and tenant_id = :t and "
            "(status = 'pending' or (status = 'running' and lease_expires_at < clock_timestamp()))"
        ),
        {"j": job_id, "t": ctx.tenant_id},
    )
    count = cast(CursorResult[Any], result).rowcount  # a DML statement's result is a CursorResult
    if count:
        audit.record(session, ctx, action="job.items.cancel", entity="job", entity_id=job_id, after={"items": count})
    return count
