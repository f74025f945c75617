"""Bulk enforcement tables: batches, their append-only log, and the notices outbox.

Items are split in two on purpose. `margin_enforcement_items` is the approved plan, written once
when the batch is created (draft) and never updated: dealer, alerts with their "before" figures
(floor, latest price, impact), status before/after, expected recoverable margin, the follow-up task.
Execution state and the result json live in the `job_items` of the batch's job (created at start,
same idempotency key as the item): the job path is where exactly-once lives (lease + done mark in
the item's transaction), and a draft batch must not own a job the workers would pick up. The
append-only log keeps every item outcome as history.

Every table carries tenant_id (forced RLS, migration 0004), a (tenant_id, id) key and composite
foreign keys including tenant_id. Logs and notices are append-only for the app role; a batch's
status changes only through the decision path (BATCH_MACHINE; history in decision_events).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, Column, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from engine.margin.enforcement import ACTIONS
from engine.margin.machines import BATCH_MACHINE
from models.core.base import MONEY, id_field, json_field, ref_field, sql_in, tenant_field, tenant_fk, ts_field

LOG_LEVELS = ("info", "warning", "error")


class EnforcementBatch(SQLModel, table=True):
    __tablename__: ClassVar[str] = "margin_enforcement_batches"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_margin_enforcement_batches_tenant_id_id"),
        tenant_fk(["job_id"], "jobs"),
        CheckConstraint(sql_in("action", sorted(ACTIONS)), name="ck_margin_enforcement_batches_action"),
        CheckConstraint(sql_in("status", sorted(BATCH_MACHINE.states)), name="ck_margin_enforcement_batches_status"),
        Index("ix_margin_enforcement_batches_created", "tenant_id", "created_at", "id"),
        Index("ix_margin_enforcement_batches_status", "tenant_id", "status"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    name: str = Field(default="", max_length=200)
    action: str = Field(max_length=40)
    filters: dict[str, Any] = json_field({})
    status: str = Field(default="draft", max_length=20)
    job_id: uuid.UUID | None = ref_field("job_id", nullable=True)
    created_by: str = Field(default="system", max_length=64)
    item_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    alert_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    skipped_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    expected_recoverable: Decimal = Field(default=Decimal(0), sa_column=Column(MONEY, nullable=False))
    # the preview's skipped alerts and reasons, frozen at creation (the plan that was approved)
    skipped: list[dict[str, Any]] = json_field([])
    created_at: datetime = ts_field()
    started_at: datetime | None = ts_field(nullable=True, default_now=False)
    finished_at: datetime | None = ts_field(nullable=True, default_now=False)


class EnforcementItem(SQLModel, table=True):
    """One planned notice (one per dealer), insert-only; its run is the job item with `item_key`."""

    __tablename__: ClassVar[str] = "margin_enforcement_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_margin_enforcement_items_tenant_id_id"),
        UniqueConstraint("tenant_id", "item_key", name="uq_margin_enforcement_items_key"),
        UniqueConstraint("tenant_id", "batch_id", "seq", name="uq_margin_enforcement_items_seq"),
        tenant_fk(["batch_id"], "margin_enforcement_batches"),
        tenant_fk(["dealer_id"], "organizations"),
        Index("ix_margin_enforcement_items_dealer", "tenant_id", "dealer_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    batch_id: uuid.UUID = ref_field("batch_id")
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    dealer_id: uuid.UUID = ref_field("dealer_id")
    item_key: str = Field(max_length=200)
    # [{alert_id, sku_id, rule, floor, price_before, impact}] at creation
    alerts: list[dict[str, Any]] = json_field([])
    status_before: str = Field(max_length=20)
    status_after: str = Field(max_length=20)
    dealer_action: str | None = Field(default=None, max_length=40)
    recoverable: Decimal = Field(default=Decimal(0), sa_column=Column(MONEY, nullable=False))
    task_title: str = Field(max_length=200)
    task_due_days: int = Field(default=7, sa_column=Column(Integer, nullable=False))
    created_at: datetime = ts_field()


class EnforcementLog(SQLModel, table=True):
    """Append-only history of a batch: creation, start, every item outcome, the end."""

    __tablename__: ClassVar[str] = "margin_enforcement_logs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_margin_enforcement_logs_tenant_id_id"),
        tenant_fk(["batch_id"], "margin_enforcement_batches"),
        tenant_fk(["dealer_id"], "organizations"),
        CheckConstraint(sql_in("level", LOG_LEVELS), name="ck_margin_enforcement_logs_level"),
        Index("ix_margin_enforcement_logs_batch", "tenant_id", "batch_id", "created_at", "id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    batch_id: uuid.UUID = ref_field("batch_id")
    dealer_id: uuid.UUID | None = ref_field("dealer_id", nullable=True)
    item_key: str | None = Field(default=None, max_length=200)
    level: str = Field(default="info", max_length=10)
    event: str = Field(max_length=40)
    message: str = Field(max_length=2000)
    data: dict[str, Any] = json_field({})
    created_at: datetime = ts_field()


class EnforcementNotice(SQLModel, table=True):
    """The notices outbox (the sent-notices list). The unique (tenant, idempotency_key) is the
    guarantee that a notice is never recorded twice; a delivery adapter (webhook, e-mail) reads
    it later and records deliveries elsewhere (append-only here)."""

    __tablename__: ClassVar[str] = "margin_enforcement_notices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_margin_enforcement_notices_tenant_id_id"),
        UniqueConstraint("tenant_id", "idempotency_key", name="uq_margin_enforcement_notices_key"),
        tenant_fk(["batch_id"], "margin_enforcement_batches"),
        tenant_fk(["dealer_id"], "organizations"),
        CheckConstraint(sql_in("action", sorted(ACTIONS)), name="ck_margin_enforcement_notices_action"),
        Index("ix_margin_enforcement_notices_sent", "tenant_id", "created_at", "id"),
        Index("ix_margin_enforcement_notices_batch", "tenant_id", "batch_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    batch_id: uuid.UUID = ref_field("batch_id")
    dealer_id: uuid.UUID = ref_field("dealer_id")
    action: str = Field(max_length=40)
    alert_ids: list[str] = json_field([])
    subject: str = Field(max_length=300)
    body: str = Field(max_length=8000)
    channel: str = Field(default="outbox", sa_column=Column(String(20), nullable=False))
    idempotency_key: str = Field(max_length=250)
    created_at: datetime = ts_field()


TENANT_TABLES = (
    "margin_enforcement_batches",
    "margin_enforcement_items",
    "margin_enforcement_logs",
    "margin_enforcement_notices",
)
APPEND_ONLY = frozenset({"margin_enforcement_items", "margin_enforcement_logs", "margin_enforcement_notices"})
