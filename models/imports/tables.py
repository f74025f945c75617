"""The import of one stored upload (`imports`, 1:1 with the upload), its report (`import_issues`)
and the tenant's saved mappings (`import_presets`). Forced RLS (migration 0013).

`status` changes only through the decision path (engine/imports/machine.py). `sha256` is the
file's hash when it was imported: an imported upload is never imported again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, CheckConstraint, Column, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from engine.imports.machine import IMPORT_MACHINE
from models.core.base import id_field, json_field, ref_field, sql_in, tenant_field, tenant_fk, tenant_key, ts_field


def _count() -> Any:
    return Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


class Import(SQLModel, table=True):
    __tablename__: ClassVar[str] = "imports"
    __table_args__ = (
        tenant_key("imports"),
        tenant_fk(["upload_id"], "uploads"),  # the upload of the same tenant, never another's
        UniqueConstraint("tenant_id", "upload_id", name="uq_imports_tenant_id_upload_id"),
        CheckConstraint(sql_in("status", IMPORT_MACHINE.statuses), name="ck_imports_status"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    upload_id: uuid.UUID = ref_field("upload_id")
    target: str = Field(sa_column=Column(String(100), nullable=False))
    status: str = Field(default=IMPORT_MACHINE.initial, sa_column=Column(String(20), nullable=False))
    mapping: dict[str, Any] = json_field({})  # {target_field: source_column}
    columns: dict[str, Any] = json_field({})  # {"header": [...], "kinds": {...}, "delimiter": ","}
    header_signature: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    valid_rows_only: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="false"))
    rows_total: int = _count()
    rows_valid: int = _count()
    rows_invalid: int = _count()
    issues_total: int = _count()
    inserted: int = _count()
    updated: int = _count()
    skipped: int = _count()
    merge_extra: dict[str, Any] = json_field({})
    sha256: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    job_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True), nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True), nullable=True))
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
    imported_at: datetime | None = ts_field(nullable=True, default_now=False)


class ImportIssue(SQLModel, table=True):
    __tablename__: ClassVar[str] = "import_issues"
    __table_args__ = (
        tenant_fk(["import_id"], "imports"),
        Index("ix_import_issues_import_seq", "import_id", "seq"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    import_id: uuid.UUID = ref_field("import_id")
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    row: int = Field(sa_column=Column(Integer, nullable=False))
    column: str = Field(sa_column=Column(Text, nullable=False))
    value: str = Field(sa_column=Column(Text, nullable=False))
    message: str = Field(sa_column=Column(Text, nullable=False))
    hint: str = Field(default="", sa_column=Column(Text, nullable=False))


class ImportPreset(SQLModel, table=True):
    __tablename__: ClassVar[str] = "import_presets"
    __table_args__ = (
        tenant_key("import_presets"),
        UniqueConstraint("tenant_id", "target", "name", name="uq_import_presets_tenant_id_target_name"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    target: str = Field(sa_column=Column(String(100), nullable=False))
    name: str = Field(sa_column=Column(String(100), nullable=False))
    mapping: dict[str, Any] = json_field({})
    header_signature: str = Field(sa_column=Column(Text, nullable=False))
    created_by: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True), nullable=True))
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
