"""Uploads over REST: one multipart request, or resumable in the tus style on the same resource.

- `POST /api/v1/uploads` multipart (`file`, `target`, optional `meta` JSON) → 201 `{"upload_id"}`.
- `POST /api/v1/uploads` with `Upload-Length` and a JSON body (`target`, `filename`, …) → 201, a
  `receiving` upload; `HEAD` answers `Upload-Offset`; `PATCH` with `Upload-Offset` and
  `Content-Type: application/offset+octet-stream` appends (409 on a wrong offset) and stores the
  upload when the last byte is in. `DELETE` gives up on a receiving upload.
- `GET /api/v1/uploads/{id}`: status, sizes, hash, purpose.

Bodies are read as streams and written to storage chunk by chunk from a thread; the body limit
(app/api/body_limit.py) gives this prefix the upload budget. docs/uploads.md has the protocol.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import ClientDisconnect

from app.api.body_limit import allow_upload
from app.api.deps import current_context
from app.api.errors import error_responses
from app.api.streaming_form import StreamingForm, boundary_of, read_form
from engine.context import TenantContext
from engine.errors import TooLarge, ValidationFailed
from models.uploads import actions, queries

PREFIX = "/api/v1/uploads"
TUS_VERSION = "1.0.0"
OFFSET_TYPE = "application/offset+octet-stream"
BATCH = 1024 * 1024  # bytes gathered before one thread hop to storage

allow_upload(PREFIX)
router = APIRouter(prefix=PREFIX, tags=["uploads"])


class UploadCreated(BaseModel):
    upload_id: uuid.UUID
    status: str
    received: int


class UploadPublic(BaseModel):
    """An upload as the API shows it. Sections other areas add (the import pipeline's `import`)
    are optional fields set by their own routes' code, so this shape only grows."""

    model_config = ConfigDict(populate_by_name=True)

    id: uuid.UUID
    status: str
    purpose: str
    filename: str
    content_type: str
    size: int | None = Field(description="bytes announced (resumable) or sent (one request)")
    received: int = Field(description="bytes received so far")
    sha256: str | None
    meta: dict[str, Any]
    created_at: datetime
    stored_at: datetime | None

    @classmethod
    def from_view(cls, view: queries.UploadView) -> UploadPublic:
        return cls(
            id=view.id,
            status=view.status,
            purpose=view.purpose,
            filename=view.filename,
            content_type=view.content_type,
            size=view.size_expected,
            received=view.size_received,
            sha256=view.sha256,
            meta=view.meta,
            created_at=view.created_at,
            stored_at=view.stored_at,
        )


class ResumableRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str = Field(max_length=100)
    filename: str | None = Field(None, max_length=1000)
    content_type: str | None = Field(None, max_length=255)
    meta: dict[str, Any] | None = None


_MULTIPART = {
    "type": "object",
    "required": ["file", "target"],
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "target": {"type": "string", "maxLength": 100, "description": "what the file is for, e.g. margin.sales"},
        "meta": {"type": "string", "description": 'a JSON object, e.g. {"plan_id": "…"}'},
    },
}
CREATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": _MULTIPART},
            "application/json": {"schema": ResumableRequest.model_json_schema()},
        },
    }
}
PATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {OFFSET_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    }
}
TUS_HEADERS = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}
UploadLength = Annotated[int | None, Header(alias="Upload-Length", ge=0, description="resumable: the file's size")]


def _offset_headers(view: queries.UploadView) -> dict[str, str]:
    headers = {**TUS_HEADERS, "Upload-Offset": str(view.size_received)}
    if view.size_expected is not None:
        headers["Upload-Length"] = str(view.size_expected)
    return headers


def _created(view: queries.UploadView) -> JSONResponse:
    body = UploadCreated(upload_id=view.id, status=view.status, received=view.size_received)
    headers = {**_offset_headers(view), "Location": f"{PREFIX}/{view.id}"}
    return JSONResponse(body.model_dump(mode="json"), status_code=201, headers=headers)


async def _json_body(request: Request) -> ResumableRequest:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > 64 * 1024:
            raise ValidationFailed("the JSON body is over 64 KiB", fields={"body": "too long"})
    try:
        return ResumableRequest.model_validate_json(raw or b"{}")
    except ValueError as exc:
        errors = getattr(exc, "errors", lambda: [])()
        fields = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in errors} or {"body": "not JSON"}
        raise ValidationFailed(f"invalid input: {', '.join(fields)}", fields=fields) from None


