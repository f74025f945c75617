"""All statements of a run as one ZIP of PDFs, made by a worker job (`comp.statements`).

- `request_bundle(ctx, run_id) -> BundleView`: queues the job (comp.export, a computed run only);
  audited on the run (`comp_run.statements_bundle`) besides the job's own `job.create`.
- `bundle_status(ctx, run_id, job_id)`, `latest_bundle(ctx, run_id)`: the job's state, its live
  progress (statements drawn of all, kept in Redis while it runs, like a run's computation) and,
  once done, the count and size of the file.
- `bundle_file(ctx, run_id, job_id) -> (file, name, size)`: the finished ZIP; every download is
  audited (`comp_run.statements_download`).
- `build(session, ctx, run_id, job_id)`: the job's one item: every employee's tape
  (models.comp.runs.tapes.run_tapes: the run read once, the total() sums once), each drawn as the
  same PDF `statement_pdf` answers, written into a ZIP in upload storage under
  `<tenant>/comp-statements/<job id>.zip` (never a user's name). Entries are
  `<position>-<employee reference>.pdf` (row order) with the reference cut to [A-Za-z0-9._-]: unique
  by the position, safe in any unzip tool. A retried item starts the file again.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

import redis
from sqlmodel import Session, col, select

from engine.comp.permissions import EXPORT
from engine.context import TenantContext
from engine.errors import Conflict, NotFound
from engine.jobs import ProgressSnapshot
from models.comp.runs import queries, reports, runs, tapes
from models.core import audit
from models.core.base import utcnow
from models.core.db import tenant_session
from models.core.redis_client import sync_redis
from models.jobs.progress import LATEST_TTL_SECONDS, publish_progress
from models.jobs.queue import enqueue_after_commit
from models.jobs.repo import create_job, get_job
from models.jobs.tables import Job, JobItem
from models.uploads.storage import get_storage

KIND = "comp.statements"
PUBLISH_EVERY = 50  # statements between two progress messages
log = logging.getLogger("pharos.comp.bundles")


@dataclass(frozen=True)
class BundleView:
    job_id: uuid.UUID
    run_id: uuid.UUID
    status: str  # the job's: queued | running | completed | failed | cancelled
    done: int  # statements drawn so far
    total: int  # statements in the bundle (the run's employees)
    size: int | None  # bytes of the finished ZIP
    error: str | None
    created_at: datetime

    @property
    def ready(self) -> bool:
        return self.status == "completed" and self.size is not None

    @property
    def percent(self) -> int:
        return 100 if self.ready else (100 * self.done // self.total if self.total else 0)

    @property
    def href(self) -> str:
        return f"/api/v1/runs/{self.run_id}/statements/bundle/{self.job_id}.zip" if self.ready else ""


def storage_key(tenant_id: uuid.UUID, job_id: uuid.UUID) -> str:
    return f"{tenant_id}/comp-statements/{job_id}.zip"


def entry_name(position: int, employee_ref: str) -> str:
    return f"{position:06d}-{re.sub(r'[^A-Za-z0-9._-]', '_', employee_ref)[:80]}.pdf"


def _progress_key(tenant_id: uuid.UUID, job_id: uuid.UUID) -> str:
    return f"pharos:t:{tenant_id}:comp_statements:{job_id}:progress"


def _publish(tenant_id: uuid.UUID, job_id: uuid.UUID, done: int, total: int) -> None:
    """The latest count under a key the status reads, and a snapshot that wakes watching pages."""
    at = utcnow().isoformat()
    try:
        sync_redis().set(
            _progress_key(tenant_id, job_id), json.dumps({"done": done, "total": total}), ex=LATEST_TTL_SECONDS
        )
    except redis.RedisError as exc:
        log.warning("progress of statements bundle %s not stored: %s", job_id, exc)
    publish_progress(ProgressSnapshot(str(job_id), str(tenant_id), KIND, "running", 1, {"pending": 1}, updated_at=at))


def _live(tenant_id: uuid.UUID, job_id: uuid.UUID) -> dict[str, Any]:
    try:
        raw: Any = sync_redis().get(_progress_key(tenant_id, job_id))
        data = json.loads(raw) if raw else {}
    except (redis.RedisError, ValueError):
        data = {}
    return data if isinstance(data, dict) else {}


def _view(session: Session, ctx: TenantContext, job: Job) -> BundleView:
    item = session.exec(select(JobItem).where(JobItem.tenant_id == ctx.tenant_id, JobItem.job_id == job.id)).first()
    result = (item.result if item is not None else None) or {}
    total = int(job.params.get("employees", 0))
    done = total if job.status == "completed" else int(_live(ctx.tenant_id, job.id).get("done", 0))
    size = result.get("bytes")
    return BundleView(
        job_id=job.id,
        run_id=uuid.UUID(job.params["run_id"]),
        status=job.status,
        done=done,
        total=total,
        size=int(size) if size is not None else None,
        error=job.error or (item.error if item is not None else None),
        created_at=job.created_at,
    )


def _job_of(session: Session, ctx: TenantContext, run_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    job = get_job(session, ctx, job_id)
    if job.kind != KIND or job.params.get("run_id") != str(run_id):
        raise NotFound("statements bundle not found")
    return job


def request_bundle(ctx: TenantContext, run_id: uuid.UUID) -> BundleView:
    ctx.require(EXPORT)
    view = reports.computed_view(ctx, run_id, "a statements bundle")
    with tenant_session(ctx) as session:
        run = runs.get_run(session, ctx, run_id)
        frozen = view.frozen_hash or view.snapshot_hash
        params = {"run_id": str(run.id), "employees": run.employees, "snapshot_hash": frozen}
        job = create_job(session, ctx, KIND, params, [(f"{KIND}:{run.id}:{uuid.uuid4()}", {"run_id": str(run.id)})])
        audit.record(
            session,
            ctx,
            action="comp_run.statements_bundle",
            entity="comp_run",
            entity_id=run.id,
            after={
                "job_id": str(job.id),
                "employees": run.employees,
                "snapshot_hash": view.frozen_hash or view.snapshot_hash,
            },
        )
        enqueue_after_commit(session, ctx.tenant_id, job.id)
        return _view(session, ctx, job)


def bundle_status(ctx: TenantContext, run_id: uuid.UUID, job_id: uuid.UUID) -> BundleView:
    ctx.require(EXPORT)
    with tenant_session(ctx) as session:
        runs.get_run(session, ctx, run_id)
        return _view(session, ctx, _job_of(session, ctx, run_id, job_id))


def latest_bundle(ctx: TenantContext, run_id: uuid.UUID) -> BundleView | None:
    """The run's newest bundle (the run page shows it), or None."""
    ctx.require(EXPORT)
    with tenant_session(ctx) as session:
        runs.get_run(session, ctx, run_id)
        found = session.exec(
            select(Job)
            .where(Job.tenant_id == ctx.tenant_id, Job.kind == KIND, col(Job.params)["run_id"].astext == str(run_id))
            .order_by(col(Job.created_at).desc(), col(Job.id).desc())
            .limit(1)
        ).first()
        return _view(session, ctx, found) if found is not None else None


