"""Runs: repositories taking (session, ctx), and the computation the `comp.run` job does.

- `create_run`: a draft run of a locked plan over an imported `comp.employees` upload, and its job.
- `compute`: load the employee rows (COPY), type them (engine.comp.run_frame), evaluate the plan
  with the vectorized engine (exact Decimal(38,10)), allocate the pool to the cent (largest
  remainder), persist one result row per employee (COPY), then the totals, the digests and the
  snapshot hash, all in the job item's one transaction. A row error (division by zero, overflow, an
  input that cannot be used) is that employee's only; a problem with the run itself (the plan does
  not validate, the upload has no rows) fails the run through the decision path (`fail`, system).
"""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from typing import Any

import polars as pl
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from engine.comp.allocation import allocate
from engine.comp.employee_target import EMPLOYEES
from engine.comp.run_frame import INPUT_STEP, REF, ROW, typed_rows
from engine.comp.run_hash import plan_digest, snapshot_hash
from engine.comp.run_machine import RUN_MACHINE
from engine.comp.spec import PlanSpec
from engine.comp.validation import validate_plan
from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.formula import decimals as dec
from engine.formula.catalog import CATALOG_VERSION
from engine.formula.result import DECIMAL
from engine.formula.validator import CompiledPlan
from engine.formula.vectorized import run as evaluate
from models.comp import plans
from models.comp.runs import metrics, progress, store
from models.comp.runs.tables import CompRun, EmployeeRow, RunResult
from models.comp.tables import BonusPlan, BonusPool
from models.core import mutations
from models.core.base import utcnow
from models.core.decisions import decide
from models.core.pagination import Page, keyset_page, parse_instant
from models.imports import imports
from models.jobs.queue import enqueue_after_commit
from models.jobs.repo import create_job
from models.uploads import uploads

KIND = "comp.run"


def get_run(session: Session, ctx: TenantContext, run_id: uuid.UUID, *, lock: bool = False) -> CompRun:
    """The caller's tenant's run, or NotFound (another tenant's id reads as none)."""
    query = select(CompRun).where(CompRun.tenant_id == ctx.tenant_id, CompRun.id == run_id)
    row = session.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound("run not found")
    return row


def load_run(session: Session, ctx: TenantContext, run_id: uuid.UUID) -> CompRun:
    return get_run(session, ctx, run_id)


