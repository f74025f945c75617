"""The "margin.detect" job end to end on the demo data: exact lost margin, no duplicates on re-run,
new evidence attaches to the open alert, judged evidence is not raised again, seeding is idempotent."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from tests.integration.margin.conftest import MarginTenant, build


def _run(mt: MarginTenant, **params):
    from models.jobs.runner import run_job_sync
    from models.margin.detection_runs import submit_detection
    from seeds.margin import DEMO_AS_OF
    from workers.registry import load_kinds

    load_kinds()  # as the worker does at start-up

    job_id = submit_detection(mt.ctx(), {"as_of": DEMO_AS_OF.isoformat(), **params})
    run_job_sync(mt.tenant.tenant_id, job_id)
    return job_id


def _alerts(mt: MarginTenant):
    from models.core.db import tenant_session
    from models.margin.tables import MarginAlert

    with tenant_session(mt.ctx()) as session:
        return list(session.exec(select(MarginAlert).where(MarginAlert.tenant_id == mt.tenant.tenant_id)).all())


def _evidence_count(mt: MarginTenant, alert_id) -> int:
    from models.core.db import tenant_session
    from models.margin.tables import MarginAlertEvidence

    with tenant_session(mt.ctx()) as session:
        return session.exec(select(func.count()).where(MarginAlertEvidence.alert_id == alert_id)).one()


def _job_result(mt: MarginTenant, job_id):
    from models.core.db import tenant_session
    from models.jobs.tables import Job, JobItem

    with tenant_session(mt.ctx()) as session:
        job = session.get(Job, job_id)
        items = session.exec(select(JobItem).where(JobItem.job_id == job_id).order_by(col(JobItem.seq))).all()
        return job.status, _one_status(items), _merged([i.result or {} for i in items])


def _one_status(items) -> str:
    """The items' status when they all share it (a detection job has one item per part of the scan)."""
    statuses = {i.status for i in items}
    return statuses.pop() if len(statuses) == 1 else ",".join(sorted(statuses))


def _merged(results: list[dict]) -> dict:
    """The job's result as one scan's summary: counts added up, alert ids listed, over its items."""
    merged: dict = {}
    for result in results:
        for key, value in result.items():
            if isinstance(value, int):
                merged[key] = merged.get(key, 0) + value
            elif isinstance(value, list):
                merged[key] = sorted([*merged.get(key, []), *value])
    return merged


@pytest.fixture(scope="module")
def fresh() -> MarginTenant:
    return build("margdet", seed=False)


def _keyed(mt: MarginTenant, alerts) -> dict:
    names = {mt.id("organization", k): k for k in ("dealer-metro", "dealer-coastal", "competitor")}
    skus = {mt.id("sku", k): k for k in ("d3", "omega", "zinc")}
    return {(a.rule, names[a.dealer_id], skus[a.sku_id]): a for a in alerts}


def test_detection_job_creates_the_expected_alerts_with_exact_impact(fresh):
    from seeds.margin import EXPECTED_IMPACT

    job_id = _run(fresh)
    job_status, item_status, result = _job_result(fresh, job_id)
    assert (job_status, item_status) == ("completed", "done")
    assert result["created"] == 12 and result["attached"] == 0
    keyed = _keyed(fresh, _alerts(fresh))
    assert set(keyed) == set(EXPECTED_IMPACT)
    for key, impact in EXPECTED_IMPACT.items():
        alert = keyed[key]
        assert alert.impact == impact, key
        assert alert.status == "open"
        assert Decimal(alert.explanation["total"]) == impact
        assert _evidence_count(fresh, alert.id) == alert.evidence_count > 0
    metro_map = keyed[("map_breach", "dealer-metro", "d3")]
    # Metro's MAP for D3 is its dealer override (479), and the alert says which rule set it
    assert metro_map.floor == Decimal("479")
    assert metro_map.floor_rule_id == fresh.id("price_rule", "map:d3:dealer-metro")
    assert metro_map.explanation["floor_source"]["price_rule_id"] == str(metro_map.floor_rule_id)
    rendered = metro_map.explanation["rendered"]
    assert "3 × (479.00 − 459.00)" in rendered and "2 × (479.00 − 469.00)" in rendered
    assert rendered.endswith("= 80.00")
    undercut = keyed[("competitor_undercut", "competitor", "d3")]
    assert undercut.floor == Decimal("499") and undercut.units == 17
    assert undercut.floor_rule_id == fresh.id("price_rule", "map:d3")


