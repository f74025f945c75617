"""Query parameters of the catalog routes: the shared page and search types (app/api/deps.py),
filters that accept only declared values, and bounded version numbers."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from app.api.deps import Cursor, InstantParam, Limit, SearchText
from engine.catalog.machines import ORG_STATUS
from engine.inputs import INT32_MAX, query_int

__all__ = ["Cursor", "InstantParam", "Limit", "OrgStatus", "SearchText", "VersionNumber"]

OrgStatus = Literal[tuple(sorted(ORG_STATUS.states))]  # type: ignore[valid-type]
VersionNumber = Annotated[query_int(1, INT32_MAX) | None, Query()]
