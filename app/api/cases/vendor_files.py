"""A vendor's invoices or statements of account as a file.

- `POST /api/vendor-files/{kind}` (`invoices` or `statements`), multipart `file` (CSV or XLSX) →
  201 `{"kind", "rows", "created"}`: the file, read and checked by the import pipeline, recorded for
  the caller's own organization. Vendors only (403 for staff: they use `POST /api/invoices` /
  `/api/statements`). Any problem → 422 with `fields` naming each line (`"line 4": "Quantity: …"`)
  and nothing recorded. The body streams to a temporary file (this prefix has the upload body
  budget, at most `MAX_BYTES`), removed when the request ends.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam

from app.api.body_limit import allow_upload
from app.api.deps import require
from app.api.errors import error_responses
from app.api.streaming_form import MULTIPART_FILE, StreamingForm, boundary_of, read_form
from engine.cases.permissions import WRITE
from engine.context import TenantContext
from engine.errors import TooLarge, ValidationFailed
from models.cases.vendor_files import import_vendor_file

PREFIX = "/api/vendor-files"
MAX_BYTES = 20 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx")

allow_upload(PREFIX)
router = APIRouter(tags=["cases money"])


@dataclass(frozen=True)
class VendorFileOut:
    kind: str
    rows: int
    created: list[str]


@router.post(
    PREFIX + "/{kind}",
    status_code=201,
    response_model=VendorFileOut,
    openapi_extra=MULTIPART_FILE,
    responses=error_responses(413),
)
async def send_vendor_file(
    request: Request,
    kind: Annotated[Literal["invoices", "statements"], PathParam()],
    ctx: TenantContext = Depends(require(WRITE)),
) -> VendorFileOut:
    form = StreamingForm(boundary_of(request.headers.get("content-type", "")))
    with tempfile.TemporaryDirectory(prefix="pharos-vendor-file-") as folder:
        holder: dict[str, object] = {"size": 0, "handle": None}

        async def on_file(data: bytes) -> None:
            holder["size"] = int(holder["size"]) + len(data)  # type: ignore[arg-type]
            if int(holder["size"]) > MAX_BYTES:  # type: ignore[arg-type]
                raise TooLarge(f"file: at most {MAX_BYTES} bytes", fields={"file": "too large"})
            if holder["handle"] is None:
                suffix = Path(form.file_name or "").suffix.lower()
                if suffix not in SUFFIXES:
                    raise ValidationFailed("file: send a .csv or .xlsx file", fields={"file": "type not allowed"})
                holder["path"] = Path(folder) / f"file{suffix}"
                holder["handle"] = open(holder["path"], "wb")  # noqa: SIM115 - closed below
            await anyio.to_thread.run_sync(holder["handle"].write, data)  # type: ignore[union-attr]

        async def on_field(name: str, value: str) -> None:
            return None

        try:
            await read_form(request.stream(), form, on_file, on_field)
        finally:
            if holder["handle"] is not None:
                holder["handle"].close()  # type: ignore[union-attr]
        if not form.file_seen or "path" not in holder:
            raise ValidationFailed("the form has no `file` part", fields={"file": "required"})
        done = await anyio.to_thread.run_sync(import_vendor_file, ctx, kind, holder["path"])
    return VendorFileOut(done.kind, done.rows, done.created)
