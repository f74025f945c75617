"""Bulk enforcement REST API: preview, batches (create / start / cancel / list / detail), the live
execution stream (SSE), the batch report (+ CSV) and the sent-notices list.

RBAC: margin.enforcement.run for preview, create, start and cancel (Owner, Admin, Ops; Sales and
Viewer get 403); margin.read for reads; margin.reports.export for the CSV. Ids of another tenant
answer 404. Lists are keyset-paginated (`?limit&cursor`).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from app.api.deps import require
from app.api.margin import schemas
from app.api.margin.common import Cursor, Limit
from engine.context import TenantContext
from engine.jsonable import to_jsonable
from engine.margin.enforcement import ACTIONS
from engine.margin.machines import BATCH_MACHINE
from engine.margin.permissions import ENFORCE, EXPORT, READ
from engine.text import TextInput
from models.jobs.progress import SSE_HEADERS, open_job_stream, sse_frame
from models.margin import actions
from models.margin.enforcement import BatchFilters
from models.margin.queries import enforcement as queries

router = APIRouter(prefix="/api", tags=["enforcement"])

SSE = {200: {"description": "server-sent events", "content": {"text/event-stream": {}}}}
CSV = {200: {"description": "the report as CSV", "content": {"text/csv": {}}}}
Action = Literal[tuple(sorted(ACTIONS))]
BatchStatus = Literal[tuple(sorted(BATCH_MACHINE.states))]


class PreviewRequest(TextInput):
    action: Action
    filters: BatchFilters = Field(default_factory=BatchFilters)


class BatchCreate(PreviewRequest):
    name: str | None = Field(None, min_length=1, max_length=200)


class BatchCancel(TextInput):
    reason: str | None = Field(None, min_length=1, max_length=1000)


@router.post("/enforcement/preview", response_model=schemas.PreviewPublic)
def preview(body: PreviewRequest, ctx: TenantContext = Depends(require(ENFORCE))) -> dict:
    return to_jsonable(queries.preview(ctx, body.filters, body.action).data)


@router.post("/enforcement/batches", status_code=201, response_model=schemas.BatchPublic)
def create_batch(body: BatchCreate, ctx: TenantContext = Depends(require(ENFORCE))) -> dict:
    return to_jsonable(actions.create_batch(ctx, body.filters, body.action, name=body.name))


@router.post("/enforcement/batches/{batch_id}/start", response_model=schemas.BatchPublic)
def start_batch(batch_id: uuid.UUID, ctx: TenantContext = Depends(require(ENFORCE))) -> dict:
    return to_jsonable(actions.start_batch(ctx, batch_id))


@router.post("/enforcement/batches/{batch_id}/cancel", response_model=schemas.BatchPublic)
def cancel_batch(
    batch_id: uuid.UUID, body: BatchCancel | None = None, ctx: TenantContext = Depends(require(ENFORCE))
) -> dict:
    return to_jsonable(actions.cancel_batch(ctx, batch_id, body.reason if body else None))


@router.get("/enforcement/batches", response_model=schemas.Page[schemas.BatchPublic])
def list_batches(
    ctx: TenantContext = Depends(require(READ)),
    status: BatchStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    page = queries.batch_page(ctx, status=status, limit=limit, cursor=cursor).page
    return {"items": to_jsonable(page.items), "next_cursor": page.next_cursor}


@router.get("/enforcement/batches/{batch_id}", response_model=schemas.BatchDetailPublic)
def get_batch(batch_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> dict:
    return to_jsonable(queries.batch_detail(ctx, batch_id))


@router.get("/execution/stream", response_class=StreamingResponse, responses=SSE)
async def execution_stream(
    batch_id: uuid.UUID = Query(alias="batchId"), ctx: TenantContext = Depends(require(READ))
) -> StreamingResponse:
    """SSE of the batch's job (`progress` frames: counts, percent), then one `batch` frame with the
    batch's final state and `end`. Redis pub/sub with Postgres polling as the fallback. 404 for
    another tenant's batch, 409 for a draft (nothing runs yet)."""

    def detail() -> dict:
        return to_jsonable(queries.batch_detail(ctx, batch_id, recent=20))

    events = await open_job_stream(ctx, await asyncio.to_thread(queries.job_id_of, ctx, batch_id))

    async def frames():
        async for frame in events:
            if frame.startswith("event: end") or "\nevent: end" in frame:
                yield sse_frame("batch", await asyncio.to_thread(detail))
            yield frame

    return StreamingResponse(frames(), media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/reports/enforcement/{batch_id}.csv", response_class=Response, responses=CSV)
def report_csv(batch_id: uuid.UUID, ctx: TenantContext = Depends(require(EXPORT))) -> Response:
    filename, body = queries.report_csv(ctx, batch_id)
    return Response(
        content=body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"},
    )


@router.get("/reports/enforcement/{batch_id}", response_model=schemas.ReportPublic)
def report(batch_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> dict:
    return to_jsonable(queries.report(ctx, batch_id).data)


@router.get("/notices", response_model=schemas.Page[schemas.NoticePublic])
def notices(
    ctx: TenantContext = Depends(require(READ)),
    batch_id: uuid.UUID | None = Query(None, alias="batchId"),
    dealer_id: uuid.UUID | None = Query(None, alias="dealerId"),
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    page = queries.notice_page(ctx, batch_id=batch_id, dealer_id=dealer_id, limit=limit, cursor=cursor)
    items = []
    for view in page.items:
        row = to_jsonable(view.notice.model_dump())
        row.pop("tenant_id", None)
        row["deliveries"] = to_jsonable([asdict(d) for d in view.deliveries])
        items.append(row)
    return {"items": items, "next_cursor": page.next_cursor}


class NoticeCaseOut(BaseModel):
    case_id: str
    status: str
    created: bool


@router.post("/notices/{notice_id}/case", response_model=NoticeCaseOut)
def open_case_for_notice(notice_id: uuid.UUID, ctx: TenantContext = Depends(require(ENFORCE))) -> NoticeCaseOut:
    """Open a vendor case with the notice's dealer (its vendor portal shows it); the same case
    while it is active. The case's decision comes back as notes on the alerts and the dealer."""
    return NoticeCaseOut.model_validate(actions.open_case_for_notice(ctx, notice_id))
