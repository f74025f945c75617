"""What every margin route module shares: the page query parameters (the shared ones of
app/api/deps.py) and the row serializer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from app.api.deps import Cursor, Limit, SearchText
from engine.jsonable import to_jsonable

__all__ = ["Cursor", "Limit", "SearchText", "row_view"]


def row_view(row: BaseModel, **extra: Any) -> dict[str, Any]:
    data = to_jsonable(row.model_dump())
    data.pop("tenant_id", None)
    return {**data, **to_jsonable(extra)}
