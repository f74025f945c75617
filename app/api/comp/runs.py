"""Compensation runs over REST (compensation-platform-prd.md §6, §15.5-15.7), under `/api/v1`.

- `POST /runs {"tenant_id", "plan_id", "upload_id", "scenario_name"}` → 201 `{"run_id", "status":
  "draft", …}` and a job (comp.runs.execute); `GET /runs?plan_id=&status=` (newest first);
  `GET /runs/{id}`: status, live progress, totals, snapshot hash; `PATCH /runs/{id}` (scenario name).
- `GET /runs/{id}/results?employee_ref=E`: that employee's tape; without it, every employee, paged.
- `POST /runs/{id}/approve {"action"}`, `POST /runs/{id}/finalize`: the decision path.
- Reports (comp.export): `POST /reports/individual-statement` (PDF), `GET /runs/{id}/export.csv|.xlsx|.pdf`,
  `GET /runs/{id}/statements/{employee_ref}.pdf`; all statements as one ZIP, made by a job:
  `POST /runs/{id}/statements/bundle` → 202 `{"job_id", "status", "done", "total", …}`,
  `GET /runs/{id}/statements/bundle` (the newest, 404 when none) and `/statements/bundle/{job_id}`
  (progress; `download` once completed), `GET /runs/{id}/statements/bundle/{job_id}.zip` (the file).

Reads need comp.read; another tenant's ids answer 404. Routes only call models.comp.runs.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from app.api.comp.run_schemas import (
    ApprovalResultOut,
    ApproveBody,
    BundleOut,
    FinalizeBody,
    ResultOut,
    ResultPage,
    RunOut,
    RunPage,
    RunPatch,
    StatementBody,
    TapeOut,
)
from app.api.deps import Cursor, Limit, SearchText, require
from engine.comp.permissions import EXPORT, READ
from engine.comp.run_machine import RUN_MACHINE, RUNS_EXECUTE
from engine.context import TenantContext
from engine.errors import NotFound
from engine.inputs import PlainText
from models.comp.runs import actions, bundles, queries, reports
from models.comp.runs.actions import RunStart
from models.comp.runs.views import RunView

router = APIRouter(prefix="/api/v1", tags=["comp runs"])
READER = Depends(require(READ))
RUNNER = Depends(require(RUNS_EXECUTE))
EXPORTER = Depends(require(EXPORT))
EmployeeRef = Annotated[PlainText | None, Query(min_length=1, max_length=200, description="one employee's tape")]


def _run(view: RunView) -> RunOut:
    data: dict[str, Any] = asdict(view)
    data["progress"]["percent"] = view.progress.percent
    return RunOut.model_validate(data)


@router.post("/runs", response_model=RunOut, status_code=201)
def start_run(body: RunStart, response: Response, ctx: TenantContext = RUNNER) -> RunOut:
    view = actions.start_run(ctx, body)
    response.headers["Location"] = f"/api/v1/runs/{view.id}"
    return _run(view)


@router.get("/runs", response_model=RunPage)
def list_runs(
    plan_id: uuid.UUID | None = None,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(sorted(RUN_MACHINE.statuses)) + ")$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    ctx: TenantContext = READER,
) -> RunPage:
    page = queries.run_page(ctx, plan_id=plan_id, status=status, limit=limit, cursor=cursor)
    return RunPage(items=[_run(v) for v in page.items], next_cursor=page.next_cursor)


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(run_id: uuid.UUID, ctx: TenantContext = READER) -> RunOut:
    return _run(queries.run_detail(ctx, run_id))


@router.patch("/runs/{run_id}", response_model=RunOut)
def rename_run(run_id: uuid.UUID, body: RunPatch, ctx: TenantContext = RUNNER) -> RunOut:
    return _run(actions.rename(ctx, run_id, body.scenario_name))


@router.get("/runs/{run_id}/results", response_model=TapeOut | ResultPage)
def results(
    run_id: uuid.UUID,
    employee_ref: EmployeeRef = None,
    q: SearchText = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    ctx: TenantContext = READER,
) -> TapeOut | ResultPage:
    if employee_ref is not None:
        return TapeOut.model_validate(asdict(queries.tape(ctx, run_id, employee_ref)))
    page = queries.results_page(ctx, run_id, q=q, limit=limit, cursor=cursor)
    return ResultPage(items=[ResultOut.model_validate(asdict(r)) for r in page.items], next_cursor=page.next_cursor)


def _approval(outcome: actions.ApprovalOutcome) -> ApprovalResultOut:
    return ApprovalResultOut(
        run_id=outcome.run.id,
        from_status=outcome.from_status,
        status=outcome.run.status,
        verification=outcome.verification,
        snapshot_hash=outcome.snapshot_hash,
        run=_run(outcome.run),
    )


@router.post("/runs/{run_id}/approve", response_model=ApprovalResultOut)
def approve(run_id: uuid.UUID, body: ApproveBody, ctx: TenantContext = READER) -> ApprovalResultOut:
    return _approval(actions.approve(ctx, run_id, body.action, body.expected_status))


@router.post("/runs/{run_id}/finalize", response_model=ApprovalResultOut)
def finalize(run_id: uuid.UUID, body: FinalizeBody | None = None, ctx: TenantContext = READER) -> ApprovalResultOut:
    return _approval(actions.finalize(ctx, run_id, body.expected_status if body else None))


def _file(content: bytes, media: str, name: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120]  # a header value: never the raw reference
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{safe}"'})


@router.post(
    "/reports/individual-statement", response_class=Response, responses={200: {"content": {"application/pdf": {}}}}
)
def individual_statement(body: StatementBody, ctx: TenantContext = EXPORTER) -> Response:
    pdf = reports.statement_pdf(ctx, body.run_id, body.employee_ref)
    return _file(pdf, "application/pdf", f"statement-{body.employee_ref}.pdf")


@router.get("/runs/{run_id}/export.{fmt}", response_class=Response)
def export(run_id: uuid.UUID, fmt: Literal["csv", "xlsx", "pdf"], ctx: TenantContext = EXPORTER) -> Response:
    content, media = reports.export(ctx, run_id, fmt)
    return _file(content, media, f"run-{run_id}.{fmt}")


def _bundle(view: bundles.BundleView) -> BundleOut:
    data: dict[str, Any] = asdict(view)
    return BundleOut.model_validate({**data, "percent": view.percent, "download": view.href})


@router.post("/runs/{run_id}/statements/bundle", response_model=BundleOut, status_code=202)
def request_bundle(run_id: uuid.UUID, ctx: TenantContext = EXPORTER) -> BundleOut:
    """Every employee's statement into one ZIP, by a worker job; follow it with the GET below."""
    return _bundle(bundles.request_bundle(ctx, run_id))


