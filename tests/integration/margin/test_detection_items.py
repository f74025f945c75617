"""Detection split into job items (the market, then groups of dealers) finds exactly what one scan of
the whole tenant finds, on a hand-made data set with known answers; an item that fails loses no other
item's alerts, and the run's counts are the done items' counts added up when the job completes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from engine.context import TenantContext
from tests.integration.margin.conftest import MarginTenant
from tests.support.env import settings_env
from tests.support.tenants import make_tenant

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)  # the demo price rules hold from 2026-01-01
DAY = AS_OF - timedelta(days=10)

# (dealer, sku, advertised, net rate, qty): MAP 499 (Metro's own 479 on D3), MRP 599 / 1499 / 299
SALES = [
    ("dealer-metro", "d3", "470.00", "580.00", 2),  # MAP (479 − 470) × 2 = 18, MRP (599 − 580) × 2 = 38
    ("dealer-metro", "d3", None, "590.00", 1),  # MRP (599 − 590) × 1 = 9: Metro/D3 MRP = 47
    ("dealer-metro", "omega", "1300.00", "1499.00", 4),  # nothing
    ("dealer-coastal", "zinc", None, "290.00", 3),  # MRP (299 − 290) × 3 = 27
    ("dealer-coastal", "d3", "490.00", None, 5),  # MAP (499 − 490) × 5 = 45
]
EXPECTED = {
    ("map_breach", "dealer-metro", "d3"): Decimal("18"),
    ("mrp_breach", "dealer-metro", "d3"): Decimal("47"),
    ("mrp_breach", "dealer-coastal", "zinc"): Decimal("27"),
    ("map_breach", "dealer-coastal", "d3"): Decimal("45"),
    ("dead_stock", "dealer-coastal", "omega"): Decimal("600"),  # 6 × 100 at cost, 200 days old
}


def _tenant(label: str) -> MarginTenant:
    """The demo catalog and the hand-made observations above (no other margin data)."""
    from models.core.db import tenant_session
    from models.margin.tables import MarginInventoryRow, MarginSaleRow
    from seeds.catalog import build_catalog, tenant_ids

    tenant = make_tenant(label)
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    id_for = tenant_ids(tenant.tenant_id)
    with tenant_session(ctx) as session:
        build_catalog(session, ctx, id_for)
        for n, (dealer, sku, advertised, net, qty) in enumerate(SALES):
            session.add(
                MarginSaleRow(
                    tenant_id=tenant.tenant_id,
                    dealer_id=id_for("organization", dealer),
                    sku_id=id_for("sku", sku),
                    advertised_price=Decimal(advertised) if advertised else None,
                    transaction_price=Decimal(net) if net else None,
                    qty=qty,
                    observed_at=DAY + timedelta(hours=n),
                )
            )
        session.add(
            MarginInventoryRow(
                tenant_id=tenant.tenant_id,
                dealer_id=id_for("organization", "dealer-coastal"),
                sku_id=id_for("sku", "omega"),
                qty=6,
                unit_cost=Decimal("100"),
                received_at=AS_OF - timedelta(days=200),
            )
        )
    return MarginTenant(tenant)


def _alerts(session, mt: MarginTenant) -> dict:
    from models.margin.tables import MarginAlert, MarginAlertEvidence

    found = {}
    for a in session.exec(select(MarginAlert).where(MarginAlert.tenant_id == mt.tenant.tenant_id)).all():
        evidence = session.exec(
            select(col(MarginAlertEvidence.evidence_id), col(MarginAlertEvidence.impact))
            .where(MarginAlertEvidence.alert_id == a.id)
            .order_by(col(MarginAlertEvidence.evidence_id))
        ).all()
        found[a.id] = (a.rule, a.dealer_id, a.sku_id, a.impact, a.units, a.severity, a.explanation, evidence)
    return found


def _key(mt: MarginTenant, alert: tuple) -> tuple[str, str, str]:
    names = {mt.id("organization", d): d for d in ("dealer-metro", "dealer-coastal")}
    skus = {mt.id("sku", k): k for k in ("d3", "omega", "zinc")}
    return (alert[0], names[alert[1]], skus[alert[2]])


def _one_scan(mt: MarginTenant) -> dict:
    """The whole tenant in one call (what the single item did), rolled back."""
    from models.core.db import tenant_session
    from models.margin.detection import run_detection

    with tenant_session(mt.ctx()) as session:
        run_detection(session, mt.ctx(), as_of=AS_OF)
        found = _alerts(session, mt)
        session.rollback()
    return found


@pytest.fixture(scope="module")
def small_items():
    """One dealer per item, so two dealers make two items (plus the market's)."""
    with settings_env() as configure:
        configure(PHAROS_DETECT_ITEM_ROWS="1")
        yield


def test_items_per_dealer_find_what_one_scan_finds(small_items):
    from models.core.db import tenant_session
    from models.jobs.runner import run_job_sync
    from models.jobs.tables import JobItem
    from models.margin.detection_runs import submit_detection
    from models.margin.tables import MarginDetectionRun
    from workers.registry import load_kinds

    load_kinds()
    mt = _tenant("detitems")
    whole = _one_scan(mt)
    assert {_key(mt, a): a[3] for a in whole.values()} == EXPECTED  # the known answers

    job_id = submit_detection(mt.ctx(), {"as_of": AS_OF.isoformat()})
    run_job_sync(mt.tenant.tenant_id, job_id)
    with tenant_session(mt.ctx()) as session:
        items = session.exec(select(JobItem).where(JobItem.job_id == job_id).order_by(col(JobItem.seq))).all()
        split = _alerts(session, mt)
        run = session.exec(select(MarginDetectionRun).where(MarginDetectionRun.job_id == job_id)).one()
    dealers = sorted([mt.id("organization", "dealer-metro"), mt.id("organization", "dealer-coastal")], key=str)
    assert [i.payload for i in items] == [{"market": True}, *({"dealers": [str(d)]} for d in dealers)]
    assert {i.status for i in items} == {"done"}
    assert split == whole  # same ids, figures, explanations and evidence as the single scan
    assert (run.new_breaches, run.attached, run.finished_at is not None) == (len(EXPECTED), 0, True)


def test_a_failing_item_loses_no_other_items_alerts(small_items):
    from models.core import mutations
    from models.core.db import tenant_session
    from models.jobs.repo import create_job
    from models.jobs.runner import run_job_sync
    from models.jobs.tables import Job, JobItem
    from models.margin.tables import MarginDetectionRun
    from workers.registry import load_kinds

    load_kinds()
    mt = _tenant("detfail")
    ctx = mt.ctx()
    metro, coastal = mt.id("organization", "dealer-metro"), mt.id("organization", "dealer-coastal")
    run_id = uuid.uuid4()
    with tenant_session(ctx) as session:
        job = create_job(
            session,
            ctx,
            "margin.detect",
            {"run_id": str(run_id), "trigger": "manual", "as_of": AS_OF.isoformat()},
            [
                (f"t:{run_id}:0", {"dealers": [str(metro)]}),
                (f"t:{run_id}:1", {"dealers": ["not-a-dealer-id"]}),  # this item fails
                (f"t:{run_id}:2", {"dealers": [str(coastal)]}),
            ],
        )
        run = MarginDetectionRun(id=run_id, tenant_id=ctx.tenant_id, trigger="manual", job_id=job.id, created_by="t")
        mutations.create(session, ctx, run)
        job_id = job.id
    run_job_sync(mt.tenant.tenant_id, job_id)
    with tenant_session(ctx) as session:
        statuses = [
            i.status for i in session.exec(select(JobItem).where(JobItem.job_id == job_id).order_by(col(JobItem.seq)))
        ]
        found = {_key(mt, a): a[3] for a in _alerts(session, mt).values()}
        run = session.exec(select(MarginDetectionRun).where(MarginDetectionRun.id == run_id)).one()
        job_status = session.get(Job, job_id).status  # type: ignore[union-attr]
        failed_error = session.execute(
            text("select error from job_items where job_id = :j and status = 'failed'"), {"j": job_id}
        ).scalar()
    assert statuses == ["done", "failed", "done"] and job_status == "completed"
    assert "UUID" in (failed_error or "")  # the item says why it failed
    assert found == EXPECTED  # both dealers' alerts committed (no market item: no undercut here either)
    assert run.finished_at is not None and run.new_breaches == len(EXPECTED)