def test_rerun_creates_no_duplicates(fresh):
    before = {a.id: (a.impact, a.evidence_count) for a in _alerts(fresh)}
    job_id = _run(fresh)
    _, item_status, result = _job_result(fresh, job_id)
    assert item_status == "done"
    assert (result["created"], result["attached"], result["unchanged"]) == (0, 0, 12)
    assert {a.id: (a.impact, a.evidence_count) for a in _alerts(fresh)} == before


def test_new_evidence_attaches_to_the_open_alert(fresh):
    from models.core import mutations
    from models.core.db import tenant_session
    from models.margin.tables import MarginSaleRow
    from seeds.margin import DEMO_AS_OF

    keyed = _keyed(fresh, _alerts(fresh))
    target = keyed[("map_breach", "dealer-metro", "zinc")]
    old_count = _evidence_count(fresh, target.id)
    with tenant_session(fresh.ctx()) as session:
        mutations.create(
            session,
            fresh.ctx(),
            MarginSaleRow(
                tenant_id=fresh.tenant.tenant_id,
                dealer_id=fresh.id("organization", "dealer-metro"),
                sku_id=fresh.id("sku", "zinc"),
                channel_id=fresh.id("channel", "retail"),
                advertised_price=Decimal("244.50"),
                transaction_price=Decimal("299.00"),
                qty=4,
                currency="INR",
                observed_at=DEMO_AS_OF - timedelta(days=1),
                source="test",
            ),
        )
    job_id = _run(fresh)
    _, _, result = _job_result(fresh, job_id)
    assert (result["created"], result["attached"]) == (0, 1)
    assert result["attached_ids"] == [str(target.id)]
    after = {a.id: a for a in _alerts(fresh)}
    assert len(after) == 12
    # 100 + 4 × (249 − 244.50) = 118
    assert after[target.id].impact == Decimal("118")
    assert Decimal(after[target.id].explanation["total"]) == Decimal("118")
    assert _evidence_count(fresh, target.id) == old_count + 1
    # a second run finds nothing new
    _, _, result = _job_result(fresh, _run(fresh))
    assert (result["created"], result["attached"], result["unchanged"]) == (0, 0, 12)


def test_judged_evidence_is_not_raised_again(fresh):
    from models.core.db import tenant_session
    from models.margin.alerts import patch_alert

    keyed = _keyed(fresh, _alerts(fresh))
    target = keyed[("mrp_breach", "dealer-metro", "d3")]
    with tenant_session(fresh.ctx()) as session:
        patch_alert(session, fresh.ctx(), target.id, action="dismiss", reason="Coupon applied by the marketplace")
    _, _, result = _job_result(fresh, _run(fresh))
    assert result["created"] == 0
    alerts = _alerts(fresh)
    assert len(alerts) == 12
    assert {a.id: a.status for a in alerts}[target.id] == "dismissed"


def test_viewer_and_sales_cannot_submit_detection(fresh):
    from engine.errors import Forbidden
    from models.margin.detection_runs import submit_detection

    for role in ("viewer", "sales"):
        with pytest.raises(Forbidden):
            submit_detection(fresh.ctx(role))