@router.get("/runs/{run_id}/statements/bundle", response_model=BundleOut)
def latest_bundle(run_id: uuid.UUID, ctx: TenantContext = EXPORTER) -> BundleOut:
    found = bundles.latest_bundle(ctx, run_id)
    if found is None:
        raise NotFound("the run has no statements bundle yet")
    return _bundle(found)


@router.get(
    "/runs/{run_id}/statements/bundle/{job_id}.zip",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def bundle_download(run_id: uuid.UUID, job_id: uuid.UUID, ctx: TenantContext = EXPORTER) -> StreamingResponse:
    """The finished ZIP (registered before the status route, whose {job_id} would take "….zip")."""
    source, name, size = bundles.bundle_file(ctx, run_id, job_id)

    def blocks():
        while block := source.read(1 << 20):
            yield block

    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Content-Length": str(size)}
    return StreamingResponse(
        blocks(), media_type="application/zip", headers=headers, background=BackgroundTask(source.close)
    )


@router.get("/runs/{run_id}/statements/bundle/{job_id}", response_model=BundleOut)
def bundle_status(run_id: uuid.UUID, job_id: uuid.UUID, ctx: TenantContext = EXPORTER) -> BundleOut:
    return _bundle(bundles.bundle_status(ctx, run_id, job_id))


@router.get("/runs/{run_id}/statements/{employee_ref}.pdf", response_class=Response)
def statement_download(
    run_id: uuid.UUID,
    employee_ref: Annotated[PlainText, Path(min_length=1, max_length=200)],
    ctx: TenantContext = EXPORTER,
) -> Response:
    """The same statement as a link a browser can follow (the run page's "Statement (PDF)")."""
    pdf = reports.statement_pdf(ctx, run_id, employee_ref)
    return _file(pdf, "application/pdf", f"statement-{employee_ref}.pdf")
