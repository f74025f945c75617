"""Shared repository helpers: tenant-scoped lookups, keyset pages, integrity errors as conflicts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import tuple_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from models import mutations
from models.pagination import Page, clamp_limit, decode_cursor, encode_cursor

T = TypeVar("T", bound=SQLModel)


def get_in_tenant(session: Session, ctx: TenantContext, model: type[T], row_id: Any, label: str) -> T:
    """The row of this tenant with this id, or NotFound (rows of other tenants look absent)."""
    try:
        key = row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(str(row_id))
    except ValueError:
        raise NotFound(f"{label} not found")
    row = session.exec(select(model).where(model.tenant_id == ctx.tenant_id, model.id == key)).first()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(f"{label} not found")
    return row


def reference(session: Session, ctx: TenantContext, model: type[T], row_id: Any, field: str, label: str) -> T:
    """A row named in a request body: absent → 422 naming the field."""
    try:
        return get_in_tenant(session, ctx, model, row_id, label)
    except NotFound:
        raise ValidationFailed(f"{field}: no {label} {row_id} in this tenant", fields={field: "not found"})


def create(
    session: Session, ctx: TenantContext, row: T, *, action: str, unique_field: str = "code", message: str | None = None
) -> T:
    """Audited insert; a unique-key violation surfaces as 409 naming the field instead of a 500."""
    try:
        with session.begin_nested():
            return mutations.create(session, ctx, row, action=action)
    except IntegrityError:
        raise Conflict(message or f"this {unique_field} is already taken", fields={unique_field: "taken"})


def exists(session: Session, query: Any) -> bool:
    return session.exec(query.limit(1)).first() is not None


def keyset_page(
    session: Session,
    query: Any,
    sort_col: Any,
    id_col: Any,
    *,
    limit: int | None,
    cursor: str | None,
    descending: bool = False,
    parse: Callable[[Any], Any] = lambda v: v,
) -> Page[Any]:
    """Order by (sort_col, id); the cursor holds the last row's pair."""
    size = clamp_limit(limit)
    after = decode_cursor(cursor, 2)
    if after:
        try:
            value, last_id = parse(after[0]), uuid.UUID(str(after[1]))
        except (TypeError, ValueError):
            raise ValidationFailed("cursor is not valid", fields={"cursor": "invalid"})
        pair = tuple_(sort_col, id_col)
        query = query.where(pair < tuple_(value, last_id) if descending else pair > tuple_(value, last_id))
    order = (sort_col.desc(), id_col.desc()) if descending else (sort_col, id_col)
    rows = list(session.exec(query.order_by(*order).limit(size + 1)).all())
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        value = getattr(last, sort_col.key)
        next_cursor = encode_cursor([value.isoformat() if isinstance(value, datetime) else value, str(last.id)])
    return Page(items=rows, next_cursor=next_cursor)


def parse_instant(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))
