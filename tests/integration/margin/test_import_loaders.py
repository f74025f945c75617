"""The margin loaders called directly with typed Polars frames (as the import pipeline hands them):
tenant-scoped reference checks and hints, bulk merge with provenance, detection queued per import."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import polars as pl
import pytest
from sqlalchemy import text
from sqlmodel import select

from engine.errors import Forbidden
from tests.integration.margin.conftest import MarginTenant, build

MONEY = pl.Decimal(38, 10)
TODAY = datetime.now(UTC).date()


def sales_frame(rows: list[tuple]) -> pl.DataFrame:
    """(dealer, sku, day, qty, net rate, advertised) rows; __row counts from 2 (after the header)."""
    return pl.DataFrame(
        {
            "__row": list(range(2, 2 + len(rows))),
            "dealer": [r[0] for r in rows],
            "sku": [r[1] for r in rows],
            "date": [r[2] for r in rows],
            "qty": [r[3] for r in rows],
            "transaction_price": [None if r[4] is None else Decimal(r[4]) for r in rows],
            "advertised_price": [None if r[5] is None else Decimal(r[5]) for r in rows],
        },
        schema={
            "__row": pl.Int64,
            "dealer": pl.String,
            "sku": pl.String,
            "date": pl.Date,
            "qty": pl.Int64,
            "transaction_price": MONEY,
            "advertised_price": MONEY,
        },
    )


def _session(mt: MarginTenant, role: str = "ops"):
    from models.core.db import tenant_session

    return tenant_session(mt.ctx(role))


def _loader(name: str):
    from models.margin.import_loaders import LOADERS

    return LOADERS[name]


@pytest.fixture(scope="module")
def tenants() -> tuple[MarginTenant, MarginTenant]:
    from models.catalog import orgs
    from models.catalog.inputs import OrgCreate

    a, b = build("impa"), build("impb", seed=False)
    with _session(b, "owner") as session:
        orgs.create_org(session, b.ctx("owner"), OrgCreate(type="dealer", code="DLR-BOMBAY", name="Bombay Medicos"))
    return a, b


def test_check_reports_unknown_references_with_hints_from_this_tenant_only(tenants):
    a, _ = tenants
    day = TODAY - timedelta(days=2)
    frame = sales_frame(
        [
            ("Metro Pharma", "AUR-D3-60", day, 2, "459.00", None),  # near miss: hinted
            ("DLR-BOMBAY", "AUR-D3-60", day, 1, "450.00", None),  # tenant B's code: not found in A
            ("Bombay Medico", "AUR-D3-60", day, 1, "450.00", None),  # B's name is never suggested to A
            ("DLR-COASTAL", "AUR-D3-6O", day, 1, "450.00", None),  # SKU typo
            ("Coastal Health Mart", "AUR-ZINC-30", day, 3, None, None),  # no price
            ("DLR-METRO", "AUR-ZINC-30", day, -1, "240.00", None),  # negative quantity
            ("Rival Labs", "AUR-ZINC-30", day, 1, "240.00", None),  # a competitor is not a dealer
        ]
    )
    with _session(a) as session:
        issues = _loader("margin.sales").check(session, a.ctx("ops"), frame)
    by_row = {(i.row, i.column): i for i in issues}
    assert by_row[(2, "dealer")].hint == "did you mean 'Metro Pharma Retail'?"
    assert by_row[(3, "dealer")].message == "dealer 'DLR-BOMBAY' not found"
    assert "Bombay" not in by_row[(3, "dealer")].hint
    assert by_row[(4, "dealer")].message == "dealer 'Bombay Medico' not found"
    assert "Bombay" not in by_row[(4, "dealer")].hint
    assert by_row[(5, "sku")].hint == "did you mean 'AUR-D3-60'?"
    assert by_row[(6, "transaction_price")].hint == "give a net rate or an advertised price"
    assert by_row[(7, "qty")].message == "quantity cannot be negative"
    assert by_row[(8, "dealer")].message == "dealer 'Rival Labs' not found"
    assert sorted(by_row) == [
        (2, "dealer"),
        (3, "dealer"),
        (4, "dealer"),
        (5, "sku"),
        (6, "transaction_price"),
        (7, "qty"),
        (8, "dealer"),
    ]


def test_tenant_b_matches_its_own_dealer_and_a_clean_file_has_no_issues(tenants):
    _, b = tenants
    day = TODAY - timedelta(days=1)
    frame = sales_frame(
        [("bombay medicos", "AUR-D3-60", day, 2, "450.00", None), ("DLR-METRO", "AUR-D3-60", day, 1, None, "470")]
    )
    with _session(b) as session:
        assert _loader("margin.sales").check(session, b.ctx("ops"), frame) == []


def test_duplicates_within_the_file_are_reported(tenants):
    a, _ = tenants
    day = TODAY - timedelta(days=1)
    row = ("DLR-METRO", "AUR-D3-60", day, 2, "459.00", None)
    with _session(a) as session:
        issues = _loader("margin.sales").check(session, a.ctx("ops"), sales_frame([row, row]))
    assert [(i.row, i.message) for i in issues] == [(3, "the same row as row 2")]


def test_sales_and_viewers_may_not_import(tenants):
    a, _ = tenants
    frame = sales_frame([("DLR-METRO", "AUR-D3-60", TODAY, 1, "459.00", None)])
    for role in ("sales", "viewer"):
        with pytest.raises(Forbidden), _session(a, role) as session:
            _loader("margin.sales").check(session, a.ctx(role), frame)
        with pytest.raises(Forbidden), _session(a, role) as session:
            _loader("margin.sales").merge(session, a.ctx(role), frame, upload_id=uuid.uuid4())


def _rows_of(mt: MarginTenant, model, upload_id):
    with _session(mt, "owner") as session:
        return list(session.exec(select(model).where(model.upload_id == upload_id)).all())


def _runs(mt: MarginTenant, upload_id):
    from models.margin.tables import MarginDetectionRun

    return _rows_of(mt, MarginDetectionRun, upload_id)


def test_merge_writes_rows_with_their_upload_queues_detection_and_skips_what_it_has(tenants):
    from models.jobs.tables import Job
    from models.margin.tables import MarginSaleRow

    a, _ = tenants
    day = TODAY - timedelta(days=1)
    frame = sales_frame(
        [
            ("Metro Pharma Retail", "AUR-OMEGA-90", day, 2, "1199.00", None),
            ("DLR-COASTAL", "AUR-ZINC-30", day, 5, None, "239.50"),
        ]
    ).with_columns(pl.Series("channel", ["RETAIL", None]), pl.Series("currency", [None, "inr"]))
    upload = uuid.uuid4()
    with _session(a) as session:
        counts = _loader("margin.sales").merge(session, a.ctx("ops"), frame, upload_id=upload)
    assert (counts.inserted, counts.skipped) == (2, 0)
    rows = sorted(_rows_of(a, MarginSaleRow, upload), key=lambda r: r.qty)
    assert [(r.dealer_id, r.sku_id, r.qty) for r in rows] == [
        (a.id("organization", "dealer-metro"), a.id("sku", "omega"), 2),
        (a.id("organization", "dealer-coastal"), a.id("sku", "zinc"), 5),
    ]
    assert rows[0].transaction_price == Decimal("1199") and rows[0].advertised_price is None
    assert rows[0].channel_id == a.id("channel", "retail") and rows[1].channel_id is None
    assert {r.currency for r in rows} == {"INR"} and {r.source for r in rows} == {"import"}
    assert rows[0].observed_at == datetime(day.year, day.month, day.day, tzinfo=UTC)
    # a row's id is the md5 of its fields and its tenant, in this order: rows imported by any
    # earlier version keep deduping against the same rows brought again
    with _session(a, "owner") as session:
        keyed = session.execute(
            text(
                "select count(*) from margin_sale_rows where upload_id = :u and id = md5(concat_ws('|', "
                "quote_nullable(dealer_id), quote_nullable(sku_id), quote_nullable(channel_id), "
                "quote_nullable(advertised_price), quote_nullable(transaction_price), quote_nullable(qty), "
                "quote_nullable(currency), quote_nullable(observed_at), quote_nullable(tenant_id)))::uuid"
            ),
            {"u": upload},
        ).scalar_one()
    assert keyed == 2
    (run,) = _runs(a, upload)
    assert (run.trigger, run.target, run.rows_imported, run.rows_skipped) == ("import", "margin.sales", 2, 0)
    assert run.finished_at is None and run.new_breaches is None
    with _session(a, "owner") as session:
        job = session.get(Job, run.job_id)
        assert job is not None and (job.kind, job.status) == ("margin.detect", "queued")
        assert job.params["run_id"] == str(run.id)

    # the same rows again (an overlapping export): nothing new, all counted as skipped
    again = uuid.uuid4()
    with _session(a) as session:
        counts = _loader("margin.sales").merge(session, a.ctx("ops"), frame, upload_id=again)
    assert (counts.inserted, counts.skipped) == (0, 2)
    assert _rows_of(a, MarginSaleRow, again) == []
    assert [(r.rows_imported, r.rows_skipped) for r in _runs(a, again)] == [(0, 2)]


def test_detection_runs_after_an_import_and_records_the_new_breaches(tenants):
    from models.jobs.runner import run_job_sync
    from models.jobs.tables import JobItem
    from models.margin.tables import MarginAlert, MarginAlertEvidence, MarginSaleRow
    from workers.registry import load_kinds

    load_kinds()
    a, _ = tenants
    # Coastal bills D3 at 450 and 460, under its MRP floor of 599 (no open MRP alert for the pair yet):
    # lost margin 3 × (599 − 450) + 1 × (599 − 460) = 586
    day = TODAY - timedelta(days=3)
    frame = sales_frame(
        [("DLR-COASTAL", "AUR-D3-60", day, 3, "450.00", None), ("DLR-COASTAL", "AUR-D3-60", day, 1, "460.00", None)]
    )
    upload = uuid.uuid4()
    with _session(a) as session:
        _loader("margin.sales").merge(session, a.ctx("ops"), frame, upload_id=upload)
    (run,) = _runs(a, upload)
    run_job_sync(a.tenant.tenant_id, run.job_id)
    (run,) = _runs(a, upload)
    assert run.finished_at is not None and run.started_at is not None and run.started_at <= run.finished_at
    with _session(a, "owner") as session:
        sale_ids = {r.id for r in session.exec(select(MarginSaleRow).where(MarginSaleRow.upload_id == upload)).all()}
        evidence = session.exec(select(MarginAlertEvidence).where(MarginAlertEvidence.job_id == run.job_id)).all()
        alerts = {e.alert_id: session.get(MarginAlert, e.alert_id) for e in evidence if e.sale_row_id in sale_ids}
    (alert,) = alerts.values()
    assert (alert.rule, alert.dealer_id, alert.sku_id) == (
        "mrp_breach",
        a.id("organization", "dealer-coastal"),
        a.id("sku", "d3"),
    )
    assert (alert.impact, alert.evidence_count) == (Decimal("586"), 2)
    assert alert.explanation["rendered"].endswith("= 586.00")
    # the run scans the whole tenant (rows of earlier imports too), in items (the market, then groups
    # of dealers): its counts are its items' counts added up
    with _session(a, "owner") as session:
        items = session.exec(select(JobItem).where(JobItem.job_id == run.job_id)).all()
    assert {i.status for i in items} == {"done"}
    assert str(alert.id) in [i for item in items for i in item.result["created_ids"]]
    totals = (sum(i.result["created"] for i in items), sum(i.result["attached"] for i in items))
    assert (run.new_breaches, run.attached) == totals


def test_snapshots_and_inventory_merge(tenants):
    from models.margin.tables import MarginCompetitorSnapshot, MarginInventoryRow

    a, _ = tenants
    day = TODAY - timedelta(days=4)
    snaps = pl.DataFrame(
        {
            "__row": [2],
            "competitor": ["Rival Labs"],
            "sku": ["AUR-ZINC-30"],
            "price": [Decimal("199.00")],
            "date": [day],
        },
        schema_overrides={"price": MONEY},
    )
    stock = pl.DataFrame(
        {
            "__row": [2, 3],
            "dealer": ["DLR-METRO", "Metro Pharma Retaill"],
            "sku": ["AUR-OMEGA-90", "AUR-OMEGA-90"],
            "qty": [7, 1],
            "unit_cost": [Decimal("700.25"), Decimal("700.25")],
            "received_on": [TODAY - timedelta(days=120), date(2026, 1, 1)],
        },
        schema_overrides={"unit_cost": MONEY},
    )
    with _session(a) as session:
        assert _loader("margin.snapshots").check(session, a.ctx("ops"), snaps) == []
        (issue,) = _loader("margin.inventory").check(session, a.ctx("ops"), stock)
        assert issue.row == 3 and issue.hint == "did you mean 'Metro Pharma Retail'?"
        upload = uuid.uuid4()
        assert _loader("margin.snapshots").merge(session, a.ctx("ops"), snaps, upload_id=upload).inserted == 1
        assert _loader("margin.inventory").merge(session, a.ctx("ops"), stock.head(1), upload_id=upload).inserted == 1
    (snap,) = _rows_of(a, MarginCompetitorSnapshot, upload)
    assert (snap.competitor_id, snap.price, snap.currency) == (
        a.id("organization", "competitor"),
        Decimal("199"),
        "INR",
    )
    (inv,) = _rows_of(a, MarginInventoryRow, upload)
    assert (inv.qty, inv.unit_cost, inv.received_at.date()) == (7, Decimal("700.25"), TODAY - timedelta(days=120))
    assert sorted(r.target for r in _runs(a, upload)) == ["margin.inventory", "margin.snapshots"]


def _waiting_on_the_merge_lock() -> bool:
    """True once some backend waits for a transaction advisory lock (the second merge below)."""
    from models.core.db import owner_session

    with owner_session() as session:
        return bool(
            session.execute(
                text("select count(*) from pg_locks where locktype = 'advisory' and not granted")
            ).scalar_one()
        )


def test_two_merges_of_the_same_rows_take_turns_and_a_file_brings_a_row_once(tenants):
    """Merges of one tenant take turns (a transaction advisory lock): the second, started while the
    first is uncommitted, waits, then sees the first's rows and skips them all. Twice the same row
    in one frame is inserted once."""
    import threading
    import time

    from models.margin.tables import MarginSaleRow

    a, _ = tenants
    day = TODAY - timedelta(days=3)
    frame = sales_frame(
        [
            ("DLR-COASTAL", "AUR-ZINC-30", day, 7, "201.00", None),
            ("DLR-COASTAL", "AUR-ZINC-30", day, 7, "201.00", None),  # the same row again
            ("Metro Pharma Retail", "AUR-OMEGA-90", day, 7, "1101.00", None),
        ]
    )
    first_upload, second_upload = uuid.uuid4(), uuid.uuid4()
    second: dict[str, object] = {}

    def merge_again() -> None:
        with _session(a) as session:
            second["counts"] = _loader("margin.sales").merge(session, a.ctx("ops"), frame, upload_id=second_upload)

    with _session(a) as session:
        first = _loader("margin.sales").merge(session, a.ctx("ops"), frame, upload_id=first_upload)
        thread = threading.Thread(target=merge_again, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not _waiting_on_the_merge_lock():  # a condition polled, not a sleep taken as proof
            assert time.monotonic() < deadline, "the second merge never waited for the first"
            assert thread.is_alive(), second
            time.sleep(0.02)
        assert "counts" not in second  # still waiting while the first is uncommitted
    thread.join(30)
    assert not thread.is_alive()
    assert (first.inserted, first.skipped) == (2, 1)
    counts = second["counts"]
    assert (counts.inserted, counts.skipped) == (0, 3)  # type: ignore[attr-defined]
    assert len(_rows_of(a, MarginSaleRow, first_upload)) == 2 and _rows_of(a, MarginSaleRow, second_upload) == []
