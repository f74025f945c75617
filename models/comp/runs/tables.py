"""Compensation runs (compensation-platform-prd.md §4 "Uploads & Employee Data", "Runs & Results").

- `comp_employee_rows`: the employee rows of one imported `comp.employees` upload (one row per
  employee; `raw` holds each mapped input as text, exactly as typed by the import).
- `comp_runs`: one run of a locked plan over an upload. `status` is the approvals state and changes
  only through the decision path (engine.comp.run_machine.RUN_MACHINE); `phase` is the computation's
  progress (queued → computed | failed), written by the worker. `totals` is the spec's run_totals.
- `comp_run_results`: one row per employee and run: every step's value (text, 10 decimals, in the
  run's `steps` order), the payout, its pool allocation, or the row error (step and message). One
  wide row per employee rather than one per step: the same values, written ~2.5× faster by COPY.

Every table carries tenant_id (forced RLS, migration 0017) and references include it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlmodel import Field, SQLModel

from engine.comp.run_machine import PHASES, RUN_MACHINE
from models.core.base import (
    MONEY,
    id_field,
    json_field,
    ref_field,
    sql_in,
    tenant_field,
    tenant_fk,
    tenant_key,
    ts_field,
)


class EmployeeRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "comp_employee_rows"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "upload_id"], ["uploads.tenant_id", "uploads.id"], ondelete="CASCADE"),
        Index("ux_comp_employee_rows_ref", "tenant_id", "upload_id", "employee_ref", unique=True),
    )
    upload_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    row_no: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    tenant_id: uuid.UUID = tenant_field()
    employee_ref: str = Field(sa_column=Column(String(200), nullable=False))
    employee_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    team: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    fund: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    role: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    raw: dict[str, Any] = json_field({})


class CompRun(SQLModel, table=True):
    __tablename__: ClassVar[str] = "comp_runs"
    __table_args__ = (
        tenant_key("comp_runs"),
        tenant_fk(["plan_id"], "bonus_plans"),
        tenant_fk(["upload_id"], "uploads"),
        CheckConstraint(sql_in("status", RUN_MACHINE.statuses), name="ck_comp_runs_status"),
        CheckConstraint(sql_in("phase", PHASES), name="ck_comp_runs_phase"),
        Index("ix_comp_runs_tenant_plan_status", "tenant_id", "plan_id", "status"),
        Index("ix_comp_runs_tenant_created", "tenant_id", "created_at"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    plan_id: uuid.UUID = ref_field("plan_id")
    upload_id: uuid.UUID = ref_field("upload_id")
    scenario_name: str = Field(default="", sa_column=Column(String(200), nullable=False))
    status: str = Field(default=RUN_MACHINE.initial, sa_column=Column(String(20), nullable=False))
    phase: str = Field(default="queued", sa_column=Column(String(20), nullable=False))
    job_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True), nullable=True))
    steps: list[str] = json_field([])  # display order: the order of comp_run_results.vals
    payout_step: str = Field(default="", sa_column=Column(String(63), nullable=False))
    employees: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    errors: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    totals: dict[str, Any] = json_field({})
    snapshot_hash: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    inputs_digest: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    results_digest: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    frozen: dict[str, Any] | None = json_field(None)  # the hash and digests at the first approval
    approvals: list[dict[str, Any]] = json_field([])  # the spec's approvals_state history: who, when, what was verified
    catalog_version: str = Field(default="", sa_column=Column(String(60), nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True), nullable=True))
    created_at: datetime = ts_field()
    started_at: datetime | None = ts_field(nullable=True, default_now=False)
    computed_at: datetime | None = ts_field(nullable=True, default_now=False)
    finalized_at: datetime | None = ts_field(nullable=True, default_now=False)


class RunResult(SQLModel, table=True):
    __tablename__: ClassVar[str] = "comp_run_results"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "run_id"], ["comp_runs.tenant_id", "comp_runs.id"], ondelete="CASCADE"),
        Index("ux_comp_run_results_ref", "tenant_id", "run_id", "employee_ref", unique=True),
    )
    run_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    row_no: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    tenant_id: uuid.UUID = tenant_field()
    employee_ref: str = Field(sa_column=Column(String(200), nullable=False))
    vals: list[str | None] | None = Field(default=None, sa_column=Column(ARRAY(Text), nullable=True))
    payout: Decimal | None = Field(default=None, sa_column=Column(MONEY, nullable=True))
    allocated: Decimal | None = Field(default=None, sa_column=Column(MONEY, nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    error_step: str | None = Field(default=None, sa_column=Column(String(63), nullable=True))