def run_page(
    session: Session,
    ctx: TenantContext,
    *,
    plan_id: uuid.UUID | None = None,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[CompRun]:
    """Newest first."""
    query = select(CompRun).where(CompRun.tenant_id == ctx.tenant_id)
    if plan_id is not None:
        query = query.where(CompRun.plan_id == plan_id)
    if status:
        query = query.where(CompRun.status == status)
    return keyset_page(
        session, query, col(CompRun.created_at), col(CompRun.id), limit=limit, cursor=cursor, descending=True,
        parse=parse_instant,
    )  # fmt: skip


def results_query(ctx: TenantContext, run: CompRun) -> Select[RunResult, EmployeeRow]:
    """The run's result rows, each with its employee row (None when missing), not yet ordered."""
    return (
        select(RunResult, EmployeeRow)
        .join(
            EmployeeRow,
            (col(EmployeeRow.upload_id) == run.upload_id) & (col(EmployeeRow.row_no) == col(RunResult.row_no)),
            isouter=True,
        )
        .where(RunResult.tenant_id == ctx.tenant_id, RunResult.run_id == run.id)
    )


def runs_of_upload(session: Session, ctx: TenantContext, upload_id: uuid.UUID) -> list[CompRun]:
    return list(
        session.exec(
            select(CompRun)
            .where(CompRun.tenant_id == ctx.tenant_id, CompRun.upload_id == upload_id)
            .order_by(col(CompRun.created_at), col(CompRun.id))
        ).all()
    )


def _runnable_plan(
    session: Session, ctx: TenantContext, plan_id: uuid.UUID
) -> tuple[BonusPlan, PlanSpec, CompiledPlan]:
    plan = plans.get_plan(session, ctx, plan_id)
    if plan.status != "locked":
        raise Conflict(
            f"'{plan.name}' version {plan.version} is {plan.status}: only a locked plan runs (lock it first)",
            fields={"plan_id": plan.status},
        )
    spec = plans.spec_of(session, ctx, plan)
    result = validate_plan(spec)
    if not result.ok or result.compiled is None:
        raise plans.PlanInvalid(result, f"'{plan.name}' version {plan.version} does not validate")
    return plan, spec, result.compiled


def _check_upload(session: Session, ctx: TenantContext, upload_id: uuid.UUID, spec: PlanSpec) -> None:
    upload = uploads.get(session, ctx, upload_id)
    if upload.purpose != EMPLOYEES:
        raise ValidationFailed(
            f"upload {upload_id} is for {upload.purpose!r}: a run reads employee data ({EMPLOYEES})",
            fields={"upload_id": "not employee data"},
        )
    found = imports.for_upload(session, ctx, upload.id)
    if found is None or found.status != "imported":
        status = found.status if found is not None else "not mapped"
        raise Conflict(f"the employee data is {status}: map and import it before a run", fields={"upload_id": status})
    mapped = set(found.mapping or {})
    missing = [i.key for i in spec.inputs if i.key not in mapped and i.default is None]
    if missing:
        raise ValidationFailed(
            f"the employee data has no column for the plan's input(s) {', '.join(missing)}, which have no default",
            fields={"upload_id": "missing inputs: " + ", ".join(missing)},
        )


def create_run(
    session: Session, ctx: TenantContext, plan_id: uuid.UUID, upload_id: uuid.UUID, scenario_name: str
) -> CompRun:
    _, spec, compiled = _runnable_plan(session, ctx, plan_id)
    _check_upload(session, ctx, upload_id, spec)
    run = mutations.create(
        session,
        ctx,
        CompRun(
            tenant_id=ctx.tenant_id,
            plan_id=plan_id,
            upload_id=upload_id,
            scenario_name=scenario_name,
            status=RUN_MACHINE.initial,
            phase="queued",
            steps=list(compiled.display),
            payout_step=spec.payout_step or "",
            catalog_version=CATALOG_VERSION,
            created_by=ctx.user_id,
        ),
        action="comp_run.create",
    )
    job = create_job(session, ctx, KIND, {"run_id": str(run.id)}, [(f"{KIND}:{run.id}", {"run_id": str(run.id)})])
    mutations.update(session, ctx, run, {"job_id": job.id}, action="comp_run.job")
    enqueue_after_commit(session, ctx.tenant_id, job.id)
    return run


# --- the computation ---------------------------------------------------------------------------


class RunFailed(Exception):
    """The run itself cannot be computed (not one employee's problem)."""


def fail(session: Session, ctx: TenantContext, run: CompRun, message: str) -> None:
    mutations.update(session, ctx, run, {"phase": "failed", "error": message[:2000]}, action="comp_run.failed")
    decide(session, ctx, RUN_MACHINE, run, "fail", reason=message[:500])
    progress.publish(ctx.tenant_id, run.id, run.job_id, "failed", 0, 0)


def _pool(session: Session, ctx: TenantContext, plan_id: uuid.UUID) -> BonusPool | None:
    return plans.pool_of(session, ctx, plan_id)


def _sum(values: pl.Series) -> Decimal:
    """Exact: Polars sums Decimal(38,10) in 128-bit integers; past 28 integer digits it raises, and
    the sum is taken in Python Decimal instead (the overflow is then the caller's to report)."""
    try:
        total = values.sum()
        if total is not None and isinstance(total, Decimal):
            return dec.fix(total)
    except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):
        pass
    exact = Decimal(0)
    for value in values.drop_nulls().to_list():
        exact += value
    return dec.fix(exact)


