"""Keyset pagination shared by every list: `?limit&cursor`, stable under concurrent inserts."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import tuple_
from sqlmodel import Session

from engine.errors import ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", fields={"limit": "out of range"})
    return limit


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except Exception as exc:
        raise ValidationFailed("cursor is not valid", fields={"cursor": "invalid"}) from exc
    if not isinstance(values, list) or len(values) != arity:
        raise ValidationFailed("cursor is not valid", fields={"cursor": "invalid"})
    return values


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
        except (TypeError, ValueError) as exc:
            raise ValidationFailed("cursor is not valid", fields={"cursor": "invalid"}) from exc
        pair, last = tuple_(sort_col, id_col), (value, last_id)
        query = query.where(pair < last if descending else pair > last)
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
    """The sort value of a cursor written from a timestamp column."""
    return datetime.fromisoformat(str(value))
