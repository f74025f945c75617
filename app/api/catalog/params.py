"""Query parameters every catalog list shares: `?limit&cursor` (keyset pages)."""

from __future__ import annotations

from fastapi import Query

from models.core.pagination import MAX_LIMIT

Limit = Query(50, ge=1, le=MAX_LIMIT)
Cursor = Query(None, max_length=500)