def bundle_file(ctx: TenantContext, run_id: uuid.UUID, job_id: uuid.UUID) -> tuple[BinaryIO, str, int]:
    """The finished ZIP (open for reading), its download name and size; 409 until it is finished."""
    ctx.require(EXPORT)
    with tenant_session(ctx) as session:
        runs.get_run(session, ctx, run_id)
        bundle = _view(session, ctx, _job_of(session, ctx, run_id, job_id))
        if not bundle.ready or bundle.size is None:
            raise Conflict(f"the statements bundle is {bundle.status}", fields={"job_id": bundle.status})
        audit.record(
            session,
            ctx,
            action="comp_run.statements_download",
            entity="comp_run",
            entity_id=run_id,
            after={"job_id": str(job_id), "statements": bundle.total, "bytes": bundle.size},
        )
    return get_storage().open_read(storage_key(ctx.tenant_id, job_id)), f"statements-{run_id}.zip", bundle.size


def build(session: Session, ctx: TenantContext, run_id: uuid.UUID, job_id: uuid.UUID) -> dict[str, Any]:
    """Draw every statement of the run into the bundle's ZIP (the job item's work)."""
    run = runs.get_run(session, ctx, run_id)
    if run.phase != "computed":
        raise Conflict(f"the run is {run.phase}: a statements bundle needs its results")
    view = queries.view(session, ctx, run)
    total, tapes_of_run = tapes.run_tapes(session, ctx, run)
    _publish(ctx.tenant_id, job_id, 0, total)
    count = 0
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_STORED) as bundle:  # PDFs are compressed already
            for position, tape in enumerate(tapes_of_run, start=1):
                bundle.writestr(entry_name(position, tape.employee_ref), reports.statement_document(view, tape))
                count += 1
                if count % PUBLISH_EVERY == 0:
                    _publish(ctx.tenant_id, job_id, count, total)
        size = spool.tell()
        spool.seek(0)
        storage, key = get_storage(), storage_key(ctx.tenant_id, job_id)
        storage.delete(key)
        writer = storage.writer(key)
        try:
            while chunk := spool.read(1 << 20):
                writer.write(chunk)
        finally:
            writer.close()
        storage.finalize(key)
    _publish(ctx.tenant_id, job_id, count, total)
    audit.record(
        session,
        ctx,
        action="comp_run.statements_bundled",
        entity="comp_run",
        entity_id=run.id,
        after={"job_id": str(job_id), "statements": count, "bytes": size, "snapshot_hash": run.snapshot_hash},
    )
    return {"statements": count, "bytes": size, "key": key}
