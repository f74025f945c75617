"""`GET /api/search?q=&types=&limit=`: the one search across modules (models/core/search.py), in
the caller's tenant, with only the groups the caller's role may read."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from app.api.deps import current_context
from engine.context import TenantContext
from engine.inputs import PlainText, query_int
from models.core import search as core_search

router = APIRouter(prefix="/api", tags=["search"])


class SearchHitOut(BaseModel):
    type: str
    id: str
    title: str
    subtitle: str
    url: str  # the page that shows it
    rank: int  # 0 exact code, 1 code prefix, 2 title prefix, 3 contains


class SearchGroupOut(BaseModel):
    type: str
    label: str
    hits: list[SearchHitOut]


class SearchOut(BaseModel):
    q: str
    groups: list[SearchGroupOut]  # one per type the role may read (of `types`), in a fixed order


@router.get("/search", response_model=SearchOut)
def search(
    q: Annotated[PlainText, Query(min_length=1, max_length=100, description="words to look for")],
    types: Annotated[
        PlainText | None, Query(max_length=300, description="comma-separated group types (default: all)")
    ] = None,
    limit: query_int(1, core_search.MAX_PER_GROUP) = core_search.DEFAULT_PER_GROUP,
    ctx: TenantContext = Depends(current_context),
) -> dict:
    wanted = [t.strip() for t in (types or "").split(",") if t.strip()] or None
    return asdict(core_search.search(ctx, q, types=wanted, per_group=limit))
