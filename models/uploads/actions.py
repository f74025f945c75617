"""Receiving files: in one request (`OneShot`) or resumably (`create_resumable`, then `open_append`
per PATCH). Both stream chunk by chunk into the storage adapter and hash while they go; the route
calls `write` from a thread for each chunk it reads, so nothing is whole in memory.

A one-shot upload leaves no trace when refused: its row is written only once every byte is in
(created and stored in one transaction), and `discard()` removes the partial object. A resumable
upload's row exists from the start (`receiving`); bytes a dropped request delivered stay, and the
storage's size is the offset a client continues from.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

from engine.context import TenantContext
from engine.errors import Conflict, TooLarge
from engine.uploads.machine import UPLOAD_MACHINE, UPLOAD_WRITE
from models.core import mutations
from models.core.base import utcnow
from models.core.db import tenant_session
from models.core.decisions import decide, lock_for_decision
from models.core.redis_client import sync_redis
from models.core.settings import get_settings
from models.uploads import uploads
from models.uploads.queries import UploadView, get_upload
from models.uploads.storage import Writer, get_storage
from models.uploads.tables import Upload

HASH_BLOCK = 1024 * 1024
LOCK_SECONDS = 60


def _hash_stored(key: str) -> str:
    digest = hashlib.sha256()
    with get_storage().open_read(key) as source:
        while block := source.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _store(session: Any, ctx: TenantContext, row: Upload, size: int, sha256: str) -> None:
    """Record the last byte and the hash, then `store` through the decision path (audited)."""
    mutations.update(
        session, ctx, row, {"size_received": size, "sha256": sha256, "stored_at": utcnow()}, action="upload.receive"
    )
    decide(session, ctx, UPLOAD_MACHINE, row, "store", details={"sha256": sha256, "size": size})


class OneShot:
    """One multipart request: bytes go to storage under a fresh id; the row comes at `commit`."""

    def __init__(self, ctx: TenantContext):
        ctx.require(UPLOAD_WRITE)
        self.ctx = ctx
        self.upload_id = uuid.uuid4()
        self.key = uploads.storage_key(ctx, self.upload_id)
        self.storage = get_storage()
        self.limit = get_settings().max_upload_bytes
        self.digest = hashlib.sha256()
        self.size = 0
        self.writer: Writer | None = None

    def check_target(self, name: str) -> None:
        """Refuse early (422 / 403) when the `target` field comes before the file."""
        uploads.allowed_target(self.ctx, name)

    def write(self, chunk: bytes) -> None:
        if self.size + len(chunk) > self.limit:
            raise TooLarge(f"the file is over the limit of {self.limit} bytes", fields={"file": "too large"})
        if self.writer is None:
            self.writer = self.storage.writer(self.key)
        self.writer.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)

    def discard(self) -> None:
        """Refused or cut short: remove whatever reached storage."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        self.storage.delete(self.key)

    def commit(self, *, target: str, filename: str | None, content_type: str | None, meta: Any) -> UploadView:
        """Every byte is in: check the purpose, then create and store the row in one transaction."""
        try:
            uploads.allowed_target(self.ctx, target)
            clean_meta = uploads.parse_meta(meta)
            if self.writer is not None:
                self.writer.close()
                self.writer = None
            self.storage.finalize(self.key)
            with tenant_session(self.ctx) as session:
                row = mutations.create(
                    session,
                    self.ctx,
                    Upload(
                        id=self.upload_id,
                        tenant_id=self.ctx.tenant_id,
                        purpose=target,
                        meta=clean_meta,
                        filename=uploads.clean_filename(filename),
                        content_type=uploads.clean_content_type(content_type),
                        size_expected=self.size,
                        size_received=0,
                        storage_key=self.key,
                        created_by=self.ctx.user_id,
                    ),
                    action="upload.create",
                )
                _store(session, self.ctx, row, self.size, self.digest.hexdigest())
                return UploadView.of(row)
        except BaseException:
            self.discard()
            raise


def create_resumable(
    ctx: TenantContext, *, target: str, length: int, filename: str | None, content_type: str | None, meta: Any
) -> UploadView:
    """A `receiving` upload of `length` bytes, to be sent with `open_append` (a zero-length one is
    stored at once)."""
    uploads.allowed_target(ctx, target)
    uploads.check_length(length)
    clean_meta = uploads.parse_meta(meta)
    upload_id = uuid.uuid4()
    key = uploads.storage_key(ctx, upload_id)
    with tenant_session(ctx) as session:
        row = mutations.create(
            session,
            ctx,
            Upload(
                id=upload_id,
                tenant_id=ctx.tenant_id,
                purpose=target,
                meta=clean_meta,
                filename=uploads.clean_filename(filename),
                content_type=uploads.clean_content_type(content_type),
                size_expected=length,
                size_received=0,
                storage_key=key,
                created_by=ctx.user_id,
            ),
            action="upload.create",
        )
        if length == 0:
            get_storage().finalize(key)
            _store(session, ctx, row, 0, hashlib.sha256().hexdigest())
        return UploadView.of(row)