def test_seeding_is_idempotent_and_yields_the_demo_dataset():
    from models.core.db import tenant_session
    from models.margin.tables import MarginAlertEvidence, MarginTask
    from seeds.catalog import tenant_ids
    from seeds.margin import build_margin

    mt = build("margseed")
    with tenant_session(mt.ctx()) as session:
        counts = (
            session.exec(select(func.count()).select_from(MarginTask)).one(),
            session.exec(select(func.count()).select_from(MarginAlertEvidence)).one(),
        )
    with tenant_session(mt.ctx()) as session:
        result = build_margin(session, mt.ctx(), tenant_ids(mt.tenant.tenant_id))
    assert (result["created"], result["attached"]) == (0, 0)
    with tenant_session(mt.ctx()) as session:
        again = (
            session.exec(select(func.count()).select_from(MarginTask)).one(),
            session.exec(select(func.count()).select_from(MarginAlertEvidence)).one(),
        )
    assert counts == again and counts[0] == 10
    assert len(_alerts(mt)) == 12
    assert all(isinstance(a.id, uuid.UUID) for a in _alerts(mt))


def test_reopening_while_a_newer_alert_is_open_is_a_conflict(fresh):
    from engine.errors import Conflict
    from models.core import mutations
    from models.core.db import tenant_session
    from models.margin.alerts import patch_alert
    from models.margin.tables import MarginSaleRow
    from seeds.margin import DEMO_AS_OF

    dismissed = _keyed(fresh, _alerts(fresh))[("mrp_breach", "dealer-metro", "d3")]
    assert dismissed.status == "dismissed"
    with tenant_session(fresh.ctx()) as session:
        mutations.create(
            session,
            fresh.ctx(),
            MarginSaleRow(
                tenant_id=fresh.tenant.tenant_id,
                dealer_id=fresh.id("organization", "dealer-metro"),
                sku_id=fresh.id("sku", "d3"),
                transaction_price=Decimal("580.00"),
                qty=2,
                currency="INR",
                observed_at=DEMO_AS_OF - timedelta(hours=5),
                source="test",
            ),
        )
    _, _, result = _job_result(fresh, _run(fresh))
    assert result["created"] == 1  # a fresh breach opens a new alert; the dismissed one stays closed
    fresh_alert = next(a for a in _alerts(fresh) if str(a.id) == result["created_ids"][0])
    assert (fresh_alert.rule, fresh_alert.impact, fresh_alert.evidence_count) == ("mrp_breach", Decimal("38"), 1)
    with pytest.raises(Conflict), tenant_session(fresh.ctx()) as session:
        patch_alert(session, fresh.ctx(), dismissed.id, action="reopen", reason="Dealer repeated it")


def test_dead_stock_and_undercut_window(fresh):
    from models.core import mutations
    from models.core.db import tenant_session
    from models.margin.tables import MarginCompetitorSnapshot, MarginInventoryRow
    from seeds.margin import DEMO_AS_OF

    with tenant_session(fresh.ctx()) as session:
        for days, qty in ((120, 5), (95, 3), (30, 100)):
            mutations.create(
                session,
                fresh.ctx(),
                MarginInventoryRow(
                    tenant_id=fresh.tenant.tenant_id,
                    dealer_id=fresh.id("organization", "dealer-coastal"),
                    sku_id=fresh.id("sku", "omega"),
                    qty=qty,
                    unit_cost=Decimal("700.25"),
                    received_at=DEMO_AS_OF - timedelta(days=days),
                ),
            )
        # a deep undercut outside the 30-day window is not judged
        mutations.create(
            session,
            fresh.ctx(),
            MarginCompetitorSnapshot(
                tenant_id=fresh.tenant.tenant_id,
                competitor_id=fresh.id("organization", "competitor"),
                sku_id=fresh.id("sku", "zinc"),
                price=Decimal("100.00"),
                observed_at=DEMO_AS_OF - timedelta(days=45),
            ),
        )
    _, _, result = _job_result(fresh, _run(fresh))
    assert result["created"] == 1
    keyed = _keyed(fresh, _alerts(fresh))
    dead = keyed[("dead_stock", "dealer-coastal", "omega")]
    assert dead.impact == Decimal("5602.00")  # (5 + 3) × 700.25
    assert dead.explanation["formula"] == "Σ qty × unit cost" and dead.floor is None
    assert ("competitor_undercut", "competitor", "zinc") not in keyed
