"""Helpers the catalog's repositories share: literal text search and the audit action of an edit
that flips `is_active`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, or_

from models.core.text_search import like_pattern


def matching(query: Any, q: str | None, *columns: Any) -> Any:
    """Rows where any of `columns` contains `q` literally, case-folded (`%` and `_` are text, not
    wildcards, as in margin's search)."""
    if not q or not q.strip():
        return query
    pattern = like_pattern(q)
    return query.where(or_(*(func.lower(c).like(pattern) for c in columns)))


def active_action(entity: str, row: Any, data: BaseModel) -> str:
    """`<entity>.deactivate` / `.reactivate` when the edit flips is_active (the event still carries
    every changed key's before/after), else `<entity>.update`."""
    active = getattr(data, "is_active", None)
    if active is not None and active != row.is_active:
        return f"{entity}.{'reactivate' if active else 'deactivate'}"
    return f"{entity}.update"
