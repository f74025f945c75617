"""Preview math and skip reasons, a batch run through the real runner, already-compliant skips,
unique notices, dealer status decisions, exact report deltas and the formula-safe CSV."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from models.core.db import tenant_session
from models.core.tables import DecisionEvent
from models.margin import enforcement
from models.margin.enforcement.tables import EnforcementNotice
from models.margin.tables import MarginAlert, MarginSaleRow, MarginTask
from tests.integration.margin.enforcement.conftest import make_batch, run_batch


def _alert(tenant, rule, dealer, sku):
    with tenant_session(tenant.ctx()) as s:
        return s.exec(
            select(MarginAlert.id).where(
                MarginAlert.rule == rule,
                MarginAlert.dealer_id == tenant.id("organization", dealer),
                MarginAlert.sku_id == tenant.id("sku", sku),
            )
        ).one()


def test_preview_who_gets_what_recoverable_and_skip_reasons(margin_a):
    ctx = margin_a.ctx("ops")
    with tenant_session(ctx) as s:
        warn = enforcement.preview(s, ctx, {}, "warning_notice")
        final = enforcement.preview(s, ctx, {}, "final_notice")
        one = _alert(margin_a, "map_breach", "dealer-metro", "omega")
        dup = enforcement.preview(s, ctx, {"alert_ids": [str(one), str(one)]}, "request_price_correction")
    metro, coastal = (
        str(margin_a.id("organization", "dealer-metro")),
        str(margin_a.id("organization", "dealer-coastal")),
    )
    # warning: Metro (active → warned) only; Coastal is already warned; undercuts are not enforceable
    assert [i["dealer_id"] for i in warn["items"]] == [metro]
    assert warn["items"][0]["alert_count"] == 5
    assert (warn["items"][0]["status_before"], warn["items"][0]["status_after"]) == ("active", "warned")
    assert warn["recoverable"] == Decimal("560")  # 80 + 30 + 250 + 100 + 100
    assert warn["skipped_by_reason"] == {"dealer_already_at_step": 5, "rule_not_enforceable": 2}
    assert {s["reason"] for s in warn["skipped"] if s["dealer_id"] == coastal} == {"dealer_already_at_step"}
    # final notice: both dealers, Σ of the ten MAP/MRP impacts
    assert sorted(i["dealer_id"] for i in final["items"]) == sorted([metro, coastal])
    assert final["recoverable"] == Decimal("1534")
    assert final["totals"] == {"items": 2, "alerts": 10, "skipped": 2, "recoverable": Decimal("1534")}
    assert {i["status_after"] for i in final["items"]} == {"final_notice"}
    assert dup["skipped_by_reason"] == {"duplicate_alert": 1} and dup["recoverable"] == Decimal("250")


def test_preview_and_create_need_the_enforcement_permission(margin_a):
    from engine.errors import Forbidden

    for role in ("sales", "viewer"):
        ctx = margin_a.ctx(role)
        with tenant_session(ctx) as s, pytest.raises(Forbidden):
            enforcement.preview(s, ctx, {}, "warning_notice")
        with tenant_session(ctx) as s, pytest.raises(Forbidden):
            enforcement.create_batch(s, ctx, {}, "warning_notice")


def test_batch_runs_through_the_runner_with_notices_statuses_tasks_and_exact_report(fresh):
    ctx = fresh.ctx()
    batch_id = make_batch(fresh, "final_notice")
    with tenant_session(ctx) as s:
        batch = enforcement.get_batch(s, ctx, batch_id)
        assert batch.status == "queued" and batch.item_count == 2 and batch.expected_recoverable == Decimal("1534")
    run = run_batch(fresh, batch_id)
    assert run["status"] == "completed" and run["outcomes"] == {"done": 2}
    with tenant_session(ctx) as s:
        batch = enforcement.get_batch(s, ctx, batch_id)
        assert batch.status == "completed" and batch.started_at and batch.finished_at
        notices = s.exec(select(EnforcementNotice).where(EnforcementNotice.batch_id == batch_id)).all()
        assert len(notices) == 2 and len({n.idempotency_key for n in notices}) == 2
        # re-check: Metro's omega MAP still breaches (1199 < 1299), its 4 other alerts are compliant now
        metro = next(n for n in notices if n.dealer_id == fresh.id("organization", "dealer-metro"))
        assert metro.alert_ids == [str(_alert(fresh, "map_breach", "dealer-metro", "omega"))]
        statuses = dict(
            s.execute(text("select dealer_id, status from margin_dealer_status")).all()  # RLS: this tenant only
        )
        assert set(statuses.values()) == {"final_notice"}
        events = s.exec(
            select(DecisionEvent).where(
                DecisionEvent.machine == "margin_dealer", DecisionEvent.action == "final_notice"
            )
        ).all()
        assert sorted((e.from_status, e.to_status) for e in events) == [
            ("active", "final_notice"),
            ("warned", "final_notice"),
        ]
        alerts = {a.id: a.status for a in s.exec(select(MarginAlert).where(MarginAlert.rule != "competitor_undercut"))}
        assert sorted(alerts.values()).count("in_enforcement") == 5 and sorted(alerts.values()).count("resolved") == 5
        tasks = s.exec(select(MarginTask).where(MarginTask.title.like("Check prices after final notice%"))).all()  # type: ignore[attr-defined]
        assert len(tasks) == 2
        rep = enforcement.report(s, ctx, batch_id)
    assert rep["totals"]["outcomes"] == {"sent": 2} and rep["totals"]["notices_sent"] == 2
    d = rep["deltas"]
    assert (d["breaches_before"], d["breaches_after"], d["breaches_delta"]) == (10, 5, -5)
    assert (d["lost_margin_before"], d["lost_margin_after"]) == (Decimal("1534"), Decimal("1104"))
    assert d["lost_margin_delta"] == Decimal("-430")

    # Coastal corrects omega after the batch started: price after, time to comply, deltas move
    with tenant_session(ctx) as s:
        started = enforcement.get_batch(s, ctx, batch_id).started_at
        s.execute(
            insert(MarginSaleRow.__table__),  # type: ignore[attr-defined]
            [
                {
                    "id": uuid.uuid4(),
                    "tenant_id": ctx.tenant_id,
                    "dealer_id": fresh.id("organization", "dealer-coastal"),
                    "sku_id": fresh.id("sku", "omega"),
                    "advertised_price": Decimal("1299"),
                    "transaction_price": Decimal("1499"),
                    "qty": 1,
                    "currency": "INR",
                    "observed_at": started + timedelta(hours=36),
                    "source": "test",
                    "created_at": started,
                }
            ],
        )
    with tenant_session(ctx) as s:
        rep = enforcement.report(s, ctx, batch_id)
    d = rep["deltas"]
    assert (d["breaches_after"], d["lost_margin_after"]) == (3, Decimal("794"))  # 1104 − 155 − 155
    coastal = next(x for x in rep["dealers"] if x["dealer_id"] == str(fresh.id("organization", "dealer-coastal")))
    omega = [p for p in coastal["prices"] if p["floor"] in (Decimal("1299"), Decimal("1499"))]
    assert {(p["price_before"], p["price_after"]) for p in omega} == {
        (Decimal("1280"), Decimal("1299")),
        (Decimal("1480"), Decimal("1499")),
    }
    item = next(i for i in rep["items"] if i["dealer_id"] == str(fresh.id("organization", "dealer-coastal")))
    hours = {ln["time_to_comply_hours"] for ln in item["alerts"] if ln["floor"] in (Decimal("1299"), Decimal("1499"))}
    assert hours == {Decimal("36.00")}
    assert coastal["complied"] is False and coastal["time_to_comply_hours"] is None  # zinc still breaching


def test_already_compliant_item_is_skipped_without_a_notice(fresh):
    ctx = fresh.ctx()
    compliant = _alert(fresh, "map_breach", "dealer-metro", "d3")  # latest 489 ≥ Metro's floor 479
    batch_id = make_batch(fresh, "request_price_correction", {"alert_ids": [str(compliant)]})
    run = run_batch(fresh, batch_id)
    assert run["outcomes"] == {"skipped": 1}
    with tenant_session(ctx) as s:
        assert s.exec(select(EnforcementNotice).where(EnforcementNotice.batch_id == batch_id)).all() == []
        assert s.get(MarginAlert, compliant).status == "resolved"
        rep = enforcement.report(s, ctx, batch_id)
        assert enforcement.get_batch(s, ctx, batch_id).status == "completed"
    assert rep["totals"]["outcomes"] == {"already_compliant": 1}
    assert rep["items"][0]["notice_id"] is None


def test_a_notice_is_never_recorded_twice(fresh):
    ctx = fresh.ctx()
    batch_id = make_batch(fresh, "request_price_correction", {"rules": ["map_breach"]})
    with tenant_session(ctx) as s:
        batch = enforcement.get_batch(s, ctx, batch_id)
        item = enforcement.items_of(s, ctx, batch)[0]
        payload = {"batch_id": str(batch_id), "item_id": str(item.id), "dealer_id": str(item.dealer_id)}
    with tenant_session(ctx) as s:
        first = enforcement.process_item(s, ctx, payload, item.item_key)
    with tenant_session(ctx) as s:  # a redo of the same item (e.g. after a crash past the commit)
        second = enforcement.process_item(s, ctx, payload, item.item_key)
    assert first[1]["outcome"] == "sent" and second[1]["outcome"] == "notice_already_recorded"
    with tenant_session(ctx) as s:
        notices = s.exec(select(EnforcementNotice).where(EnforcementNotice.batch_id == batch_id)).all()
        assert len(notices) == 1
        tasks = s.exec(select(MarginTask).where(MarginTask.id == enforcement.task_id_for(ctx, item.item_key))).all()
        assert len(tasks) == 1
    with pytest.raises(IntegrityError), tenant_session(ctx) as s:
        n = notices[0]
        s.execute(
            insert(EnforcementNotice.__table__),  # type: ignore[attr-defined]
            [
                {
                    **{
                        c: getattr(n, c)
                        for c in (
                            "tenant_id",
                            "batch_id",
                            "dealer_id",
                            "action",
                            "alert_ids",
                            "subject",
                            "body",
                            "channel",
                            "idempotency_key",
                            "created_at",
                        )
                    },
                    "id": uuid.uuid4(),
                }
            ],
        )


@pytest.mark.parametrize("name", ["=SUM(A1)", "+1+1", "-2", "@cmd", "\tx", "\rx", "\nx"])
def test_csv_neutralises_formula_triggers(fresh, name):
    ctx = fresh.ctx()
    batch_id = make_batch(fresh, "request_price_correction", {"rules": ["map_breach"]}, start=False, name=name)
    with tenant_session(ctx) as s:
        filename, body = enforcement.report_csv(s, ctx, batch_id)
    assert filename == f"enforcement-{batch_id}.csv"
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "batch" and len(rows) == 1 + 6  # one line per alert (6 MAP alerts)
    assert {r[0] for r in rows[1:]} == {"'" + name}
    assert all(r[5] == "planned" for r in rows[1:])
    floors = {r[8] for r in rows[1:]}
    assert all(not f.startswith("'") for f in floors)  # numbers stay numeric


def test_cancel_a_queued_batch_cancels_its_job(fresh):
    ctx = fresh.ctx("ops")
    batch_id = make_batch(fresh, "request_price_correction", {"rules": ["map_breach"]})
    with tenant_session(ctx) as s:
        enforcement.cancel_batch(s, ctx, batch_id, "changed my mind")
    with tenant_session(ctx) as s:
        batch = enforcement.get_batch(s, ctx, batch_id)
        job = s.execute(text("select status from jobs where id = :j"), {"j": batch.job_id}).scalar()
        counts = enforcement.counts(s, ctx, batch)
    assert (batch.status, job) == ("cancelled", "cancelled")
    assert counts["cancelled"] == 2