async def _one_shot(request: Request, ctx: TenantContext) -> JSONResponse:
    form = StreamingForm(boundary_of(request.headers.get("content-type", "")))
    upload = await anyio.to_thread.run_sync(actions.OneShot, ctx)
    batch = bytearray()

    async def on_file(data: bytes) -> None:
        batch.extend(data)
        if len(batch) >= BATCH:
            await anyio.to_thread.run_sync(upload.write, bytes(batch))
            batch.clear()

    async def on_field(name: str, value: str) -> None:
        if name == "target" and not form.file_seen:
            await anyio.to_thread.run_sync(upload.check_target, value)

    try:
        await read_form(request.stream(), form, on_file, on_field)
        if batch:
            await anyio.to_thread.run_sync(upload.write, bytes(batch))
        if not form.file_seen:
            raise ValidationFailed("the form has no `file` part", fields={"file": "required"})
        if not form.fields.get("target"):
            raise ValidationFailed("say what the file is for in `target`", fields={"target": "required"})
    except BaseException:
        await anyio.to_thread.run_sync(upload.discard)
        raise

    def commit() -> queries.UploadView:
        return upload.commit(
            target=form.fields["target"],
            filename=form.file_name,
            content_type=form.file_type,
            meta=form.fields.get("meta"),
        )

    return _created(await anyio.to_thread.run_sync(commit))


@router.post(
    "",
    status_code=201,
    response_model=UploadCreated,
    openapi_extra=CREATE_BODY,
    responses=error_responses(413, 422),
)
async def create_upload(
    request: Request, upload_length: UploadLength = None, ctx: TenantContext = Depends(current_context)
) -> Response:
    """A file in one multipart request, or (with `Upload-Length`) a resumable upload to PATCH."""
    if upload_length is None:
        return await _one_shot(request, ctx)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise ValidationFailed("a resumable upload is created with a JSON body", fields={"body": "not JSON"})
    body = await _json_body(request)

    def create() -> queries.UploadView:
        return actions.create_resumable(
            ctx,
            target=body.target,
            length=upload_length,
            filename=body.filename,
            content_type=body.content_type,
            meta=body.meta,
        )

    return _created(await anyio.to_thread.run_sync(create))


@router.get("/{upload_id}", response_model=UploadPublic)
def get_upload(upload_id: uuid.UUID, ctx: TenantContext = Depends(current_context)) -> UploadPublic:
    return UploadPublic.from_view(queries.received(ctx, upload_id))


@router.head("/{upload_id}", status_code=200, response_class=Response, responses={200: {"description": "no body"}})
def upload_offset(upload_id: uuid.UUID, ctx: TenantContext = Depends(current_context)) -> Response:
    """`Upload-Offset`: the bytes received so far (where a resumed PATCH starts)."""
    return Response(status_code=200, headers=_offset_headers(queries.received(ctx, upload_id)))


@router.patch(
    "/{upload_id}", response_model=UploadCreated, openapi_extra=PATCH_BODY, responses=error_responses(413, 422)
)
async def append_upload(
    upload_id: uuid.UUID,
    request: Request,
    upload_offset: Annotated[int, Header(alias="Upload-Offset", ge=0)],
    ctx: TenantContext = Depends(current_context),
) -> Response:
    """Append the body at `Upload-Offset`; bytes of a request cut short are kept."""
    if request.headers.get("content-type", "").split(";")[0].strip() != OFFSET_TYPE:
        raise ValidationFailed(f"send the bytes as {OFFSET_TYPE}", fields={"Content-Type": f"must be {OFFSET_TYPE}"})
    append = await anyio.to_thread.run_sync(actions.open_append, ctx, upload_id, upload_offset)
    declared = request.headers.get("content-length")
    batch = bytearray()
    try:
        if declared is not None and declared.isdigit() and upload_offset + int(declared) > append.expected:
            raise TooLarge(
                f"Upload-Offset + Content-Length passes the {append.expected} bytes announced",
                fields={"Content-Length": "too large"},
            )
        async for chunk in request.stream():
            batch.extend(chunk)
            if len(batch) >= BATCH:
                await anyio.to_thread.run_sync(append.write, bytes(batch))
                batch.clear()
        if batch:
            await anyio.to_thread.run_sync(append.write, bytes(batch))
    except ClientDisconnect:
        if batch:  # the bytes that did arrive are kept
            await anyio.to_thread.run_sync(append.write, bytes(batch))
        await anyio.to_thread.run_sync(append.close)
        return Response(status_code=400)  # nobody is listening any more
    except BaseException:
        await anyio.to_thread.run_sync(append.close)
        raise
    view = await anyio.to_thread.run_sync(append.close)
    body = UploadCreated(upload_id=view.id, status=view.status, received=view.size_received)
    return JSONResponse(body.model_dump(mode="json"), headers=_offset_headers(view))


@router.delete("/{upload_id}", response_model=UploadPublic)
def cancel_upload(upload_id: uuid.UUID, ctx: TenantContext = Depends(current_context)) -> UploadPublic:
    """Give up on a receiving upload: its bytes are removed, its status is `failed`."""
    return UploadPublic.from_view(actions.cancel(ctx, upload_id))
