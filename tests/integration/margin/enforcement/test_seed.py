"""The demo enforcement seed: one completed batch with its report, one running with an item left
that a worker (the real runner here) carries on; deterministic ids; a second run writes nothing."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import func, select

from engine.context import TenantContext
from models.core.db import tenant_session
from models.core.tables import AuditEvent
from models.jobs.repo import get_job
from models.margin import enforcement
from tests.integration.margin.conftest import build
from tests.integration.margin.enforcement.conftest import run_batch


def test_demo_batches_completed_and_running_then_the_worker_finishes(monkeypatch):
    import seeds.enforcement
    from seeds.catalog import tenant_ids
    from seeds.enforcement import build_enforcement

    # the demo paces its last item by minutes (so /execution is live on a first visit); here 50 ms
    monkeypatch.setattr(seeds.enforcement, "RUNNING_PACE_MS", 50)

    tenant = build("enfseed")
    ctx = TenantContext.system(tenant.tenant.tenant_id, tenant.tenant.slug)
    id_for = tenant_ids(ctx.tenant_id)
    with tenant_session(ctx) as s:
        ids = build_enforcement(s, ctx, id_for)
    assert ids["completed"] == str(id_for("margin_batch", "completed"))
    with tenant_session(ctx) as s:
        head = s.exec(select(func.max(AuditEvent.seq))).one()
        done = enforcement.report(s, ctx, ids["completed"])
        running = enforcement.batch_detail(s, ctx, ids["running"])
    assert done["batch"]["status"] == "completed"
    assert done["totals"]["outcomes"] == {"sent": 1} and done["totals"]["notices_sent"] == 1
    assert (done["deltas"]["breaches_before"], done["deltas"]["breaches_after"]) == (5, 1)
    assert (done["deltas"]["lost_margin_before"], done["deltas"]["lost_margin_after"]) == (
        Decimal("560"),
        Decimal("250"),
    )
    assert done["items"][0]["status_before"] == "active" and done["items"][0]["status_after"] == "warned"
    assert running["status"] == "running" and running["counts"]["pending"] == 1 and running["item_count"] == 2
    with tenant_session(ctx) as s:
        job = get_job(s, ctx, enforcement.get_batch(s, ctx, ids["running"]).job_id)
        assert job.params["pace_ms"] == 50
    with tenant_session(ctx) as s:  # idempotent: nothing written the second time
        build_enforcement(s, ctx, id_for)
    with tenant_session(ctx) as s:
        assert s.exec(select(func.max(AuditEvent.seq))).one() == head
    run = run_batch(tenant, ids["running"])
    assert run["status"] == "completed" and run["outcomes"] == {"done": 1}
    with tenant_session(ctx) as s:
        final = enforcement.report(s, ctx, ids["running"])
    assert final["batch"]["status"] == "completed" and final["totals"]["outcomes"] == {"sent": 2}
