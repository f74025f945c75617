"""The import pipeline over REST, on an upload (`/api/v1/uploads/{id}/...`): the preview, the
column suggestions, the mapping (spec §15.4: `{target_field: source_column}`), the import (202 with
its job) and the validation report (JSON pages or formula-safe CSV). Another tenant's upload is a
404; a role without the target's permission gets 403."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StrictBool

from app.api.deps import Cursor, Limit, current_context
from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.inputs import PlainText
from engine.jsonable import format_instant
from engine.text import control_error
from models.imports import actions, queries
from models.imports.views import ImportView

router = APIRouter(prefix="/api/v1/uploads", tags=["imports"])
CSV = {200: {"description": "the validation report as CSV", "content": {"text/csv": {}}}}
MAX_MAPPED = 200
Sheet = Query(None, max_length=255, description="a workbook's sheet (default: the one mapped, else the first)")


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    valid_rows_only: StrictBool = False


def import_body(view: ImportView | None) -> dict[str, Any] | None:
    """The import section of an upload: status, counts, the report's summary, the job."""
    if view is None:
        return None
    return {
        "id": str(view.id),
        "target": view.target,
        "status": view.status,
        "mapping": view.mapping,
        "sheet": view.sheet,
        "valid_rows_only": view.valid_rows_only,
        "counts": view.counts,
        "merge": view.merge_extra,
        "report": {
            "issues": view.counts["issues_total"],
            "rows_invalid": view.counts["rows_invalid"],
            "by_column": view.issue_columns,
        },
        "sha256": view.sha256,
        "job_id": str(view.job_id) if view.job_id else None,
        "error": view.error,
        "imported_at": format_instant(view.imported_at) if view.imported_at else None,
    }


def _mapping(body: dict[str, Any]) -> dict[str, str]:
    """The §15.4 body: every key a target field, every value a source column (422 naming the field)."""
    if len(body) > MAX_MAPPED:
        raise ValidationFailed(f"at most {MAX_MAPPED} fields can be mapped", fields={"body": "too many fields"})
    problems = {}
    for name, column in body.items():
        if not isinstance(column, str) or not column.strip():
            problems[str(name)[:100]] = "give the source column's header as text"
        elif control_error(column) or control_error(name) or len(column) > 1000:
            problems[str(name)[:100]] = "not a column header"
    if problems:
        raise ValidationFailed("the mapping is not {target_field: source_column}", fields=problems)
    return {name: column.strip() for name, column in body.items()}


@router.get("/{upload_id}/preview")
def upload_preview(
    upload_id: uuid.UUID, sheet: PlainText | None = Sheet, ctx: TenantContext = Depends(current_context)
) -> dict:
    view = queries.preview(ctx, upload_id, sheet)
    return {
        "upload_id": str(view.upload_id),
        "target": view.target,
        "sheets": list(view.sheets),
        "sheet": view.sheet or None,
        "columns": [asdict(c) for c in view.columns],
        "rows": [{"line": line, "cells": list(cells)} for line, cells in zip(view.lines, view.rows, strict=True)],
    }


@router.get("/{upload_id}/suggestions")
def upload_suggestions(
    upload_id: uuid.UUID, sheet: PlainText | None = Sheet, ctx: TenantContext = Depends(current_context)
) -> dict:
    view = queries.suggestions(ctx, upload_id, sheet)
    return {
        "upload_id": str(view.upload_id),
        "target": view.target,
        "header": list(view.header),
        "fields": list(view.fields),
        "preset": view.preset,
        "suggestions": list(view.suggestions),
    }


@router.post("/{upload_id}/map")
def map_upload(
    upload_id: uuid.UUID,
    body: dict[str, Any] = Body(..., examples=[{"dealer": "Customer", "sku": "Item code"}]),
    preset: PlainText | None = Query(None, max_length=100, description="also save the mapping as this preset"),
    sheet: PlainText | None = Sheet,
    ctx: TenantContext = Depends(current_context),
) -> dict:
    """Record the mapping and start validating in a worker; the report follows on GET .../report."""
    return import_body(actions.map_upload(ctx, upload_id, _mapping(body), preset=preset, sheet=sheet)) or {}


@router.post("/{upload_id}/import", status_code=202, responses={202: {"description": "the import job is queued"}})
def import_upload(
    upload_id: uuid.UUID, body: ImportRequest | None = None, ctx: TenantContext = Depends(current_context)
) -> JSONResponse:
    view = actions.start_import(ctx, upload_id, valid_rows_only=bool(body and body.valid_rows_only))
    return JSONResponse(status_code=202, content={"job_id": str(view.job_id), "import": import_body(view)})


@router.get("/{upload_id}/report")
def upload_report(
    upload_id: uuid.UUID, limit: Limit = 50, cursor: Cursor = None, ctx: TenantContext = Depends(current_context)
) -> dict:
    view, page = queries.report_page(ctx, upload_id, limit=limit, cursor=cursor)
    return {
        "import": import_body(view),
        "items": [asdict(i) for i in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/{upload_id}/report.csv", response_class=Response, responses=CSV)
def upload_report_csv(upload_id: uuid.UUID, ctx: TenantContext = Depends(current_context)) -> Response:
    return Response(
        content=queries.report_csv(ctx, upload_id),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="import-report-{upload_id}.csv"',
            "X-Content-Type-Options": "nosniff",
        },
    )
