"""Golden cases: exact Decimal impact math and the rendered formula with its values."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import ValidationFailed
from engine.margin.detection import detect
from engine.margin.impact import (
    EvidenceRow,
    carrying_value,
    depth_pct,
    evidence_rows,
    explain,
    fmt,
    is_undercut,
    lost_margin,
    money,
    undercut_exposure,
)
from tests.unit.engine.margin.helpers import T0, D, inventory, our_prices, sales, snapshots


def test_issue_example_lost_margin_and_rendering():
    rows = [EvidenceRow("s2", 1, D("459.00"), D("499.00")), EvidenceRow("s1", 3, D("449.00"), D("499.00"))]
    e = explain("map_breach", rows)
    assert e.total == D("190.0000000000")
    assert e.rendered == "Σ qty × (floor − price) = 3 × (499.00 − 449.00) + 1 × (499.00 − 459.00) = 190.00"
    assert [t.evidence_id for t in e.terms] == ["s1", "s2"]
    assert [t.value for t in e.terms] == [D(150), D(40)]
    assert e.as_dict()["terms"][0]["values"] == {"qty": "3", "floor": "499.00", "price": "449.00"}


def test_sub_cent_prices_stay_exact():
    # 0.1 + 0.2 style traps: Decimal keeps every digit, floats would not
    total = lost_margin([(7, D("0.3"), D("0.1")), (3, D("19.9999999999"), D("19.9999999998"))])
    assert total == D("1.4000000003")
    assert fmt(total) == "1.4000000003"


def test_large_values_do_not_lose_digits_to_the_28_digit_context():
    qty, floor, price = 10**9, D("123456789012345.1234567891"), D("0.0000000001")
    assert lost_margin([(qty, floor, price)]) == D("123456789012345123456789.0000000000")


def test_depth_is_percent_below_floor_and_rounds_half_even():
    assert depth_pct(D("499"), D("449")) == D("10.0200400802")
    assert depth_pct(D("3"), D("2")) == D("33.3333333333")
    assert depth_pct(D("0"), D("-1")) == D("0")


def test_undercut_threshold_is_strictly_more_than():
    assert not is_undercut(D("100"), D("95"), D("5"))  # exactly 5 % below: not more than
    assert is_undercut(D("100"), D("94.9999999999"), D("5"))
    with pytest.raises(ValidationFailed):
        is_undercut(D("100"), D("90"), D("5.000000001"))  # needs a 9th decimal


def test_undercut_exposure_and_explanation():
    assert undercut_exposure(D("499"), [D("480"), D("420")], 12) == D("948")
    rows = [EvidenceRow("c2", 12, D("480"), D("499")), EvidenceRow("c1", 12, D("420"), D("499"))]
    e = explain("competitor_undercut", rows)
    assert e.rendered == "(our price − lowest competitor price) × units = (499.00 − 420.00) × 12 = 948.00"
    assert e.total == D("948")


def test_carrying_value_and_explanation():
    assert carrying_value([(10, D("25")), (4, D("30.5"))]) == D("372")
    e = explain("dead_stock", [EvidenceRow("i1", 10, D("25")), EvidenceRow("i2", 4, D("30.5"))])
    assert e.rendered == "Σ qty × unit cost = 10 × 25.00 + 4 × 30.50 = 372.00"


def test_long_explanations_are_abridged_but_keep_every_term():
    rows = [EvidenceRow(f"s{i:03}", 1, D("9"), D("10")) for i in range(30)]
    e = explain("mrp_breach", rows, max_terms=3)
    assert len(e.terms) == 30
    assert (
        e.rendered == "Σ qty × (floor − price) = 1 × (10.00 − 9.00) + 1 × (10.00 − 9.00) + 1 × (10.00 − 9.00) + … "
        "(27 more) = 30.00"
    )


def test_money_refuses_float():
    with pytest.raises(ValidationFailed):
        money(0.1)  # type: ignore[arg-type]
    assert money("1.23") == D("1.2300000000")


def test_detection_golden_scan_end_to_end():
    frame = sales(
        [
            {
                "row_id": "s1",
                "dealer_id": "d1",
                "sku_id": "k1",
                "advertised_price": D("449"),
                "transaction_price": D("449"),
                "qty": 3,
                "map_floor": D("499"),
                "map_rule_id": "map-1",
                "mrp_floor": D("450"),
                "mrp_rule_id": "mrp-1",
            },
            {
                "row_id": "s2",
                "dealer_id": "d1",
                "sku_id": "k1",
                "advertised_price": D("459"),
                "transaction_price": D("455"),
                "qty": 1,
                "observed_at": T0 + timedelta(hours=1),
                "map_floor": D("499"),
                "map_rule_id": "map-2",
                "mrp_floor": D("450"),
                "mrp_rule_id": "mrp-1",
            },
            {
                "row_id": "s3",
                "dealer_id": "d2",
                "sku_id": "k1",
                "advertised_price": D("499"),
                "transaction_price": D("499"),
                "qty": 5,
                "map_floor": D("499"),
                "map_rule_id": "map-1",
                "mrp_floor": D("450"),
                "mrp_rule_id": "mrp-1",
            },
            {"row_id": "s4", "dealer_id": "d2", "sku_id": "k2", "advertised_price": D("1"), "qty": 2},  # no floors
        ]
    )
    snaps = snapshots(
        [
            {"snapshot_id": "c1", "competitor_id": "comp", "sku_id": "k1", "price": D("420")},
            {"snapshot_id": "c2", "competitor_id": "comp", "sku_id": "k1", "price": D("480")},
        ]
    )
    ours = our_prices([{"sku_id": "k1", "our_price": D("499"), "our_price_rule_id": "list-1"}])
    inv = inventory(
        [
            {
                "row_id": "i1",
                "dealer_id": "d1",
                "sku_id": "k2",
                "qty": 10,
                "unit_cost": D("25"),
                "received_at": T0 - timedelta(days=90),
            },
            {
                "row_id": "i2",
                "dealer_id": "d1",
                "sku_id": "k2",
                "qty": 4,
                "unit_cost": D("30"),
                "received_at": T0 - timedelta(days=90) + timedelta(microseconds=1),
            },
        ]
    )
    result = detect(frame, snapshots=snaps, our_prices=ours, inventory=inv, as_of=T0)
    got = result.alerts.select("rule", "dealer_id", "sku_id", "evidence_ids", "impact", "floor", "floor_rule_id").rows()
    assert got == [
        ("competitor_undercut", "comp", "k1", ["c1"], D("711"), D("499"), "list-1"),  # (499 − 420) × 9 units
        ("dead_stock", "d1", "k2", ["i1"], D("250"), None, None),
        ("map_breach", "d1", "k1", ["s1", "s2"], D("190"), D("499"), "map-2"),  # latest row's rule
        ("mrp_breach", "d1", "k1", ["s1"], D("3"), D("450"), "mrp-1"),
    ]
    ev = result.evidence.filter(rule="map_breach")
    assert explain("map_breach", evidence_rows(ev)).total == D("190")
    assert result.alerts.get_column("severity").to_list() == ["high", "medium", "medium", "low"]
