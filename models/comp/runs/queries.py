"""Reads of runs for the REST API and the pages. Each takes `ctx`, checks `comp.read`, opens its own
transaction and answers frozen dataclasses (models.comp.runs.views). Another tenant's id is a 404.

- `run_page(ctx, *, plan_id, status, limit, cursor) -> Page[RunView]`, newest first
- `run_detail(ctx, run_id) -> RunView`: status, live progress, totals, snapshot hash (and the frozen
  one), the approvals history and the buttons the caller may press
- `results_page(ctx, run_id, *, q, limit, cursor) -> Page[ResultRow]`: every employee in row order
  (`q`: employee references starting with it)
- `tape(ctx, run_id, employee_ref) -> TapeView`: the employee's inputs, every step's value (text),
  what each step read and which branch it took (engine.formula.tape), the payout and pool share;
  only that employee's row is read and traced, with the run's total() sums (models.comp.runs.aggregates)
- `employee_uploads(ctx) -> list[EmployeeUpload]`: imported employee data a run can read
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from engine.comp.employee_target import EMPLOYEES
from engine.comp.permissions import READ
from engine.comp.run_machine import RUN_MACHINE
from engine.context import TenantContext
from engine.errors import NotFound, ValidationFailed
from engine.formula import decimals as dec
from models.comp import plans
from models.comp.runs import progress, runs, tapes
from models.comp.runs.tables import CompRun, EmployeeRow, RunResult
from models.comp.runs.views import Approval, Progress, ResultRow, RunView, TapeView
from models.comp.tables import BonusPlan
from models.core.db import tenant_session
from models.core.decision_actions import ActionView
from models.core.pagination import Page, clamp_limit, decode_cursor, encode_cursor
from models.imports.tables import Import
from models.jobs.repo import get_job
from models.uploads.tables import Upload


def _text(value: object) -> str | None:
    return None if value is None else dec.to_text(value)  # type: ignore[arg-type]


def _progress(session: Session, ctx: TenantContext, run: CompRun) -> Progress:
    if run.phase in ("computed", "failed"):
        return Progress(run.phase, run.employees, run.employees)
    if run.job_id is not None and get_job(session, ctx, run.job_id).status in ("failed", "cancelled"):
        return Progress("failed", 0, 0)
    live = progress.latest(ctx.tenant_id, run.id)
    if live and live.get("phase") in ("loading", "evaluating", "persisting"):
        return Progress(str(live["phase"]), int(live.get("done", 0)), int(live.get("total", 0)))
    return Progress(run.phase, 0, 0)


def view(
    session: Session, ctx: TenantContext, run: CompRun, plan: BonusPlan | None = None, filename: str = ""
) -> RunView:
    plan = plan or plans.get_plan(session, ctx, run.plan_id)
    if not filename:
        upload = session.exec(
            select(Upload).where(Upload.tenant_id == ctx.tenant_id, Upload.id == run.upload_id)
        ).first()
        filename = upload.filename if upload else ""
    prog = _progress(session, ctx, run)
    computed = prog.phase == "computed"
    actions = (
        [ActionView(t.action, t.display, t.reason_required) for t in RUN_MACHINE.actions_for(run, ctx)]
        if computed
        else []
    )
    return RunView(
        id=run.id,
        plan_id=run.plan_id,
        plan_name=plan.name,
        plan_version=plan.version,
        upload_id=run.upload_id,
        upload_filename=filename,
        scenario_name=run.scenario_name,
        status=run.status,
        progress=prog,
        job_id=run.job_id,
        employees=run.employees,
        errors=run.errors,
        totals=dict(run.totals or {}),
        snapshot_hash=run.snapshot_hash,
        frozen_hash=(run.frozen or {}).get("snapshot_hash"),
        steps=list(run.steps or []),
        payout_step=run.payout_step,
        catalog_version=run.catalog_version,
        error=run.error if prog.phase == "failed" else None,
        created_at=run.created_at,
        computed_at=run.computed_at,
        finalized_at=run.finalized_at,
        approvals=[Approval(**a) for a in run.approvals or []],
        actions=actions,
    )


def run_page(
    ctx: TenantContext,
    *,
    plan_id: uuid.UUID | None = None,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[RunView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        page = runs.run_page(session, ctx, plan_id=plan_id, status=status, limit=limit, cursor=cursor)
        return Page([view(session, ctx, r) for r in page.items], page.next_cursor)


def run_detail(ctx: TenantContext, run_id: uuid.UUID) -> RunView:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        return view(session, ctx, runs.get_run(session, ctx, run_id))


def _result(run: CompRun, r: RunResult, e: EmployeeRow | None) -> ResultRow:
    steps = list(run.steps or [])
    values = dict(zip(steps, r.vals, strict=True)) if r.vals else dict.fromkeys(steps)
    return ResultRow(
        row_no=r.row_no,
        employee_ref=r.employee_ref,
        employee_name=e.employee_name if e else None,
        team=e.team if e else None,
        values=values,
        payout=_text(r.payout),
        allocated=_text(r.allocated),
        error=r.error,
        error_step=r.error_step,
    )


def results_page(
    ctx: TenantContext, run_id: uuid.UUID, *, q: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Page[ResultRow]:
    """Every employee's results in row order (keyset on the row number)."""
    ctx.require(READ)
    size = clamp_limit(limit)
    after = decode_cursor(cursor, 1)
    with tenant_session(ctx) as session:
        run = runs.get_run(session, ctx, run_id)
        query = runs.results_query(ctx, run)
        if after:
            try:
                query = query.where(col(RunResult.row_no) > int(after[0]))
            except (TypeError, ValueError) as exc:
                raise ValidationFailed("cursor is not valid", fields={"cursor": "invalid"}) from exc
        if q:
            pattern = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(col(RunResult.employee_ref).ilike(pattern, escape="\\"))
        found = list(session.exec(query.order_by(col(RunResult.row_no)).limit(size + 1)).all())
        more = len(found) > size
        found = found[:size]
        items = [_result(run, r, e) for r, e in found]
        return Page(items, encode_cursor([items[-1].row_no]) if more and items else None)


