"""Detection reads: the runs (newest first, with their job's status) and what the last import brought,
for the dashboard card and `GET /api/margin/detection-runs`. Computed from the tables, never cached."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.margin.import_targets import TARGETS
from engine.margin.permissions import READ
from models.core.db import tenant_session
from models.core.pagination import Page, keyset_page, parse_instant
from models.imports.tables import Import
from models.jobs.tables import Job
from models.margin import detection_runs
from models.margin.tables import MarginDetectionRun
from models.uploads.tables import Upload

TARGET_LABELS = {t.name: t.label for t in TARGETS}


@dataclass(frozen=True)
class RunView:
    id: uuid.UUID
    trigger: str
    status: str  # the job's: queued, running, completed, failed, cancelled
    job_id: uuid.UUID | None
    upload_id: uuid.UUID | None
    target: str | None
    target_label: str | None
    filename: str | None  # the imported file's name as uploaded (None: a manual or scheduled run)
    rows_imported: int
    rows_skipped: int
    new_breaches: int | None
    attached: int | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def report_url(self) -> str | None:
        """The import's report page (the generic imports pages)."""
        return f"/imports/file?upload={self.upload_id}" if self.upload_id else None


def _views(session: Session, ctx: TenantContext, runs: list[MarginDetectionRun]) -> list[RunView]:
    job_ids = [r.job_id for r in runs if r.job_id]
    statuses: dict[Any, str] = {}
    if job_ids:
        found = session.exec(select(Job.id, Job.status).where(Job.tenant_id == ctx.tenant_id, col(Job.id).in_(job_ids)))
        statuses = dict(found.all())
    upload_ids = [r.upload_id for r in runs if r.upload_id]
    names: dict[Any, str] = {}
    skipped: dict[Any, int] = {}
    if upload_ids:
        named = select(Upload.id, Upload.filename).where(
            Upload.tenant_id == ctx.tenant_id, col(Upload.id).in_(upload_ids)
        )
        names = dict(session.exec(named).all())
        # the import's own count also holds the rows left out as invalid ("import the valid rows only")
        counted = select(Import.upload_id, Import.skipped).where(
            Import.tenant_id == ctx.tenant_id, col(Import.upload_id).in_(upload_ids), Import.status == "imported"
        )
        skipped = dict(session.exec(counted).all())
    return [
        RunView(
            id=r.id,
            trigger=r.trigger,
            status=statuses.get(r.job_id, "completed" if r.finished_at else "queued"),
            job_id=r.job_id,
            upload_id=r.upload_id,
            target=r.target,
            target_label=TARGET_LABELS.get(r.target or ""),
            filename=names.get(r.upload_id),
            rows_imported=r.rows_imported,
            rows_skipped=skipped.get(r.upload_id, r.rows_skipped),
            new_breaches=r.new_breaches,
            attached=r.attached,
            created_by=r.created_by,
            created_at=r.created_at,
            started_at=r.started_at,
            finished_at=r.finished_at,
        )
        for r in runs
    ]


def run_page(ctx: TenantContext, *, limit: int | None = None, cursor: str | None = None) -> Page[RunView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        page = keyset_page(
            session,
            detection_runs.runs_query(ctx),
            col(MarginDetectionRun.created_at),
            col(MarginDetectionRun.id),
            limit=limit,
            cursor=cursor,
            descending=True,
            parse=parse_instant,
        )
        return Page(items=_views(session, ctx, list(page.items)), next_cursor=page.next_cursor)


def last_import(ctx: TenantContext) -> RunView | None:
    """The newest import's run (rows imported and skipped, new breaches once detection finished)."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        run = detection_runs.last_import(session, ctx)
        return None if run is None else _views(session, ctx, [run])[0]


def run_of_job(ctx: TenantContext, job_id: uuid.UUID | str) -> RunView | None:
    """The run a detection job fills (the Run detection button follows it)."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        run = session.exec(
            detection_runs.runs_query(ctx).where(MarginDetectionRun.job_id == uuid.UUID(str(job_id)))
        ).first()
        return None if run is None else _views(session, ctx, [run])[0]
