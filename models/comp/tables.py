"""Compensation tables (compensation-platform-prd.md §4): the input catalog, bonus plans and their
versions, the inputs and steps of each version, and its pool.

Every table carries tenant_id (forced RLS, migration 0014) and a (tenant_id, id) key; references
between them include tenant_id, so a row can never point at another tenant's row. A plan version's
`status` changes only through the decision path (engine.comp.machines.PLAN_MACHINE); its inputs,
steps and pool change only while it is a draft (models.comp.plans checks it under the row lock).
Money is numeric(38,10).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from engine.comp.machines import PLAN_MACHINE
from engine.comp.spec import INPUT_DTYPES, TRANSFORMS
from models.core.base import (
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


class InputDefinition(SQLModel, table=True):
    """One input a plan may read per employee (`salary`, `perf_score`, `fund_return`, …)."""

    __tablename__: ClassVar[str] = "input_catalog"
    __table_args__ = (
        tenant_key("input_catalog"),
        UniqueConstraint("tenant_id", "key", name="uq_input_catalog_key"),
        CheckConstraint(sql_in("dtype", INPUT_DTYPES), name="ck_input_catalog_dtype"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    key: str = Field(sa_column=Column(String(63), nullable=False))
    label: str = Field(sa_column=Column(String(200), nullable=False))
    dtype: str = Field(sa_column=Column(String(20), nullable=False))
    required: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    default_value: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    validation: dict[str, Any] = json_field({})
    description: str | None = Field(default=None, sa_column=Column(String(1000), nullable=True))
    created_at: datetime = ts_field()


class BonusPlan(SQLModel, table=True):
    """One version of a plan. Versions of one plan share `family_id` (the first version's id)."""

    __tablename__: ClassVar[str] = "bonus_plans"
    __table_args__ = (
        tenant_key("bonus_plans"),
        UniqueConstraint("tenant_id", "name", "version", name="uq_bonus_plans_name_version"),
        UniqueConstraint("tenant_id", "family_id", "version", name="uq_bonus_plans_family_version"),
        CheckConstraint(sql_in("status", PLAN_MACHINE.statuses), name="ck_bonus_plans_status"),
        CheckConstraint("version >= 1", name="ck_bonus_plans_version"),
        CheckConstraint(
            "effective_to is null or effective_from is null or effective_to >= effective_from",
            name="ck_bonus_plans_window",
        ),
        tenant_fk(["based_on_id"], "bonus_plans"),
        Index("ix_bonus_plans_tenant_status", "tenant_id", "status"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    family_id: uuid.UUID = Field(nullable=False)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    status: str = Field(default="draft", sa_column=Column(String(20), nullable=False))
    effective_from: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    effective_to: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    based_on_id: uuid.UUID | None = ref_field("based_on_id", nullable=True)
    created_by: uuid.UUID | None = Field(default=None, nullable=True)
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
    locked_by: uuid.UUID | None = Field(default=None, nullable=True)
    locked_at: datetime | None = ts_field(nullable=True, default_now=False)


class PlanInput(SQLModel, table=True):
    """An input a plan version reads: a catalog entry, with the plan's default and transform."""

    __tablename__: ClassVar[str] = "plan_inputs"
    __table_args__ = (
        tenant_key("plan_inputs"),
        ForeignKeyConstraint(["tenant_id", "plan_id"], ["bonus_plans.tenant_id", "bonus_plans.id"], ondelete="CASCADE"),
        tenant_fk(["input_id"], "input_catalog"),
        UniqueConstraint("tenant_id", "plan_id", "input_id", name="uq_plan_inputs_input"),
        CheckConstraint(sql_in("transform", TRANSFORMS), name="ck_plan_inputs_transform"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    plan_id: uuid.UUID = ref_field("plan_id")
    input_id: uuid.UUID = ref_field("input_id")
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    required: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    default_value: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    transform: str = Field(default="none", sa_column=Column(String(30), nullable=False))
    source_column: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))


class PlanStep(SQLModel, table=True):
    """One step of a plan version: `name = expr` where `condition_expr` holds (0 otherwise)."""

    __tablename__: ClassVar[str] = "plan_steps"
    __table_args__ = (
        tenant_key("plan_steps"),
        ForeignKeyConstraint(["tenant_id", "plan_id"], ["bonus_plans.tenant_id", "bonus_plans.id"], ondelete="CASCADE"),
        # deferred: a reorder swaps orders (and an edit may swap names) inside one transaction
        UniqueConstraint(
            "tenant_id", "plan_id", "step_order", name="uq_plan_steps_order", deferrable=True, initially="DEFERRED"
        ),
        UniqueConstraint(
            "tenant_id", "plan_id", "name", name="uq_plan_steps_name", deferrable=True, initially="DEFERRED"
        ),
        Index("ix_plan_steps_plan_order", "tenant_id", "plan_id", "step_order"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    plan_id: uuid.UUID = ref_field("plan_id")
    step_order: int = Field(sa_column=Column(Integer, nullable=False))
    name: str = Field(sa_column=Column(String(63), nullable=False))
    expr: str = Field(sa_column=Column(Text, nullable=False))
    condition_expr: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    outputs: list[str] = json_field([])
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class BonusPool(SQLModel, table=True):
    """The money a plan version distributes (one pool per version)."""

    __tablename__: ClassVar[str] = "bonus_pools"
    __table_args__ = (
        tenant_key("bonus_pools"),
        ForeignKeyConstraint(["tenant_id", "plan_id"], ["bonus_plans.tenant_id", "bonus_plans.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "plan_id", name="uq_bonus_pools_plan"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_bonus_pools_currency"),
        CheckConstraint("amount >= 0", name="ck_bonus_pools_amount"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    plan_id: uuid.UUID = ref_field("plan_id")
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    amount: Decimal = money_field()
    allocation_rules: list[dict[str, Any]] = json_field([])
    created_at: datetime = ts_field()
