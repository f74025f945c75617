"""The job path's truth: a job row and one row per item, leased by workers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, Index, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from engine.jobs import ITEM_STATUSES, JOB_MACHINE
from models.core.base import id_field, json_field, sql_in, tenant_field, ts_field

JOB_STATUSES = JOB_MACHINE.statuses


class Job(SQLModel, table=True):
    __tablename__: ClassVar[str] = "jobs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_jobs_tenant_id_id"),
        CheckConstraint(sql_in("status", JOB_STATUSES), name="ck_jobs_status"),
        Index("ix_jobs_tenant_status", "tenant_id", "status"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    kind: str = Field(max_length=60)
    status: str = Field(default="queued", max_length=20)
    params: dict[str, Any] = json_field({})
    total_items: int = 0
    cancel_requested: bool = False
    created_by: str = Field(default="system", max_length=64)
    created_at: datetime = ts_field()
    started_at: datetime | None = ts_field(nullable=True, default_now=False)
    finished_at: datetime | None = ts_field(nullable=True, default_now=False)
    error: str | None = Field(default=None, max_length=4000)


class JobItem(SQLModel, table=True):
    __tablename__: ClassVar[str] = "job_items"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "job_id"], ["jobs.tenant_id", "jobs.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "idempotency_key", name="uq_job_items_idempotency"),
        UniqueConstraint("tenant_id", "job_id", "seq", name="uq_job_items_job_seq"),
        CheckConstraint(sql_in("status", ITEM_STATUSES), name="ck_job_items_status"),
        Index("ix_job_items_claim", "job_id", "status", "seq"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    job_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), nullable=False))
    seq: int
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_expires_at: datetime | None = ts_field(nullable=True, default_now=False)
    idempotency_key: str = Field(max_length=200)
    payload: dict[str, Any] = json_field({})
    result: dict[str, Any] | None = json_field()
    error: str | None = Field(default=None, max_length=4000)
    finished_at: datetime | None = ts_field(nullable=True, default_now=False)