class Append:
    """One PATCH's bytes for a receiving upload, from the offset the client named. Holds a Redis
    lock so two requests never interleave bytes; `close()` keeps what arrived and stores the upload
    when it is complete."""

    def __init__(self, ctx: TenantContext, upload_id: uuid.UUID, offset: int, view: UploadView):
        self.ctx, self.upload_id, self.view = ctx, upload_id, view
        self.storage = get_storage()
        self.start = offset
        self.size = offset
        self.expected = view.size_expected or 0
        self.digest = hashlib.sha256() if offset == 0 else None  # whole-file hash only from byte 0
        self.lock_key = f"pharos:upload-lock:{upload_id}"
        self.token = uuid.uuid4().hex
        self.locked_at = time.monotonic()
        self.writer: Writer | None = None

    def write(self, chunk: bytes) -> None:
        room = self.expected - self.size
        if len(chunk) > room:
            self._write(chunk[: max(room, 0)])
            raise TooLarge(
                f"more bytes than the {self.expected} announced in Upload-Length", fields={"body": "too long"}
            )
        self._write(chunk)

    def _write(self, chunk: bytes) -> None:
        if not chunk:
            return
        if self.writer is None:
            self.writer = self.storage.writer(self.view.storage_key)
        self.writer.write(chunk)
        if self.digest is not None:
            self.digest.update(chunk)
        self.size += len(chunk)
        if time.monotonic() - self.locked_at > LOCK_SECONDS / 3:
            sync_redis().expire(self.lock_key, LOCK_SECONDS)
            self.locked_at = time.monotonic()

    def close(self) -> UploadView:
        """Keep the bytes received (even when the client went away) and record them."""
        try:
            if self.writer is not None:
                self.writer.close()
                self.writer = None
            return self._record()
        finally:
            self._unlock()

    def _record(self) -> UploadView:
        size = self.storage.size(self.view.storage_key)
        complete = size == self.expected
        sha = ""
        if complete:
            self.storage.finalize(self.view.storage_key)
            sha = self.digest.hexdigest() if self.digest is not None else _hash_stored(self.view.storage_key)
        with tenant_session(self.ctx) as session:
            row = uploads.get(session, self.ctx, self.upload_id)
            if row.status != "receiving":
                return UploadView.of(row)
            lock_for_decision(session, UPLOAD_MACHINE, row)
            if complete:
                _store(session, self.ctx, row, size, sha)
            elif size != row.size_received:
                mutations.update(session, self.ctx, row, {"size_received": size}, action="upload.receive")
            return UploadView.of(row)

    def _lock(self) -> None:
        if not sync_redis().set(self.lock_key, self.token, nx=True, ex=LOCK_SECONDS):
            raise Conflict("another request is sending bytes to this upload", fields={"Upload-Offset": "busy"})

    def _unlock(self) -> None:
        client = sync_redis()
        held = client.get(self.lock_key)
        if held in (self.token, self.token.encode()):  # ours (the client may decode responses or not)
            client.delete(self.lock_key)


def open_append(ctx: TenantContext, upload_id: uuid.UUID, offset: int) -> Append:
    """Start a PATCH: 404 / 403 as for reading, 409 unless the upload is receiving and `offset` is
    exactly the number of bytes storage holds for it (checked under the upload's lock)."""
    view = get_upload(ctx, upload_id)
    ctx.require(UPLOAD_WRITE)
    if view.status != "receiving":
        raise Conflict(f"upload is already {view.status}", fields={"Upload-Offset": view.status})
    append = Append(ctx, view.id, offset, view)
    append._lock()
    held = get_storage().size(view.storage_key)
    if offset != held:
        append._unlock()
        raise Conflict(
            f"Upload-Offset {offset} does not match the {held} bytes received",
            fields={"Upload-Offset": f"expected {held}"},
        )
    return append


def cancel(ctx: TenantContext, upload_id: uuid.UUID) -> UploadView:
    """Give up on a receiving upload: its bytes are removed and it is `failed` (stored ones stay)."""
    view = get_upload(ctx, upload_id)
    ctx.require(UPLOAD_WRITE)
    if view.status != "receiving":
        raise Conflict(f"upload is already {view.status}", fields={"upload_id": view.status})
    with tenant_session(ctx) as session:
        row = uploads.get(session, ctx, upload_id)
        decide(session, ctx, UPLOAD_MACHINE, row, "fail", reason="cancelled", expected_status="receiving")
        view = UploadView.of(row)
    get_storage().delete(view.storage_key)
    return view
