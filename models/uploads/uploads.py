"""Upload repositories taking (session, ctx), and the input rules every way in shares."""

from __future__ import annotations

import json
import unicodedata
import uuid
from typing import Any

from sqlmodel import Session, select

from engine.context import TenantContext
from engine.errors import NotFound, TooLarge, ValidationFailed
from engine.imports import registry
from engine.imports.targets import ImportTarget
from engine.uploads.machine import UPLOAD_WRITE
from models.core.settings import get_settings
from models.uploads.tables import Upload

MAX_META_BYTES = 8192
MAX_FILENAME = 255


def get(session: Session, ctx: TenantContext, upload_id: uuid.UUID | str, *, lock: bool = False) -> Upload:
    """The caller's tenant's upload, or NotFound (another tenant's id reads the same as none)."""
    try:
        key = upload_id if isinstance(upload_id, uuid.UUID) else uuid.UUID(str(upload_id))
    except ValueError:
        raise NotFound("upload not found") from None
    query = select(Upload).where(Upload.tenant_id == ctx.tenant_id, Upload.id == key)
    row = session.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound("upload not found")
    return row


def storage_key(ctx: TenantContext, upload_id: uuid.UUID) -> str:
    return f"{ctx.tenant_id}/{upload_id}"


def allowed_target(ctx: TenantContext, name: str) -> ImportTarget:
    """The purpose `name` as a known target the caller may send files to (422 / 403 otherwise)."""
    ctx.require(UPLOAD_WRITE)
    target = registry.target(name, field="target")
    ctx.require(target.permission)
    return target


def require_purpose(ctx: TenantContext, purpose: str) -> None:
    """Reading or adding to an upload needs its purpose's permission (when the purpose is known)."""
    target = registry.targets().get(purpose)
    ctx.require(target.permission if target else UPLOAD_WRITE)


def clean_filename(raw: str | None) -> str:
    """The last path segment, printable, at most 255 characters ("upload" when nothing is left).
    Only shown to people: storage never uses it."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:MAX_FILENAME] or "upload"


def clean_content_type(raw: str | None) -> str:
    value = "".join(ch for ch in (raw or "") if 32 < ord(ch) < 127 or ch == " ").strip()
    return value[:255] or "application/octet-stream"


def parse_meta(raw: str | dict[str, Any] | None) -> dict[str, Any]:
    """`meta`: a JSON object of at most 8 KiB (e.g. {"plan_id": ...}); 422 naming `meta` otherwise."""
    if raw is None or raw == "":
        return {}
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise ValidationFailed("meta must be a JSON object", fields={"meta": "not JSON"}) from None
    if not isinstance(value, dict):
        raise ValidationFailed("meta must be a JSON object", fields={"meta": "not an object"})
    if len(json.dumps(value)) > MAX_META_BYTES:
        raise ValidationFailed(f"meta is over {MAX_META_BYTES} bytes", fields={"meta": "too long"})
    return value


def check_length(length: int, *, field: str = "Upload-Length") -> None:
    limit = get_settings().max_upload_bytes
    if length < 0:
        raise ValidationFailed(f"{field} must be 0 or more", fields={field: "negative"})
    if length > limit:
        raise TooLarge(f"{field} {length} is over the limit of {limit} bytes", fields={field: "too large"})
