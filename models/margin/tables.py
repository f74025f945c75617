"""Margin Defense tables: observations (sale rows, competitor snapshots, inventory aging), alerts
and their evidence, tasks, dealer status and notes.

Every table carries tenant_id (forced RLS, migration 0003) and a (tenant_id, id) unique key; every
reference is a composite foreign key including tenant_id, so a row can never point at another
tenant's row. Money is numeric(38,10). Observations, evidence links and notes are append-only for
the app role; status columns change only through the decision path (decision_events keeps the
history of alerts, tasks and dealer statuses).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from engine.margin.frames import RULES
from engine.margin.machines import ALERT_MACHINE, ALERT_OPEN_STATES, DEALER_MACHINE, TASK_MACHINE
from engine.margin.severity import LEVELS
from models.core.base import (
    MONEY,
    id_field,
    json_field,
    money_field,
    ref_field,
    sql_in,
    tenant_field,
    tenant_fk,
    tenant_key,
    ts_field,
)
from models.delivery import tables as _delivery_tables  # noqa: F401  (webhook_endpoints, referenced below)

OPEN_ALERT_SQL = sql_in("status", tuple(s for s in ALERT_MACHINE.statuses if s in ALERT_OPEN_STATES))
EVIDENCE_KINDS = ("sale_row", "snapshot", "inventory")
DETECTION_TRIGGERS = ("import", "schedule", "manual")


def _money(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(MONEY, nullable=nullable))


def _upload() -> Any:
    """The upload a row was imported from (null for rows entered otherwise): provenance. Not indexed:
    nothing reads rows by upload (migration 0026)."""
    return Field(default=None, sa_column=Column(UUID(as_uuid=True), nullable=True))


class MarginSaleRow(SQLModel, table=True):
    """One observation of a dealer's SKU: advertised and/or transaction price, quantity, when, where from."""

    __tablename__: ClassVar[str] = "margin_sale_rows"
    # dealer_id, sku_id and channel_id reference organizations, skus and channels of the same
    # tenant, and tenant_id references tenants, checked once per statement by triggers (migrations
    # 0016_import_speed, 0025) rather than by row-by-row foreign keys: a million-row import would
    # spend most of its time in them. The primary key (tenant_id, id) is the target of evidence's
    # references, so the random md5 id is indexed once.
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id", name="margin_sale_rows_pkey"),
        CheckConstraint("qty >= 0", name="ck_margin_sale_rows_qty"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_margin_sale_rows_currency"),
        Index("ix_margin_sale_rows_dealer_sku", "tenant_id", "dealer_id", "sku_id", "observed_at"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    dealer_id: uuid.UUID = ref_field("dealer_id")
    sku_id: uuid.UUID = ref_field("sku_id")
    channel_id: uuid.UUID | None = ref_field("channel_id", nullable=True)
    advertised_price: Decimal | None = _money()
    transaction_price: Decimal | None = _money()
    qty: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    currency: str = Field(default="INR", sa_column=Column(String(3), nullable=False))
    observed_at: datetime = ts_field()
    source: str = Field(default="manual", max_length=60)
    upload_id: uuid.UUID | None = _upload()
    created_at: datetime = ts_field()


class MarginCompetitorSnapshot(SQLModel, table=True):
    __tablename__: ClassVar[str] = "margin_competitor_snapshots"
    __table_args__ = (
        tenant_key("margin_competitor_snapshots"),
        tenant_fk(["competitor_id"], "organizations"),
        tenant_fk(["sku_id"], "skus"),
        tenant_fk(["channel_id"], "channels"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_margin_competitor_snapshots_currency"),
        Index("ix_margin_competitor_snapshots_sku", "tenant_id", "sku_id", "observed_at"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    competitor_id: uuid.UUID = ref_field("competitor_id")
    sku_id: uuid.UUID = ref_field("sku_id")
    channel_id: uuid.UUID | None = ref_field("channel_id", nullable=True)
    price: Decimal = money_field()
    currency: str = Field(default="INR", sa_column=Column(String(3), nullable=False))
    observed_at: datetime = ts_field()
    source: str = Field(default="manual", max_length=60)
    upload_id: uuid.UUID | None = _upload()
    created_at: datetime = ts_field()


class MarginInventoryRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "margin_inventory_rows"
    __table_args__ = (
        tenant_key("margin_inventory_rows"),
        tenant_fk(["dealer_id"], "organizations"),
        tenant_fk(["sku_id"], "skus"),
        CheckConstraint("qty >= 0", name="ck_margin_inventory_rows_qty"),
        Index("ix_margin_inventory_rows_dealer_sku", "tenant_id", "dealer_id", "sku_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    dealer_id: uuid.UUID = ref_field("dealer_id")
    sku_id: uuid.UUID = ref_field("sku_id")
    qty: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    unit_cost: Decimal = money_field()
    received_at: datetime = ts_field()
    source: str = Field(default="manual", max_length=60)
    upload_id: uuid.UUID | None = _upload()
    created_at: datetime = ts_field()


class MarginAlert(SQLModel, table=True):
    """One breach per (rule, dealer, sku) while open; `explanation` is the formula with its values."""

    __tablename__: ClassVar[str] = "margin_alerts"
    __table_args__ = (
        tenant_key("margin_alerts"),
        tenant_fk(["dealer_id"], "organizations"),
        tenant_fk(["sku_id"], "skus"),
        tenant_fk(["floor_rule_id"], "price_rules"),
        CheckConstraint(sql_in("rule", RULES), name="ck_margin_alerts_rule"),
        CheckConstraint(sql_in("status", sorted(ALERT_MACHINE.states)), name="ck_margin_alerts_status"),
        CheckConstraint(sql_in("severity", LEVELS), name="ck_margin_alerts_severity"),
        Index(
            "uq_margin_alerts_open_key",
            "tenant_id",
            "rule",
            "dealer_id",
            "sku_id",
            unique=True,
            postgresql_where=text(OPEN_ALERT_SQL),
        ),
        Index("ix_margin_alerts_opened", "tenant_id", "opened_at", "id"),
        Index("ix_margin_alerts_status", "tenant_id", "status", "rule", "severity"),
        Index(
            "ix_margin_alerts_open_summary",
            "tenant_id",
            "rule",
            "severity",
            "dealer_id",
            postgresql_include=["impact"],
            postgresql_where=text(OPEN_ALERT_SQL),
        ),
        Index("ix_margin_alerts_first_seen", "tenant_id", "first_seen"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    rule: str = Field(max_length=40)
    dealer_id: uuid.UUID = ref_field("dealer_id")
    sku_id: uuid.UUID = ref_field("sku_id")
    status: str = Field(default="open", max_length=20)
    severity: str = Field(default="low", max_length=20)
    floor: Decimal | None = _money()
    floor_rule_id: uuid.UUID | None = ref_field("floor_rule_id", nullable=True)
    worst_price: Decimal | None = _money()
    max_depth_pct: Decimal | None = _money()
    impact: Decimal = Field(default=Decimal(0), sa_column=Column(MONEY, nullable=False))
    evidence_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    units: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    explanation: dict[str, Any] = json_field({})
    first_seen: datetime | None = ts_field(nullable=True, default_now=False)
    last_seen: datetime | None = ts_field(nullable=True, default_now=False)
    opened_at: datetime = ts_field()
    updated_at: datetime = ts_field()
    notes: str | None = Field(default=None, max_length=4000)


class MarginAlertEvidence(SQLModel, table=True):
    """Alert ↔ one evidence row (exactly one of sale row, snapshot, inventory row), with its math."""

    __tablename__: ClassVar[str] = "margin_alert_evidence"
    # alert_id, sale_row_id, snapshot_id, inventory_row_id and floor_rule_id reference margin_alerts,
    # margin_sale_rows, margin_competitor_snapshots, margin_inventory_rows and price_rules of the
    # same tenant, checked once per statement by triggers (migration 0027) rather than by five
    # row-by-row foreign keys: detection writes one evidence row per breaching observation.
    __table_args__ = (
        tenant_key("margin_alert_evidence"),
        CheckConstraint(sql_in("kind", EVIDENCE_KINDS), name="ck_margin_alert_evidence_kind"),
        CheckConstraint(
            "num_nonnulls(sale_row_id, snapshot_id, inventory_row_id) = 1", name="ck_margin_alert_evidence_one_source"
        ),
        UniqueConstraint("tenant_id", "alert_id", "evidence_id", name="uq_margin_alert_evidence_row"),
        Index("ix_margin_alert_evidence_alert", "tenant_id", "alert_id", "observed_at"),
        Index(
            "ix_margin_alert_evidence_observed", "tenant_id", "observed_at", postgresql_include=["alert_id", "impact"]
        ),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    alert_id: uuid.UUID = ref_field("alert_id")
    kind: str = Field(max_length=20)
    evidence_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), nullable=False))
    sale_row_id: uuid.UUID | None = ref_field("sale_row_id", nullable=True)
    snapshot_id: uuid.UUID | None = ref_field("snapshot_id", nullable=True)
    inventory_row_id: uuid.UUID | None = ref_field("inventory_row_id", nullable=True)
    observed_at: datetime | None = ts_field(nullable=True, default_now=False)
    qty: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    floor: Decimal | None = _money()
    floor_rule_id: uuid.UUID | None = ref_field("floor_rule_id", nullable=True)
    price: Decimal | None = _money()
    impact: Decimal = Field(default=Decimal(0), sa_column=Column(MONEY, nullable=False))
    depth_pct: Decimal | None = _money()
    age_days: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    job_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True), nullable=True))
    created_at: datetime = ts_field()


class MarginTask(SQLModel, table=True):
    __tablename__: ClassVar[str] = "margin_tasks"
    __table_args__ = (
        tenant_key("margin_tasks"),
        tenant_fk(["alert_id"], "margin_alerts"),
        tenant_fk(["dealer_id"], "organizations"),
        CheckConstraint(sql_in("status", sorted(TASK_MACHINE.states)), name="ck_margin_tasks_status"),
        Index("ix_margin_tasks_due", "tenant_id", "status", "due_at"),
        Index("ix_margin_tasks_alert", "tenant_id", "alert_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    alert_id: uuid.UUID | None = ref_field("alert_id", nullable=True)
    dealer_id: uuid.UUID | None = ref_field("dealer_id", nullable=True)
    title: str = Field(max_length=200)
    notes: str | None = Field(default=None, max_length=4000)
    assignee_user_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    due_at: datetime | None = ts_field(nullable=True, default_now=False)
    status: str = Field(default="open", max_length=20)
    created_by: str = Field(default="system", max_length=64)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class MarginDealerStatus(SQLModel, table=True):
    """The current rung of a dealer on the enforcement ladder (history: decision_events)."""

    __tablename__: ClassVar[str] = "margin_dealer_status"
    __table_args__ = (
        tenant_key("margin_dealer_status"),
        tenant_fk(["dealer_id"], "organizations"),
        UniqueConstraint("tenant_id", "dealer_id", name="uq_margin_dealer_status_dealer"),
        CheckConstraint(sql_in("status", sorted(DEALER_MACHINE.states)), name="ck_margin_dealer_status_status"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    dealer_id: uuid.UUID = ref_field("dealer_id")
    status: str = Field(default="active", max_length=20)
    created_at: datetime = ts_field()


NOTICE_CHANNELS = ("email", "webhook")


class MarginNoticePreference(SQLModel, table=True):
    """How a dealer receives its enforcement notices besides the webhooks subscribed to
    `margin.notice.sent`: by e-mail (`email`) or on its own webhook endpoint (`endpoint_id`). No row:
    the subscribed webhooks only (the notice is still listed on /notices)."""

    __tablename__: ClassVar[str] = "margin_notice_preferences"
    __table_args__ = (
        tenant_key("margin_notice_preferences"),
        tenant_fk(["dealer_id"], "organizations"),
        tenant_fk(["endpoint_id"], "webhook_endpoints"),
        UniqueConstraint("tenant_id", "dealer_id", name="uq_margin_notice_preferences_dealer"),
        CheckConstraint(sql_in("channel", NOTICE_CHANNELS), name="ck_margin_notice_preferences_channel"),
        CheckConstraint(
            "(channel = 'email' and email is not null) or (channel = 'webhook' and endpoint_id is not null)",
            name="ck_margin_notice_preferences_target",
        ),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    dealer_id: uuid.UUID = ref_field("dealer_id")
    channel: str = Field(max_length=10)
    email: str | None = Field(default=None, max_length=320)
    endpoint_id: uuid.UUID | None = ref_field("endpoint_id", nullable=True)
    updated_at: datetime = ts_field()


class MarginNote(SQLModel, table=True):
    """A note on an alert, a dealer or a task (append-only)."""

    __tablename__: ClassVar[str] = "margin_notes"
    __table_args__ = (
        tenant_key("margin_notes"),
        tenant_fk(["alert_id"], "margin_alerts"),
        tenant_fk(["dealer_id"], "organizations"),
        tenant_fk(["task_id"], "margin_tasks"),
        CheckConstraint("num_nonnulls(alert_id, dealer_id, task_id) >= 1", name="ck_margin_notes_subject"),
        Index("ix_margin_notes_alert", "tenant_id", "alert_id", "created_at"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    alert_id: uuid.UUID | None = ref_field("alert_id", nullable=True)
    dealer_id: uuid.UUID | None = ref_field("dealer_id", nullable=True)
    task_id: uuid.UUID | None = ref_field("task_id", nullable=True)
    body: str = Field(max_length=4000)
    author: str = Field(max_length=64)
    created_at: datetime = ts_field()


class MarginDetectionRun(SQLModel, table=True):
    """One detection job and why it ran (an import, the tenant's schedule, a person), with what it found.

    Created with its job (queued); the job's item fills started/finished and the counts in its own
    transaction, so a run whose counts are set is a run that committed.
    """

    __tablename__: ClassVar[str] = "margin_detection_runs"
    __table_args__ = (
        tenant_key("margin_detection_runs"),
        CheckConstraint(sql_in("trigger", DETECTION_TRIGGERS), name="ck_margin_detection_runs_trigger"),
        CheckConstraint("rows_imported >= 0 and rows_skipped >= 0", name="ck_margin_detection_runs_rows"),
        Index("ix_margin_detection_runs_created", "tenant_id", "created_at", "id"),
        Index(
            "ix_margin_detection_runs_imports",
            "tenant_id",
            "created_at",
            postgresql_where=text("trigger = 'import'"),
        ),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    trigger: str = Field(max_length=20)
    job_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True), nullable=True))
    upload_id: uuid.UUID | None = _upload()
    target: str | None = Field(default=None, max_length=60)
    rows_imported: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    rows_skipped: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    new_breaches: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    attached: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    created_by: str = Field(default="system", max_length=64)
    created_at: datetime = ts_field()
    started_at: datetime | None = ts_field(nullable=True, default_now=False)
    finished_at: datetime | None = ts_field(nullable=True, default_now=False)


class MarginDetectionSchedule(SQLModel, table=True):
    """How often the tenant's scheduled detection runs (no row: every DEFAULT_EVERY_HOURS; 0 = off)."""

    __tablename__: ClassVar[str] = "margin_detection_schedules"
    __table_args__ = (
        tenant_key("margin_detection_schedules"),
        UniqueConstraint("tenant_id", name="uq_margin_detection_schedules_tenant"),
        CheckConstraint("every_hours between 0 and 720", name="ck_margin_detection_schedules_hours"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    every_hours: int = Field(sa_column=Column(Integer, nullable=False))
    updated_at: datetime = ts_field()


TENANT_TABLES = (
    "margin_sale_rows",
    "margin_competitor_snapshots",
    "margin_inventory_rows",
    "margin_alerts",
    "margin_alert_evidence",
    "margin_tasks",
    "margin_dealer_status",
    "margin_notes",
    "margin_detection_runs",
    "margin_detection_schedules",
    "margin_notice_preferences",
)
APPEND_ONLY = frozenset({"margin_sale_rows", "margin_competitor_snapshots", "margin_alert_evidence", "margin_notes"})