def tape(ctx: TenantContext, run_id: uuid.UUID, employee_ref: str) -> TapeView:
    """One employee's calculation tape, from the stored inputs and results of this run."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        run = runs.get_run(session, ctx, run_id)
        if run.phase != "computed":
            raise NotFound(f"the run has no results yet ({run.phase})")
        found = session.exec(
            select(RunResult).where(
                RunResult.tenant_id == ctx.tenant_id, RunResult.run_id == run.id, RunResult.employee_ref == employee_ref
            )
        ).first()
        if found is None:
            raise NotFound(f"no employee '{employee_ref}' in this run", fields={"employee_ref": "not in the run"})
        return tapes.one_tape(session, ctx, run, found)


@dataclass(frozen=True)
class EmployeeUpload:
    upload_id: uuid.UUID
    filename: str
    plan_id: str  # the plan the data was uploaded for (its meta)
    rows: int
    imported_at: datetime | None


def employee_uploads(ctx: TenantContext, limit: int = 50) -> list[EmployeeUpload]:
    """Imported employee data, newest first (the start-a-run picker)."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        found = session.exec(
            select(Upload, Import)
            .join(Import, (col(Import.upload_id) == col(Upload.id)) & (col(Import.tenant_id) == col(Upload.tenant_id)))
            .where(Upload.tenant_id == ctx.tenant_id, Upload.purpose == EMPLOYEES, Import.status == "imported")
            .order_by(col(Import.imported_at).desc(), col(Upload.id))
            .limit(limit)
        ).all()
        return [
            EmployeeUpload(u.id, u.filename, str((u.meta or {}).get("plan_id", "")), i.inserted, i.imported_at)
            for u, i in found
        ]
