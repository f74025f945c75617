"""Shared column helpers so every table spells ids, tenants, money and time the same way."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, ForeignKeyConstraint, Numeric, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field

MONEY = Numeric(38, 10)


def utcnow() -> datetime:
    return datetime.now(UTC)


def id_field() -> Any:
    return Field(default_factory=uuid.uuid4, sa_column_kwargs={}, primary_key=True)


def tenant_field() -> Any:
    """Tenant of the row. RLS checks it against app.tenant_id on every read and write."""
    return Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True)
    )


def ts_field(*, nullable: bool = False, default_now: bool = True) -> Any:
    return Field(
        default_factory=utcnow if default_now else None,
        sa_column=Column(DateTime(timezone=True), nullable=nullable),
    )


def json_field(default: Any = None) -> Any:
    # a fresh copy per row: a dict or list default is never shared between rows
    return Field(default_factory=lambda: copy.copy(default), sa_column=Column(JSONB, nullable=default is None))


def money_field(*, nullable: bool = False) -> Any:
    return Field(sa_column=Column(MONEY, nullable=nullable))


def quantize_money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1E-10"))


def ref_field(column: str, *, nullable: bool = False) -> Any:
    """A uuid column that points into another tenant table (paired with `tenant_fk`)."""
    return Field(default=None, sa_column=Column(column, UUID(as_uuid=True), nullable=nullable))


def tenant_fk(columns: list[str], table: str) -> ForeignKeyConstraint:
    """A foreign key that includes tenant_id, so a row can never reference another tenant's row."""
    return ForeignKeyConstraint(["tenant_id", *columns], [f"{table}.tenant_id", f"{table}.id"])


def tenant_key(table: str) -> UniqueConstraint:
    """(tenant_id, id) unique: the target of `tenant_fk` references."""
    return UniqueConstraint("tenant_id", "id", name=f"uq_{table}_tenant_id_id")


def sql_in(column: str, values: Iterable[str]) -> str:
    """The SQL of a CHECK that `column` holds one of `values` (a machine's statuses, a type list)."""
    return f"{column} in (" + ", ".join(f"'{v}'" for v in values) + ")"
