"""Shared repository helpers: tenant-scoped lookups, keyset pages, integrity errors as conflicts."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from models.core import mutations

T = TypeVar("T", bound=SQLModel)


def get_in_tenant(session: Session, ctx: TenantContext, model: type[T], row_id: Any, label: str) -> T:
    """The row of this tenant with this id, or NotFound (rows of other tenants look absent)."""
    try:
        key = row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(str(row_id))
    except ValueError as exc:
        raise NotFound(f"{label} not found") from exc
    row = session.exec(select(model).where(model.tenant_id == ctx.tenant_id, model.id == key)).first()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(f"{label} not found")
    return row


def reference(session: Session, ctx: TenantContext, model: type[T], row_id: Any, field: str, label: str) -> T:
    """A row named in a request body: absent → 422 naming the field."""
    try:
        return get_in_tenant(session, ctx, model, row_id, label)
    except NotFound as exc:
        raise ValidationFailed(f"{field}: no {label} {row_id} in this tenant", fields={field: "not found"}) from exc


def create(
    session: Session, ctx: TenantContext, row: T, *, action: str, unique_field: str = "code", message: str | None = None
) -> T:
    """Audited insert; a unique-key violation surfaces as 409 naming the field instead of a 500."""
    try:
        with session.begin_nested():
            return mutations.create(session, ctx, row, action=action)
    except IntegrityError as exc:
        raise Conflict(message or f"this {unique_field} is already taken", fields={unique_field: "taken"}) from exc


def exists(session: Session, query: Any) -> bool:
    return session.exec(query.limit(1)).first() is not None


def update(
    session: Session,
    ctx: TenantContext,
    row: T,
    data: BaseModel,
    *,
    action: str,
    required: tuple[str, ...] = ("code", "name"),
    unique_field: str = "code",
    extra: dict[str, Any] | None = None,
) -> T:
    """Audited edit of the keys the input set (PATCH semantics); unchanged values are skipped, so a
    no-op writes nothing. Null on a required column → 422; a unique-key clash → 409 naming the field."""
    changes = {**data.model_dump(exclude_unset=True), **(extra or {})}
    empty = {k: "cannot be empty" for k in required if k in changes and changes[k] is None}
    if empty:
        raise ValidationFailed(f"{', '.join(empty)} cannot be empty", fields=empty)
    changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
    if not changes:
        return row
    try:
        with session.begin_nested():
            return mutations.update(session, ctx, row, changes, action=action)
    except IntegrityError as exc:
        raise Conflict(f"this {unique_field} is already taken", fields={unique_field: "taken"}) from exc
