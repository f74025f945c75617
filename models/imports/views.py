"""Read models of an import, shared by queries and actions (frozen: pages and routes shape them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.imports.tables import Import, ImportIssue, ImportPreset


@dataclass(frozen=True)
class ImportView:
    id: uuid.UUID
    upload_id: uuid.UUID
    target: str
    status: str
    mapping: dict[str, str]
    valid_rows_only: bool
    counts: dict[str, int]
    merge_extra: dict[str, int]
    sha256: str | None
    job_id: uuid.UUID | None
    error: str | None
    imported_at: datetime | None
    updated_at: datetime
    issue_columns: dict[str, int] = field(default_factory=dict)  # the report's summary: issues per column
    sheet: str | None = None  # a workbook's sheet the mapping is for

    @classmethod
    def of(cls, row: Import, issue_columns: dict[str, int] | None = None) -> ImportView:
        counts = {
            "rows_total": row.rows_total,
            "rows_valid": row.rows_valid,
            "rows_invalid": row.rows_invalid,
            "issues_total": row.issues_total,
            "inserted": row.inserted,
            "updated": row.updated,
            "skipped": row.skipped,
        }
        return cls(
            id=row.id,
            upload_id=row.upload_id,
            target=row.target,
            status=row.status,
            mapping=dict(row.mapping or {}),
            valid_rows_only=row.valid_rows_only,
            counts=counts,
            merge_extra=dict(row.merge_extra or {}),
            sha256=row.sha256,
            job_id=row.job_id,
            error=row.error,
            imported_at=row.imported_at,
            updated_at=row.updated_at,
            issue_columns=dict(issue_columns or {}),
            sheet=(row.columns or {}).get("sheet"),
        )


@dataclass(frozen=True)
class IssueView:
    seq: int
    row: int
    column: str
    value: str
    message: str
    hint: str

    @classmethod
    def of(cls, row: ImportIssue) -> IssueView:
        return cls(row.seq, row.row, row.column, row.value, row.message, row.hint)


@dataclass(frozen=True)
class ColumnView:
    name: str
    kind: str
    warnings: tuple[str, ...]
    samples: tuple[str, ...]


@dataclass(frozen=True)
class PreviewView:
    upload_id: uuid.UUID
    target: str
    columns: tuple[ColumnView, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]
    sheets: tuple[str, ...] = ()  # a workbook's sheets (empty for a CSV)
    sheet: str = ""  # the sheet shown


@dataclass(frozen=True)
class SuggestionsView:
    upload_id: uuid.UUID
    target: str
    header: tuple[str, ...]
    suggestions: tuple[dict[str, Any], ...]  # {"target", "column", "score"}
    preset: str | None  # the preset whose header matched (its mapping is the suggestion, score 1)
    fields: tuple[dict[str, Any], ...]  # the target's fields: name, label, kind, required


@dataclass(frozen=True)
class PresetView:
    id: uuid.UUID
    target: str
    name: str
    mapping: dict[str, str]
    updated_at: datetime

    @classmethod
    def of(cls, row: ImportPreset) -> PresetView:
        return cls(row.id, row.target, row.name, dict(row.mapping), row.updated_at)
