"""A real worker process is SIGKILLed at least 3 times during a 2,000-item enforcement batch:
every item must end done exactly once, one notice per item sent, none twice, none lost."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from models.catalog.tables import Organization
from models.core.base import utcnow
from models.core.db import tenant_session
from models.margin import enforcement
from models.margin.tables import MarginAlert, MarginSaleRow
from tests.integration.margin.conftest import build
from tests.support.kill import scalar

ITEMS = 2000
KILLS = 3
WAIT = 420.0

pytestmark = pytest.mark.slow


def _dealers_in_breach(tenant, n: int) -> list[str]:
    """n dealers, each with one open MAP alert on d3 (floor 499) and a latest advertised price of 450."""
    ctx = tenant.ctx()
    sku = tenant.id("sku", "d3")
    now = utcnow()
    orgs, sales, alerts = [], [], []
    for i in range(n):
        dealer = uuid.uuid4()
        orgs.append(
            {"id": dealer, "tenant_id": ctx.tenant_id, "type": "dealer", "code": f"KILL-{i:05d}",
             "name": f"Kill dealer {i:05d}", "status": "active", "profile": {}, "created_at": now}
        )  # fmt: skip
        sales.append(
            {"id": uuid.uuid4(), "tenant_id": ctx.tenant_id, "dealer_id": dealer, "sku_id": sku,
             "channel_id": None, "advertised_price": Decimal("450"), "transaction_price": None, "qty": 2,
             "currency": "INR", "observed_at": now - timedelta(days=1), "source": "test", "created_at": now}
        )  # fmt: skip
        alerts.append(
            {"id": uuid.uuid4(), "tenant_id": ctx.tenant_id, "rule": "map_breach", "dealer_id": dealer, "sku_id": sku,
             "status": "open", "severity": "low", "floor": Decimal("499"), "floor_rule_id": None,
             "worst_price": Decimal("450"), "max_depth_pct": None, "impact": Decimal("98"), "evidence_count": 1,
             "units": 2, "explanation": {}, "first_seen": now, "last_seen": now, "opened_at": now, "updated_at": now,
             "notes": None}
        )  # fmt: skip
    with tenant_session(ctx) as s:
        s.execute(insert(Organization.__table__), orgs)  # type: ignore[attr-defined]
        s.execute(insert(MarginSaleRow.__table__), sales)  # type: ignore[attr-defined]
        s.execute(insert(MarginAlert.__table__), alerts)  # type: ignore[attr-defined]
    return [str(o["id"]) for o in orgs]


def test_sigkilled_workers_send_every_notice_exactly_once(kill_harness):
    tenant = build("enfkill")
    dealers = _dealers_in_breach(tenant, ITEMS)
    ctx = tenant.ctx()
    with tenant_session(ctx) as s:
        batch = enforcement.create_batch(s, ctx, {"dealer_ids": dealers}, "warning_notice", name="kill test")
        batch_id = batch.id
    with tenant_session(ctx) as s:
        enforcement.start_batch(s, ctx, batch_id, max_attempts=50, enqueue=False)
        job_id = enforcement.get_batch(s, ctx, batch_id).job_id
    with tenant_session(ctx) as s:
        assert enforcement.get_batch(s, ctx, batch_id).item_count == ITEMS

    worker = kill_harness(lease_seconds=5, chunk_size=10, wait=WAIT)
    worker.enqueue(ctx.tenant_id, job_id)
    finished_sql = "select count(*) from job_items where job_id = :j and status in ('done', 'skipped', 'failed')"
    batch_status_sql = "select status from margin_enforcement_batches where id = :b"
    started = time.monotonic()
    worker.start()
    worker.kill_while_progressing(lambda: scalar(ctx, finished_sql, j=job_id), ITEMS, KILLS)
    worker.wait(
        lambda: scalar(ctx, batch_status_sql, b=batch_id) in ("completed", "failed", "cancelled"), "the batch to finish"
    )
    worker.stop()
    seconds = time.monotonic() - started

    q = {"j": job_id, "b": batch_id}
    status = scalar(ctx, "select status from margin_enforcement_batches where id = :b", **q)
    done = scalar(ctx, "select count(*) from job_items where job_id = :j and status = 'done'", **q)
    notices = scalar(ctx, "select count(*) from margin_enforcement_notices where batch_id = :b", **q)
    distinct_notices = scalar(
        ctx, "select count(distinct idempotency_key) from margin_enforcement_notices where batch_id = :b", **q
    )
    sent_logs = scalar(
        ctx, "select count(*) from margin_enforcement_logs where batch_id = :b and event = 'item_sent'", **q
    )
    distinct_logs = scalar(
        ctx,
        "select count(distinct item_key) from margin_enforcement_logs where batch_id = :b and event = 'item_sent'",
        **q,
    )
    warned = scalar(
        ctx,
        "select count(*) from decision_events e join margin_dealer_status d on d.id = e.entity_id "
        "where e.machine = 'margin_dealer' and e.action = 'warn' and d.dealer_id in "
        "(select dealer_id from margin_enforcement_items where batch_id = :b)",
        **q,
    )
    redone = scalar(ctx, "select count(*) from job_items where job_id = :j and attempts > 1", **q)
    duplicates = (notices - distinct_notices) + (sent_logs - distinct_logs)
    lost = ITEMS - distinct_notices
    print(
        f"\nenforcement kill test: items={ITEMS} kills={worker.kills} duplicates={duplicates} lost={lost} "
        f"notices={notices} items_redone_after_kill={redone} seconds={seconds:.1f}"
    )
    assert worker.kills >= 3
    assert status == "completed", worker.tail()
    assert (done, notices, distinct_notices, sent_logs, distinct_logs, warned) == (ITEMS,) * 6
    assert (duplicates, lost) == (0, 0)
    from models.core.audit import verify_tenant_chain

    with tenant_session(ctx) as s:
        assert verify_tenant_chain(s, ctx.tenant_id) is None
