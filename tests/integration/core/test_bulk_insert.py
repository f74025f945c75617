"""models.core.bulk.insert_rows: many rows as one JSON parameter — values arrive exactly (uuid, exact
decimals, instants, JSON), conflicts are skipped only when asked, and RLS still refuses another
tenant's rows (all or nothing)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import select

from models.core.bulk import insert_rows
from models.core.db import tenant_session
from models.core.tables import OutboxEvent


def _row(tenant_id, key: str, payload) -> dict:
    return {
        "id": uuid.uuid4(),
        "tenant_id": tenant_id,
        "topic": "test.bulk",
        "entity": "thing",
        "entity_id": key,
        "payload": payload,
        "idempotency_key": f"bulk:{key}",
        "created_at": datetime(2026, 11, 24, 12, 30, 15, 123456, tzinfo=UTC),
        "delivered_at": None,
        "attempts": 0,
    }


def _stored(ctx, prefix: str) -> list[OutboxEvent]:
    with tenant_session(ctx) as s:
        return list(
            s.exec(
                select(OutboxEvent)
                .where(OutboxEvent.idempotency_key.like(f"bulk:{prefix}%"))  # type: ignore[union-attr]
                .order_by(OutboxEvent.entity_id)
            ).all()
        )


def test_values_arrive_exactly(tenant_a):
    ctx = tenant_a.ctx("ops")
    p = uuid.uuid4().hex[:8]
    payload = {"amount": str(Decimal("12345678901234567890.0123456789")), "nested": [1, "ü", None], "ok": True}
    rows = [_row(ctx.tenant_id, f"{p}-1", payload), _row(ctx.tenant_id, f"{p}-2", {})]
    with tenant_session(ctx) as s:
        insert_rows(s, OutboxEvent.__table__, rows)
    stored = _stored(ctx, p)
    assert [(r.id, r.entity_id, r.payload, r.created_at, r.delivered_at) for r in stored] == [
        (rows[0]["id"], f"{p}-1", payload, rows[0]["created_at"], None),
        (rows[1]["id"], f"{p}-2", {}, rows[1]["created_at"], None),
    ]


def test_conflicts_fail_the_statement_unless_skipped(tenant_a):
    ctx = tenant_a.ctx("ops")
    p = uuid.uuid4().hex[:8]
    with tenant_session(ctx) as s:
        insert_rows(s, OutboxEvent.__table__, [_row(ctx.tenant_id, f"{p}-1", {})])
    again = [_row(ctx.tenant_id, f"{p}-1", {"second": True}), _row(ctx.tenant_id, f"{p}-2", {})]
    with pytest.raises(IntegrityError), tenant_session(ctx) as s:
        insert_rows(s, OutboxEvent.__table__, again)
    assert [r.entity_id for r in _stored(ctx, p)] == [f"{p}-1"]  # nothing of the failed statement
    with tenant_session(ctx) as s:
        insert_rows(s, OutboxEvent.__table__, again, on_conflict_do_nothing=["tenant_id", "idempotency_key"])
    stored = _stored(ctx, p)
    assert [(r.entity_id, r.payload) for r in stored] == [(f"{p}-1", {}), (f"{p}-2", {})]


def test_rls_refuses_another_tenants_row_and_writes_nothing(tenant_a, tenant_b):
    ctx = tenant_a.ctx("ops")
    p = uuid.uuid4().hex[:8]
    rows = [_row(ctx.tenant_id, f"{p}-1", {}), _row(tenant_b.tenant_id, f"{p}-2", {})]
    with pytest.raises(DBAPIError, match="row-level security"), tenant_session(ctx) as s:
        insert_rows(s, OutboxEvent.__table__, rows)
    assert _stored(ctx, p) == []
    assert _stored(tenant_b.ctx("ops"), p) == []
