"""Detection's frame contract: refuses lossy inputs, runs only the workflows given, stays ordered."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest

from engine.errors import ValidationFailed
from engine.margin.detection import DetectionConfig, detect
from engine.margin.floors import attach_floors, floor_queries
from engine.margin.frames import ALERT_SCHEMA, EVIDENCE_SCHEMA, SALES_SCHEMA
from engine.pricing import resolve_frame, rules_frame
from tests.unit.engine.margin.helpers import T0, D, inventory, our_prices, sales, snapshots
from tests.unit.engine.pricing.helpers import rule

ROW = {
    "row_id": "s1",
    "dealer_id": "d1",
    "sku_id": "k1",
    "advertised_price": D("9"),
    "transaction_price": D("9"),
    "qty": 2,
    "map_floor": D("10"),
    "map_rule_id": "m1",
    "mrp_floor": D("10"),
    "mrp_rule_id": "r1",
}


def test_no_inputs_gives_empty_frames_with_the_contract_schemas():
    result = detect()
    assert result.evidence.schema == pl.Schema(EVIDENCE_SCHEMA)
    assert result.alerts.schema == pl.Schema(ALERT_SCHEMA)
    assert result.alerts.is_empty()


def test_float_money_is_refused_not_cast():
    frame = sales([ROW]).with_columns(pl.col("map_floor").cast(pl.Float64))
    with pytest.raises(ValidationFailed, match="float"):
        detect(frame)


def test_naive_timestamps_and_missing_columns_are_refused():
    with pytest.raises(ValidationFailed, match="timezone"):
        detect(sales([ROW]).with_columns(pl.col("observed_at").dt.replace_time_zone(None)))
    with pytest.raises(ValidationFailed, match="lacks columns map_floor"):
        detect(sales([ROW]).drop("map_floor"))


def test_negative_quantity_is_refused():
    with pytest.raises(ValidationFailed, match="negative"):
        detect(sales([ROW | {"qty": -1}]))


def test_undercut_needs_our_prices_unique_per_sku():
    snaps = snapshots([{"snapshot_id": "c", "competitor_id": "x", "sku_id": "k1", "price": D("1")}])
    with pytest.raises(ValidationFailed):
        detect(snapshots=snaps)
    dup = our_prices([{"sku_id": "k1", "our_price": D("2")}, {"sku_id": "k1", "our_price": D("3")}])
    with pytest.raises(ValidationFailed, match="more than one"):
        detect(snapshots=snaps, our_prices=dup)


def test_dead_stock_needs_aware_as_of_and_uses_the_threshold_parameter():
    inv = inventory(
        [
            {
                "row_id": "i",
                "dealer_id": "d",
                "sku_id": "k",
                "qty": 1,
                "unit_cost": D("5"),
                "received_at": T0 - timedelta(days=30),
            }
        ]
    )
    with pytest.raises(ValidationFailed, match="as_of"):
        detect(inventory=inv, as_of=datetime(2025, 3, 1))
    assert detect(inventory=inv, as_of=T0).alerts.is_empty()
    aged = detect(inventory=inv, as_of=T0, config=DetectionConfig(dead_stock_days=30))
    assert aged.evidence.get_column("age_days").to_list() == [30]


def test_price_at_floor_is_not_a_breach_and_null_floor_never_breaches():
    frame = sales(
        [
            ROW | {"advertised_price": D("10"), "transaction_price": D("10")},
            ROW | {"row_id": "s2", "map_floor": None, "mrp_floor": None},
        ]
    )
    assert detect(frame).alerts.is_empty()


def test_order_is_deterministic_whatever_the_input_order():
    rows = [ROW | {"row_id": f"s{i}", "dealer_id": f"d{i % 3}", "sku_id": f"k{i % 2}"} for i in range(12)]
    forward = detect(sales(rows))
    backward = detect(sales(rows[::-1]))
    assert forward.alerts.equals(backward.alerts)
    assert forward.evidence.equals(backward.evidence)


def test_config_refuses_bad_parameters():
    with pytest.raises(ValidationFailed):
        DetectionConfig(undercut_pct=D("-1"))
    with pytest.raises(ValidationFailed):
        DetectionConfig(dead_stock_days=-1)


def test_floors_come_from_the_price_resolver_row_aligned():
    plain = pl.DataFrame(
        {
            "row_id": ["a", "b", "c"],
            "dealer_id": ["d1", "d2", "d1"],
            "sku_id": ["sku-1"] * 3,
            "channel_id": ["web", "web", "shop"],
            "advertised_price": [D("90"), D("90"), D("90")],
            "transaction_price": [D("80"), D("95"), D("95")],
            "qty": [1, 2, 3],
            "observed_at": [T0] * 3,
        },
        schema=SALES_SCHEMA,
    )
    rules = rules_frame(
        [
            rule("map-global", "100", kind="map", start=T0),
            rule("map-d2", "85", kind="map", org="d2", start=T0),
            rule("mrp-web", "90", kind="mrp", channel="web", start=T0),
        ]
    )
    priced = attach_floors(
        plain,
        resolve_frame(floor_queries(plain, "map", "USD"), rules),
        resolve_frame(floor_queries(plain, "mrp", "USD"), rules),
    )
    assert priced.select("map_rule_id", "mrp_rule_id").rows() == [
        ("map-global", "mrp-web"),
        ("map-d2", "mrp-web"),
        ("map-global", None),
    ]
    alerts = detect(priced).alerts
    assert alerts.select("rule", "dealer_id", "evidence_ids", "impact", "floor_rule_id").rows() == [
        ("map_breach", "d1", ["a", "c"], D("40"), "map-global"),
        ("mrp_breach", "d1", ["a"], D("10"), "mrp-web"),
    ]


def test_attach_floors_refuses_misaligned_resolutions():
    plain = sales([ROW]).select(list(SALES_SCHEMA))
    resolved = pl.DataFrame({"price": [], "rule_id": []}, schema={"price": pl.Decimal(38, 10), "rule_id": pl.String})
    with pytest.raises(ValidationFailed, match="misaligned|rows for"):
        attach_floors(plain, resolved, resolved)
