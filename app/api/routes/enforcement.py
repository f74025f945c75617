"""Bulk enforcement REST API: preview, batches (create / start / cancel / list / detail), the live
execution stream (SSE), the batch report (+ CSV) and the sent-notices list.

RBAC: margin.enforcement.run for preview, create, start and cancel (Owner, Admin, Ops; Sales and
Viewer get 403); margin.read for reads; margin.reports.export for the CSV. Ids of another tenant
answer 404. Lists are keyset-paginated (`?limit&cursor`).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import Field

from app.api.deps import Cursor, Limit, require
from engine.audit_chain import to_jsonable
from engine.context import TenantContext
from engine.margin.enforcement import ACTIONS
from engine.margin.machines import BATCH_MACHINE
from engine.text import TextInput
from models.db import tenant_session
from models.margin import enforcement
from models.margin.enforcement import ENFORCE, READ, BatchFilters
from models.progress import SSE_HEADERS, open_job_stream, sse_frame

router = APIRouter(prefix="/api", tags=["enforcement"])

EXPORT = "margin.reports.export"
SSE = {200: {"description": "server-sent events", "content": {"text/event-stream": {}}}}
CSV = {200: {"description": "the report as CSV", "content": {"text/csv": {}}}}
Action = Literal[tuple(sorted(ACTIONS))]  # type: ignore[valid-type]
BatchStatus = Literal[tuple(sorted(BATCH_MACHINE.states))]  # type: ignore[valid-type]


class PreviewRequest(TextInput):
    action: Action
    filters: BatchFilters = Field(default_factory=BatchFilters)


class BatchCreate(PreviewRequest):
    name: str | None = Field(None, min_length=1, max_length=200)


class BatchCancel(TextInput):
    reason: str | None = Field(None, min_length=1, max_length=1000)


def _view(session, ctx: TenantContext, batch) -> dict[str, Any]:
    return to_jsonable(enforcement.batch_view(session, ctx, batch))


@router.post("/enforcement/preview")
def preview(body: PreviewRequest, ctx: TenantContext = Depends(require(ENFORCE))) -> dict:
    with tenant_session(ctx) as session:
        return to_jsonable(enforcement.preview(session, ctx, body.filters, body.action))


@router.post("/enforcement/batches", status_code=201)
def create_batch(body: BatchCreate, ctx: TenantContext = Depends(require(ENFORCE))) -> dict:
    with tenant_session(ctx) as session:
        batch = enforcement.create_batch(session, ctx, body.filters, body.action, name=body.name)
        return _view(session, ctx, batch)


@router.post("/enforcement/batches/{batch_id}/start")
def start_batch(batch_id: uuid.UUID, ctx: TenantContext = Depends(require(ENFORCE))) -> dict:
    with tenant_session(ctx) as session:
        batch = enforcement.start_batch(session, ctx, batch_id)
        return _view(session, ctx, batch)


@router.post("/enforcement/batches/{batch_id}/cancel")
def cancel_batch(
    batch_id: uuid.UUID, body: BatchCancel | None = None, ctx: TenantContext = Depends(require(ENFORCE))
) -> dict:
    with tenant_session(ctx) as session:
        batch = enforcement.cancel_batch(session, ctx, batch_id, body.reason if body else None)
        return _view(session, ctx, batch)


@router.get("/enforcement/batches")
def list_batches(
    ctx: TenantContext = Depends(require(READ)),
    status: BatchStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        page = enforcement.list_batches(session, ctx, status=status, limit=limit, cursor=cursor)
        return {"items": [_view(session, ctx, b) for b in page.items], "next_cursor": page.next_cursor}


@router.get("/enforcement/batches/{batch_id}")
def get_batch(batch_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> dict:
    with tenant_session(ctx) as session:
        return to_jsonable(enforcement.batch_detail(session, ctx, batch_id))


@router.get("/execution/stream", response_class=StreamingResponse, responses=SSE)
async def execution_stream(
    batch_id: uuid.UUID = Query(alias="batchId"), ctx: TenantContext = Depends(require(READ))
) -> StreamingResponse:
    """SSE of the batch's job (`progress` frames: counts, percent), then one `batch` frame with the
    batch's final state and `end`. Redis pub/sub with Postgres polling as the fallback. 404 for
    another tenant's batch, 409 for a draft (nothing runs yet)."""

    def job_id() -> uuid.UUID:
        with tenant_session(ctx) as session:
            return enforcement.job_of(session, ctx, batch_id).id

    def detail() -> dict:
        with tenant_session(ctx) as session:
            return to_jsonable(enforcement.batch_detail(session, ctx, batch_id, recent=20))

    events = await open_job_stream(ctx, await asyncio.to_thread(job_id))

    async def frames():
        async for frame in events:
            if frame.startswith("event: end") or "\nevent: end" in frame:
                yield sse_frame("batch", await asyncio.to_thread(detail))
            yield frame

    return StreamingResponse(frames(), media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/reports/enforcement/{batch_id}.csv", response_class=Response, responses=CSV)
def report_csv(batch_id: uuid.UUID, ctx: TenantContext = Depends(require(EXPORT))) -> Response:
    with tenant_session(ctx) as session:
        filename, body = enforcement.report_csv(session, ctx, batch_id)
    return Response(
        content=body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"},
    )


@router.get("/reports/enforcement/{batch_id}")
def report(batch_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> dict:
    with tenant_session(ctx) as session:
        return to_jsonable(enforcement.report(session, ctx, batch_id))


@router.get("/notices")
def notices(
    ctx: TenantContext = Depends(require(READ)),
    batch_id: uuid.UUID | None = Query(None, alias="batchId"),
    dealer_id: uuid.UUID | None = Query(None, alias="dealerId"),
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        page = enforcement.list_notices(
            session, ctx, batch_id=batch_id, dealer_id=dealer_id, limit=limit, cursor=cursor
        )
        items = []
        for n in page.items:
            row = to_jsonable(n.model_dump())
            row.pop("tenant_id", None)
            items.append(row)
        return {"items": items, "next_cursor": page.next_cursor}
