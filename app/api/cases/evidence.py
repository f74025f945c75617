"""Evidence files over REST.

- `POST /api/evidence-uploads?case_id=…[&label=…]` multipart (`file`) → 201, a new evidence file on
  the case; `?evidence_id=…` instead: a new version of that file (not yet current: the REPLACE
  decision puts it in place). The body is streamed to the upload storage chunk by chunk (this
  prefix has the upload body budget); the type is sniffed from the content, the size limited,
  SHA-256 recorded. A refused file leaves nothing behind.
- `GET /api/evidence/{id}` (with its versions), `GET /api/evidence/{id}/events`,
  `GET /api/evidence/{id}/file[?version=n]`: the bytes, also after REMOVE (soft delete).
"""

from __future__ import annotations

import uuid
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from app.api.body_limit import allow_upload
from app.api.deps import require
from app.api.errors import error_responses
from app.api.streaming_form import MULTIPART_FILE, StreamingForm, boundary_of, read_form
from engine.cases.permissions import READ, WRITE
from engine.cases.rules import LABEL_MAX
from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.inputs import PlainText, query_int
from models.cases import queries
from models.cases.evidence import EvidenceUpload
from models.cases.views import EventView, EvidenceView
from models.core.pagination import Page
from models.uploads.storage import get_storage

UPLOADS = "/api/evidence-uploads"
BATCH = 1024 * 1024
READ_BLOCK = 256 * 1024

allow_upload(UPLOADS)
router = APIRouter(tags=["evidence"])

Label = Annotated[PlainText | None, Query(max_length=LABEL_MAX, description="what the file shows")]
Version = Annotated[query_int(1, 100000) | None, Query(description="a version number (default: the current one)")]


@router.post(
    UPLOADS, status_code=201, response_model=EvidenceView, openapi_extra=MULTIPART_FILE, responses=error_responses(413)
)
async def upload_evidence(
    request: Request,
    case_id: uuid.UUID | None = None,
    evidence_id: uuid.UUID | None = None,
    label: Label = None,
    ctx: TenantContext = Depends(require(WRITE)),
) -> EvidenceView:
    if (case_id is None) == (evidence_id is None):
        raise ValidationFailed(
            "name either case_id (a new file) or evidence_id (a new version)", fields={"case_id": "required"}
        )
    form = StreamingForm(boundary_of(request.headers.get("content-type", "")))
    upload = await anyio.to_thread.run_sync(lambda: EvidenceUpload(ctx, case_id, evidence_id))
    batch = bytearray()

    async def on_file(data: bytes) -> None:
        batch.extend(data)
        if len(batch) >= BATCH:
            await anyio.to_thread.run_sync(upload.write, bytes(batch))
            batch.clear()

    async def on_field(name: str, value: str) -> None:
        return None

    try:
        await read_form(request.stream(), form, on_file, on_field)
        if batch:
            await anyio.to_thread.run_sync(upload.write, bytes(batch))
        if not form.file_seen:
            raise ValidationFailed("the form has no `file` part", fields={"file": "required"})
    except BaseException:
        await anyio.to_thread.run_sync(upload.discard)
        raise
    row, _ = await anyio.to_thread.run_sync(lambda: upload.commit(filename=form.file_name, label=label))
    return await anyio.to_thread.run_sync(queries.get_evidence, ctx, row.id)


@router.get("/api/evidence/{evidence_id}", response_model=EvidenceView)
def get_evidence(evidence_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> EvidenceView:
    return queries.get_evidence(ctx, evidence_id)


@router.get("/api/evidence/{evidence_id}/events", response_model=Page[EventView])
def evidence_events(evidence_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> Page[EventView]:
    return queries.evidence_events(ctx, evidence_id)


@router.get(
    "/api/evidence/{evidence_id}/file",
    response_class=StreamingResponse,
    responses={200: {"description": "the file's bytes", "content": {"application/octet-stream": {}}}},
)
def evidence_file(
    evidence_id: uuid.UUID, version: Version = None, ctx: TenantContext = Depends(require(READ))
) -> StreamingResponse:
    """The stored bytes of the current (or a given) version, as an attachment."""
    found = queries.evidence_file(ctx, evidence_id, version)
    source = get_storage().open_read(found.storage_key)

    def blocks():
        while block := source.read(READ_BLOCK):
            yield block

    safe = found.filename.encode("ascii", "replace").decode().replace('"', "_")
    headers = {
        "Content-Disposition": f'attachment; filename="{safe}"',
        "Content-Length": str(found.size),
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{found.sha256}"',
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(
        blocks(), media_type=found.content_type, headers=headers, background=BackgroundTask(source.close)
    )
