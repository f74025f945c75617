"""The uploads table: one row per file a person sends, whatever it is for (`purpose`).

The bytes live in the storage adapter (models/uploads/storage.py) under `storage_key`, named by
tenant and upload id, never by the user's filename. `status` changes only through the decision path
(engine/uploads/machine.py). Forced RLS (migration 0010).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, CheckConstraint, Column, String, Text
from sqlmodel import Field, SQLModel

from engine.uploads.machine import UPLOAD_MACHINE
from models.core.base import id_field, json_field, sql_in, tenant_field, tenant_key, ts_field


class Upload(SQLModel, table=True):
    __tablename__: ClassVar[str] = "uploads"
    __table_args__ = (
        tenant_key("uploads"),
        CheckConstraint(sql_in("status", UPLOAD_MACHINE.statuses), name="ck_uploads_status"),
        CheckConstraint("size_received >= 0", name="ck_uploads_size_received"),
        CheckConstraint("size_expected is null or size_expected >= 0", name="ck_uploads_size_expected"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    purpose: str = Field(sa_column=Column(String(100), nullable=False))
    meta: dict[str, Any] = json_field({})
    filename: str = Field(sa_column=Column(String(255), nullable=False))
    content_type: str = Field(sa_column=Column(String(255), nullable=False))
    size_expected: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    size_received: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    sha256: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    storage_key: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="receiving", sa_column=Column(String(20), nullable=False))
    created_by: uuid.UUID | None = Field(default=None, nullable=True)
    created_at: datetime = ts_field()
    stored_at: datetime | None = ts_field(nullable=True, default_now=False)
