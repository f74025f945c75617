"""Shared column helpers so every table spells ids, tenants, money and time the same way."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Numeric
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
    factory = (lambda: dict(default)) if isinstance(default, dict) else (lambda: default)
    return Field(default_factory=factory, sa_column=Column(JSONB, nullable=default is None))


def money_field(*, nullable: bool = False) -> Any:
    return Field(sa_column=Column(MONEY, nullable=nullable))


def quantize_money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1E-10"))
