"""Generic job endpoints: progress, cancel, and the live SSE stream of any job of the tenant."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import Field

from app.api.deps import require
from engine.context import TenantContext
from engine.text import TextInput
from models.jobs import actions, queries, repo
from models.jobs.progress import SSE_HEADERS, open_job_stream

SSE = {200: {"description": "server-sent events", "content": {"text/event-stream": {}}}}

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


class CancelRequest(TextInput):
    reason: str | None = Field(None, max_length=2000)


def _progress_body(progress: repo.JobProgress) -> dict:
    return {
        **progress.snapshot.to_dict(),
        "recent": [asdict(item) for item in progress.recent],
    }


@router.get("/{job_id}")
def job_detail(job_id: uuid.UUID, ctx: TenantContext = Depends(require("core.jobs.read"))) -> dict:
    return _progress_body(queries.progress(ctx, job_id))


@router.post("/{job_id}/cancel")
def cancel_job(
    job_id: uuid.UUID, body: CancelRequest, ctx: TenantContext = Depends(require("core.jobs.manage"))
) -> dict:
    return _progress_body(actions.cancel(ctx, job_id, body.reason))


@router.get("/{job_id}/stream", response_class=StreamingResponse, responses=SSE)
async def job_stream(job_id: uuid.UUID, ctx: TenantContext = Depends(require("core.jobs.read"))) -> StreamingResponse:
    """Server-sent events: one `progress` event per change, `end` when the job finishes."""
    events = await open_job_stream(ctx, job_id)
    return StreamingResponse(events, media_type="text/event-stream", headers=SSE_HEADERS)