def _results(run: CompRun, compiled: CompiledPlan, frame: pl.DataFrame, refused: pl.DataFrame, pool: BonusPool | None):
    """The result rows (RESULT_COLUMNS) in row order, and the totals."""
    out = evaluate(compiled, frame.drop(ROW)).frame
    display = list(compiled.display)
    steps = out.select(
        pl.Series(ROW, frame[ROW]),
        pl.col(REF),
        pl.concat_str([pl.col(s).cast(pl.String) for s in display], separator="|").alias("vals"),
        (pl.col(run.payout_step) if run.payout_step else pl.lit(None, dtype=DECIMAL)).alias("payout"),
        pl.col("error"),
        pl.col("error").str.split_exact(": ", 1).struct.field("field_0").alias("error_step"),
    )
    failed = refused.select(
        pl.col(ROW),
        pl.col(REF),
        pl.lit(None, dtype=pl.String).alias("vals"),
        pl.lit(None, dtype=DECIMAL).alias("payout"),
        pl.col("error"),
        pl.lit(INPUT_STEP).alias("error_step"),
    )
    rows = pl.concat([steps, failed]).sort(ROW)
    payouts = rows["payout"]
    allocated: list[Decimal | None] = [None] * rows.height
    totals: dict[str, Any] = {
        "employees": rows.height,
        "evaluated": frame.height,
        "errors": int(rows["error"].is_not_null().sum()),
        "payout_step": run.payout_step,
        "payout_total": dec.to_text(_sum(payouts)),
        "errors_by_step": {
            str(k): int(v)
            for k, v in rows.filter(pl.col("error").is_not_null())["error_step"].value_counts().iter_rows()
        },
        "step_totals": {s: dec.to_text(_sum(out[s])) for s in display},
        "pool": None,
    }
    if pool is not None:
        split = allocate(payouts.to_list(), Decimal(pool.amount))
        allocated = split.shares
        totals["pool"] = {
            "amount": dec.to_text(dec.fix(Decimal(pool.amount))),
            "currency": pool.currency,
            "allocated": dec.to_text(split.allocated),
            "unallocated": dec.to_text(split.unallocated),
            "unit": str(split.unit),
            "method": "largest remainder",
        }
    rows = rows.with_columns(pl.Series("allocated", allocated, dtype=DECIMAL)).select(
        ROW, REF, "vals", "payout", "allocated", "error", "error_step"
    )
    return rows, totals


def compute(session: Session, ctx: TenantContext, run: CompRun) -> None:
    """The whole computation, in the caller's transaction (the job item's)."""
    tenant, job = ctx.tenant_id, run.job_id
    mutations.update(session, ctx, run, {"started_at": utcnow()}, action="comp_run.start")
    clock = time.perf_counter()
    marks: dict[str, float] = {}
    try:
        plan = plans.get_plan(session, ctx, run.plan_id)
        spec = plans.spec_of(session, ctx, plan)
        checked = validate_plan(spec)
        if not checked.ok or checked.compiled is None:
            raise RunFailed(checked.message("the plan does not validate"))
        compiled = checked.compiled
        total = store.count_employee_rows(session, ctx, run.upload_id)
        if total == 0:
            raise RunFailed("the upload has no employee rows: import the file first")
        progress.publish(tenant, run.id, job, "loading", 0, total)
        raw = store.read_employee_rows(session, ctx, run.upload_id, [i.key for i in spec.inputs])
        typed = typed_rows(spec.inputs, raw)
        marks["load"] = time.perf_counter()
        progress.publish(tenant, run.id, job, "evaluating", 0, total)
        pool = _pool(session, ctx, plan.id)
        rows, totals = _results(run, compiled, typed.frame, typed.refused, pool)
        marks["evaluate"] = time.perf_counter()
        progress.publish(tenant, run.id, job, "persisting", 0, total)
        store.delete_results(session, ctx, run.id)
        store.write_results(
            session, ctx, run.id, rows, on_chunk=lambda n: progress.publish(tenant, run.id, job, "persisting", n, total)
        )
    except RunFailed as exc:
        fail(session, ctx, run, str(exc))
        metrics.RUNS_FAILED.inc()
        return
    inputs = store.inputs_digest(session, ctx, run.upload_id)
    results = store.results_digest(session, ctx, run.id)
    digest = plan_digest(spec, Decimal(pool.amount) if pool else None, pool.currency if pool else None)
    changes = {
        "phase": "computed",
        "steps": list(compiled.display),
        "employees": totals["employees"],
        "errors": totals["errors"],
        "totals": totals,
        "inputs_digest": inputs,
        "results_digest": results,
        "snapshot_hash": snapshot_hash(digest, inputs, CATALOG_VERSION),
        "catalog_version": CATALOG_VERSION,
        "computed_at": utcnow(),
        "error": None,
    }
    mutations.update(session, ctx, run, changes, action="comp_run.computed")
    progress.publish(tenant, run.id, job, "computed", total, total)
    done = time.perf_counter()
    metrics.RUN_SECONDS.labels("load").observe(marks["load"] - clock)
    metrics.RUN_SECONDS.labels("evaluate").observe(marks["evaluate"] - marks["load"])
    metrics.RUN_SECONDS.labels("persist").observe(done - marks["evaluate"])
    metrics.RUN_SECONDS.labels("total").observe(done - clock)
    metrics.RUN_EMPLOYEES.inc(totals["employees"])
    for step, count in totals["errors_by_step"].items():
        metrics.ROW_ERRORS.labels(step).inc(count)
