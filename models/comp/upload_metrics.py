"""Upload throughput and mapping error rate of the tenant's employee data (compensation-platform-prd.md
§10 Metrics), computed from what the uploads and imports stored — no extra bookkeeping:

- upload throughput: bytes received / (stored_at − created_at) of each `comp.employees` upload (the
  whole receive, pauses of a resumable upload included);
- import throughput: rows / (finished_at − started_at) of the upload's last import job (validation
  or import: the job `imports.job_id` names);
- mapping error rate: rows the mapping's validation rejected / rows read (`imports.rows_invalid /
  rows_total`), and the issues it reported.

Rates are exact Decimals (times to the microsecond; ratios to 4 places, throughputs to 2). The
totals cover the latest `MAX_UPLOADS` uploads; `items` the latest `limit`.

- `upload_metrics(ctx, *, limit) -> UploadMetrics`
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlmodel import col, select

from engine.comp.employee_target import EMPLOYEES
from engine.comp.permissions import READ
from engine.context import TenantContext
from models.core.db import tenant_session
from models.imports.tables import Import
from models.jobs.tables import Job
from models.uploads.tables import Upload

MAX_UPLOADS = 1000
RATIO = Decimal("0.0001")
RATE = Decimal("0.01")


@dataclass(frozen=True)
class UploadMetric:
    upload_id: uuid.UUID
    filename: str
    created_at: datetime
    import_status: str | None  # None: never mapped
    size_bytes: int
    receive_seconds: Decimal | None
    bytes_per_second: Decimal | None
    rows_total: int
    rows_invalid: int
    issues: int
    import_seconds: Decimal | None
    rows_per_second: Decimal | None
    error_rate: Decimal | None  # rows_invalid / rows_total


@dataclass(frozen=True)
class UploadMetrics:
    uploads: int
    size_bytes: int
    rows_total: int
    rows_invalid: int
    issues: int
    bytes_per_second: Decimal | None  # all bytes / all receive time
    rows_per_second: Decimal | None  # all rows / all import-job time
    error_rate: Decimal | None  # all invalid rows / all rows
    items: list[UploadMetric] = field(default_factory=list)


def _seconds(start: datetime | None, end: datetime | None) -> Decimal | None:
    if start is None or end is None or end <= start:
        return None
    return Decimal((end - start) // timedelta(microseconds=1)) / 1_000_000


def _rate(amount: int, seconds: Decimal | None) -> Decimal | None:
    return None if not seconds else (Decimal(amount) / seconds).quantize(RATE, ROUND_HALF_EVEN)


def _ratio(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(part) / Decimal(whole)).quantize(RATIO, ROUND_HALF_EVEN)


def upload_metrics(ctx: TenantContext, *, limit: int = 20) -> UploadMetrics:
    """The tenant's employee data uploads, newest first, with their throughput and error rate."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        found = session.exec(
            select(Upload, Import, Job)
            .join(
                Import,
                (col(Import.upload_id) == col(Upload.id)) & (col(Import.tenant_id) == col(Upload.tenant_id)),
                isouter=True,
            )
            .join(
                Job, (col(Job.id) == col(Import.job_id)) & (col(Job.tenant_id) == col(Import.tenant_id)), isouter=True
            )
            .where(Upload.tenant_id == ctx.tenant_id, Upload.purpose == EMPLOYEES, Upload.status == "stored")
            .order_by(col(Upload.created_at).desc(), col(Upload.id))
            .limit(MAX_UPLOADS)
        ).all()
    items = []
    for upload, imp, job in found:
        receive = _seconds(upload.created_at, upload.stored_at)
        rows, invalid = (imp.rows_total, imp.rows_invalid) if imp else (0, 0)
        run = _seconds(job.started_at, job.finished_at) if job and job.status == "completed" else None
        items.append(
            UploadMetric(
                upload.id,
                upload.filename,
                upload.created_at,
                imp.status if imp else None,
                upload.size_received,
                receive,
                _rate(upload.size_received, receive),
                rows,
                invalid,
                imp.issues_total if imp else 0,
                run,
                _rate(rows, run),
                _ratio(invalid, rows),
            )
        )
    received = [m for m in items if m.receive_seconds is not None]
    timed = [m for m in items if m.import_seconds is not None]
    rows_total = sum(m.rows_total for m in items)
    invalid = sum(m.rows_invalid for m in items)
    return UploadMetrics(
        uploads=len(items),
        size_bytes=sum(m.size_bytes for m in items),
        rows_total=rows_total,
        rows_invalid=invalid,
        issues=sum(m.issues for m in items),
        bytes_per_second=_rate(
            sum(m.size_bytes for m in received), sum((m.receive_seconds or Decimal(0) for m in received), Decimal(0))
        ),
        rows_per_second=_rate(
            sum(m.rows_total for m in timed), sum((m.import_seconds or Decimal(0) for m in timed), Decimal(0))
        ),
        error_rate=_ratio(invalid, rows_total),
        items=items[: max(1, min(limit, 100))],
    )
