"""The cases module's tables: cases, their messages and checklist steps, evidence files with their
versions, and the per-entity decision event tables of the case and the evidence machines
(docs/adr/0001-decision-event-tables.md).

Every row that a vendor may see carries `vendor_org_id`: besides tenant isolation, a restrictive
RLS policy (`vendor_scope`, migration 0018) lets a vendor membership see its own organization's
rows only. Evidence and its versions cannot be deleted by the app role (REMOVE is a soft delete).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TIMESTAMP, UUID
from sqlmodel import Field, SQLModel

from engine.cases.machines import CASE_MACHINE, EVIDENCE_MACHINE
from engine.cases.rules import BODY_MAX, CASE_TYPES, FILENAME_MAX, LABEL_MAX, STEP_MAX, SUBJECT_MAX
from engine.state_machine import StateMachine
from models.core.base import id_field, ref_field, sql_in, tenant_field, tenant_fk, tenant_key, ts_field

MESSAGE_KINDS = ("comment", "response", "request")


class Case(SQLModel, table=True):
    __tablename__: ClassVar[str] = "cases"
    __table_args__ = (
        tenant_key("cases"),
        tenant_fk(["vendor_org_id"], "organizations"),
        CheckConstraint(sql_in("status", CASE_MACHINE.statuses), name="ck_cases_status"),
        CheckConstraint(sql_in("case_type", CASE_TYPES), name="ck_cases_type"),
        # the inbox: newest first, per status, per vendor, per assignee, overdue ones
        Index("ix_cases_inbox", "tenant_id", "opened_at", "id"),
        Index("ix_cases_status", "tenant_id", "status", "opened_at", "id"),
        Index("ix_cases_vendor", "tenant_id", "vendor_org_id", "opened_at", "id"),
        Index("ix_cases_assignee", "tenant_id", "assignee_id", "opened_at", "id"),
        Index("ix_cases_due", "tenant_id", "due_at"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    subject: str = Field(max_length=SUBJECT_MAX)
    case_type: str = Field(default="general", max_length=30)
    status: str = Field(default=CASE_MACHINE.initial, max_length=30)
    assignee_id: uuid.UUID | None = Field(default=None)
    opened_by: uuid.UUID | None = Field(default=None)
    opened_at: datetime = ts_field()
    due_at: datetime = ts_field()


class CaseMessage(SQLModel, table=True):
    """A comment, a vendor's response or a staff request on a case (CRUD only: never edited)."""

    __tablename__: ClassVar[str] = "case_messages"
    __table_args__ = (
        tenant_key("case_messages"),
        tenant_fk(["case_id"], "cases"),
        CheckConstraint(sql_in("kind", MESSAGE_KINDS), name="ck_case_messages_kind"),
        Index("ix_case_messages_case", "tenant_id", "case_id", "created_at"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    case_id: uuid.UUID = ref_field("case_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    kind: str = Field(default="comment", max_length=20)
    body: str = Field(max_length=BODY_MAX)
    author_id: uuid.UUID | None = Field(default=None)
    author_name: str = Field(default="", max_length=200)
    author_role: str = Field(default="", max_length=20)
    created_at: datetime = ts_field()


class ChecklistStep(SQLModel, table=True):
    __tablename__: ClassVar[str] = "case_checklist_steps"
    __table_args__ = (
        tenant_key("case_checklist_steps"),
        tenant_fk(["case_id"], "cases"),
        Index("ix_case_checklist_case", "tenant_id", "case_id", "position"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    case_id: uuid.UUID = ref_field("case_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    position: int = 0
    label: str = Field(max_length=STEP_MAX)
    done: bool = False
    done_by: uuid.UUID | None = Field(default=None)
    done_at: datetime | None = ts_field(nullable=True, default_now=False)
    created_at: datetime = ts_field()


class Evidence(SQLModel, table=True):
    """An evidence file on a case; its bytes are in `evidence_versions` (one row per upload)."""

    __tablename__: ClassVar[str] = "evidence"
    __table_args__ = (
        tenant_key("evidence"),
        tenant_fk(["case_id"], "cases"),
        CheckConstraint(sql_in("status", EVIDENCE_MACHINE.statuses), name="ck_evidence_status"),
        Index("ix_evidence_case", "tenant_id", "case_id", "created_at"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    case_id: uuid.UUID = ref_field("case_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    label: str = Field(default="", max_length=LABEL_MAX)
    status: str = Field(default=EVIDENCE_MACHINE.initial, max_length=20)
    current_version: int = 1
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = ts_field()


class EvidenceVersion(SQLModel, table=True):
    """One uploaded file of an evidence row, never changed or deleted (storage key, size, SHA-256)."""

    __tablename__: ClassVar[str] = "evidence_versions"
    __table_args__ = (
        tenant_key("evidence_versions"),
        tenant_fk(["evidence_id"], "evidence"),
        UniqueConstraint("tenant_id", "evidence_id", "version", name="uq_evidence_versions_version"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    evidence_id: uuid.UUID = ref_field("evidence_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    version: int = 1
    filename: str = Field(max_length=FILENAME_MAX)
    content_type: str = Field(max_length=100)
    size: int = 0
    sha256: str = Field(max_length=64)
    storage_key: str = Field(sa_column=Column(String(300), nullable=False))
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = ts_field()


def event_table(name: str, machine: StateMachine, entity_table: str) -> Table:
    """A per-entity decision event table: the core column shape, a foreign key to the entity, the
    action and target-status CHECKs generated from the machine (ADR 0001)."""
    return Table(
        name,
        SQLModel.metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("tenant_id", UUID(as_uuid=True), nullable=False),
        Column("machine", String(60), nullable=False),
        Column("entity_id", UUID(as_uuid=True), nullable=False),
        Column("action", String(60), nullable=False),
        Column("from_status", String(40), nullable=False),
        Column("to_status", String(40), nullable=False),
        Column("reason", String(4000)),
        Column("actor", String(64), nullable=False),
        Column("actor_role", String(20), nullable=False),
        Column("at", TIMESTAMP(timezone=True), nullable=False),
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "entity_id"], [f"{entity_table}.tenant_id", f"{entity_table}.id"]),
        CheckConstraint(sql_in("action", machine.actions), name=f"ck_{name}_action"),
        CheckConstraint(sql_in("to_status", machine.statuses), name=f"ck_{name}_to_status"),
        Index(f"ix_{name}_entity", "tenant_id", "entity_id", "at"),
    )


CASE_EVENTS = event_table(CASE_MACHINE.events, CASE_MACHINE, "cases")
EVIDENCE_EVENTS = event_table(EVIDENCE_MACHINE.events, EVIDENCE_MACHINE, "evidence")
