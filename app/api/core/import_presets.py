"""Saved column mappings of the import pipeline (`/api/v1/import-presets`): list them (all the
caller may import into, or one target's) and delete one. A preset is saved with a mapping
(`POST /api/v1/uploads/{id}/map?preset=NAME`) and applied when a file's header matches it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from app.api.deps import current_context
from engine.context import TenantContext
from engine.inputs import PlainText
from engine.jsonable import format_instant
from models.imports import actions, queries
from models.imports.views import PresetView

router = APIRouter(prefix="/api/v1/import-presets", tags=["imports"])


class PresetPublic(BaseModel):
    id: str
    target: str
    name: str
    mapping: dict[str, str]
    updated_at: str

    @classmethod
    def of(cls, view: PresetView) -> PresetPublic:
        return cls(
            id=str(view.id),
            target=view.target,
            name=view.name,
            mapping=view.mapping,
            updated_at=format_instant(view.updated_at),
        )


class PresetList(BaseModel):
    items: list[PresetPublic]


@router.get("")
def list_presets(
    target: PlainText | None = Query(None, max_length=100, description="one import target, e.g. margin.sales"),
    ctx: TenantContext = Depends(current_context),
) -> PresetList:
    return PresetList(items=[PresetPublic.of(p) for p in queries.presets(ctx, target)])


@router.delete("/{preset_id}", status_code=204, response_class=Response)
def delete_preset(preset_id: uuid.UUID, ctx: TenantContext = Depends(current_context)) -> Response:
    actions.delete_preset(ctx, preset_id)
    return Response(status_code=204)
