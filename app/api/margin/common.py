"""What every margin route module shares: the page query parameters and the row serializer."""

from __future__ import annotations

from typing import Any

from fastapi import Query
from pydantic import BaseModel

from engine.jsonable import to_jsonable
from models.core.pagination import MAX_LIMIT

Limit = Query(50, ge=1, le=MAX_LIMIT)
Cursor = Query(None, max_length=500)


def row_view(row: BaseModel, **extra: Any) -> dict[str, Any]:
    data = to_jsonable(row.model_dump())
    data.pop("tenant_id", None)
    return {**data, **to_jsonable(extra)}
