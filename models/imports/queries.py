"""What pages, routes and the CLI read about an upload's import: preview, suggestions, status,
report. Each takes `ctx` and opens its own tenant transaction. The upload is read through the
uploads module (another tenant's id: 404; without the target's permission: 403)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.csv_safety import to_csv
from engine.errors import Conflict, ValidationFailed
from engine.imports import registry
from engine.imports.reader import ReadError
from engine.imports.suggest import suggest
from engine.imports.targets import ImportTarget
from models.core.db import tenant_session
from models.core.pagination import Page
from models.imports import imports, pipeline
from models.imports.loaders import resolve_target
from models.imports.tables import ImportIssue
from models.imports.views import ColumnView, ImportView, IssueView, PresetView, PreviewView, SuggestionsView
from models.uploads.queries import UploadView, get_upload, local_copy


@dataclass(frozen=True)
class Source:
    upload: UploadView
    target: ImportTarget


def source(ctx: TenantContext, upload_id: uuid.UUID | str) -> Source:
    """The upload and the target it was sent for (409 when it is not for an import)."""
    upload = get_upload(ctx, upload_id)
    target = registry.targets().get(upload.purpose)
    if target is None:
        raise Conflict(f"this upload is for {upload.purpose!r}, not an import", fields={"upload_id": "not importable"})
    ctx.require(target.permission)
    return Source(upload, resolve_target(ctx, target, upload.meta))


def read_error(error: ReadError) -> ValidationFailed:
    """A file the reader refuses, as a 422 naming the file (and the line and column it found)."""
    fields = {error.field: error.message}
    if error.line is not None:
        fields["line"] = str(error.line)
    if error.column is not None:
        fields["column"] = error.column
    return ValidationFailed(error.message, fields=fields)


@contextmanager
def analysed(
    ctx: TenantContext, upload_id: uuid.UUID | str, sheet: str | None = None
) -> Iterator[tuple[Source, pipeline.Analysis]]:
    """The file's header and preview; `sheet` picks a workbook's sheet (None: the one chosen at
    mapping, else the first)."""
    found = source(ctx, upload_id)
    if sheet is None:
        with tenant_session(ctx) as session:
            row = imports.for_upload(session, ctx, found.upload.id)
            sheet = (row.columns or {}).get("sheet") if row else None
    with local_copy(ctx, found.upload.id) as path:
        try:
            analysis = pipeline.analyse(path, sheet)
        except ReadError as error:
            raise read_error(error) from None
    yield found, analysis


def _preview_view(found: Source, analysis: pipeline.Analysis) -> PreviewView:
    columns = tuple(ColumnView(c.name, c.kind, c.warnings, c.samples) for c in analysis.preview.columns)
    shown = analysis.preview
    return PreviewView(
        found.upload.id, found.target.name, columns, shown.rows, shown.lines, analysis.sheets, analysis.sheet
    )


def _suggestions_view(ctx: TenantContext, found: Source, analysis: pipeline.Analysis) -> SuggestionsView:
    """The preset whose header matches (applied as is), else the suggester's best guess per field."""
    target = found.target
    with tenant_session(ctx) as session:
        preset = imports.preset_for_header(session, ctx, target.presets_under, analysis.signature)
        mapping = dict(preset.mapping) if preset else None
        preset_name = preset.name if preset else None
    if mapping is not None:
        shown = tuple(
            {"target": f.name, "column": mapping[f.name], "score": 1.0}
            for f in target.fields
            if mapping.get(f.name) in analysis.header
        )
    else:
        shown = tuple(s.as_dict() for s in suggest(target, analysis.header, analysis.preview.columns))
    fields = tuple({"name": f.name, "label": f.label, "kind": f.kind, "required": f.required} for f in target.fields)
    return SuggestionsView(found.upload.id, target.name, analysis.header, shown, preset_name, fields)


def preview(ctx: TenantContext, upload_id: uuid.UUID | str, sheet: str | None = None) -> PreviewView:
    with analysed(ctx, upload_id, sheet) as (found, analysis):
        return _preview_view(found, analysis)


def suggestions(ctx: TenantContext, upload_id: uuid.UUID | str, sheet: str | None = None) -> SuggestionsView:
    with analysed(ctx, upload_id, sheet) as (found, analysis):
        return _suggestions_view(ctx, found, analysis)


def mapping_screen(
    ctx: TenantContext, upload_id: uuid.UUID | str, sheet: str | None = None
) -> tuple[SuggestionsView, PreviewView]:
    """Both, from one read of the file (the mapping page)."""
    with analysed(ctx, upload_id, sheet) as (found, analysis):
        return _suggestions_view(ctx, found, analysis), _preview_view(found, analysis)


def _issue_columns(session: Session, ctx: TenantContext, import_id: uuid.UUID) -> dict[str, int]:
    query = (
        select(ImportIssue.column, func.count())
        .where(ImportIssue.tenant_id == ctx.tenant_id, ImportIssue.import_id == import_id)
        .group_by(col(ImportIssue.column))
    )
    return {column: int(count) for column, count in session.exec(query).all()}


def import_status(ctx: TenantContext, upload_id: uuid.UUID | str) -> ImportView | None:
    """The upload's import (None before its first mapping)."""
    found = source(ctx, upload_id)
    with tenant_session(ctx) as session:
        row = imports.for_upload(session, ctx, found.upload.id)
        return ImportView.of(row, _issue_columns(session, ctx, row.id)) if row else None


def report_page(
    ctx: TenantContext, upload_id: uuid.UUID | str, *, limit: int | None = None, cursor: str | None = None
) -> tuple[ImportView | None, Page[IssueView]]:
    found = source(ctx, upload_id)
    with tenant_session(ctx) as session:
        row = imports.for_upload(session, ctx, found.upload.id)
        if row is None:
            return None, Page(items=[], next_cursor=None)
        page = imports.issue_page(session, ctx, row.id, limit=limit, cursor=cursor)
        view = ImportView.of(row, _issue_columns(session, ctx, row.id))
        return view, Page(items=[IssueView.of(i) for i in page.items], next_cursor=page.next_cursor)


REPORT_HEADER = ("row", "column", "value", "problem", "how to fix")


def report_csv(ctx: TenantContext, upload_id: uuid.UUID | str) -> str:
    """The whole stored report as CSV; every text cell neutralised (engine/csv_safety.py)."""
    found = source(ctx, upload_id)
    with tenant_session(ctx) as session:
        row = imports.for_upload(session, ctx, found.upload.id)
        issues = imports.all_issues(session, ctx, row.id) if row else []
        return to_csv(REPORT_HEADER, ((i.row, i.column, i.value, i.message, i.hint) for i in issues))


def presets(ctx: TenantContext, target_name: str | None = None) -> list[PresetView]:
    """The saved presets of one target, or (None) of every target the caller may import into."""
    if target_name is not None:
        target = registry.target(target_name)
        ctx.require(target.permission)
        names = [target.name]
    else:
        names = [t.name for t in registry.targets().values() if ctx.can(t.permission)]
    with tenant_session(ctx) as session:
        return [PresetView.of(p) for p in imports.presets_for(session, ctx, names)]
