"""What pages, routes and the import pipeline read about uploads. `get_upload` and `local_copy`
are the import pipeline's way in: keep their names and shapes stable."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.context import TenantContext
from engine.errors import Conflict
from models.core.db import tenant_session
from models.uploads import uploads
from models.uploads.storage import S3Storage, get_storage
from models.uploads.tables import Upload


@dataclass(frozen=True)
class UploadView:
    id: uuid.UUID
    purpose: str
    meta: dict[str, Any]
    filename: str
    content_type: str
    size_expected: int | None
    size_received: int
    sha256: str | None
    status: str
    storage_key: str
    created_by: uuid.UUID | None
    created_at: datetime
    stored_at: datetime | None

    @classmethod
    def of(cls, row: Upload) -> UploadView:
        return cls(
            id=row.id,
            purpose=row.purpose,
            meta=dict(row.meta or {}),
            filename=row.filename,
            content_type=row.content_type,
            size_expected=row.size_expected,
            size_received=row.size_received,
            sha256=row.sha256,
            status=row.status,
            storage_key=row.storage_key,
            created_by=row.created_by,
            created_at=row.created_at,
            stored_at=row.stored_at,
        )


def get_upload(ctx: TenantContext, upload_id: uuid.UUID | str) -> UploadView:
    """One upload of the caller's tenant (NotFound otherwise; Forbidden without its purpose's
    permission)."""
    with tenant_session(ctx) as session:
        row = uploads.get(session, ctx, upload_id)
        uploads.require_purpose(ctx, row.purpose)
        return UploadView.of(row)


def received(ctx: TenantContext, upload_id: uuid.UUID | str) -> UploadView:
    """The upload with `size_received` as storage holds it now (what a resuming client continues
    from: bytes of a request cut short count, even before the row caught up)."""
    view = get_upload(ctx, upload_id)
    if view.status != "receiving":
        return view
    return _with_size(view, get_storage().size(view.storage_key))


def _with_size(view: UploadView, size: int) -> UploadView:
    from dataclasses import replace

    return replace(view, size_received=size)


@contextmanager
def local_copy(ctx: TenantContext, upload_id: uuid.UUID | str) -> Iterator[Path]:
    """A local path to a stored upload's bytes: the file itself on local storage, a temporary
    download (removed on exit) on S3. Only stored uploads (409 while still receiving)."""
    view = get_upload(ctx, upload_id)
    if view.status != "stored":
        raise Conflict(f"upload is {view.status}, not stored", fields={"upload_id": view.status})
    storage = get_storage()
    path = storage.local_path(view.storage_key)
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="pharos-upload-") as folder:
        copy = Path(folder) / "data"
        with copy.open("wb") as handle:
            if isinstance(storage, S3Storage):
                storage.download(view.storage_key, handle)
            else:
                with storage.open_read(view.storage_key) as source:
                    shutil.copyfileobj(source, handle, 1024 * 1024)
        yield copy
