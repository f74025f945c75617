"""Property tests: the vectorized scan equals the row-by-row Decimal reference on every input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.margin.detection import DetectionConfig, detect
from engine.margin.impact import QUANTUM, depth_pct, evidence_rows, explain
from engine.margin.reference import reference_alerts, reference_evidence
from engine.margin.severity import SeverityPolicy, severity_of
from tests.unit.engine.margin.helpers import T0, inventory, our_prices, sales, snapshots

# Prices on a small grid plus values with all ten decimals, so ties and rounding both show up.
prices = st.one_of(
    st.sampled_from([Decimal(v) for v in ("0", "1", "9.99", "10", "99.5", "100", "449", "499")]),
    st.decimals(min_value=Decimal("-1"), max_value=Decimal("100000"), places=10, allow_nan=False, allow_infinity=False),
).map(lambda d: d.quantize(QUANTUM))
maybe_price = st.one_of(st.none(), prices)
dealers = st.sampled_from(["d1", "d2", "d3"])
skus = st.sampled_from(["k1", "k2"])
hours = st.integers(0, 5).map(lambda h: T0 + timedelta(hours=h))
qtys = st.integers(0, 10**6)


@st.composite
def sale_rows(draw):
    n = draw(st.integers(0, 25))
    return [
        {
            "row_id": f"s{i:02}",
            "dealer_id": draw(dealers),
            "sku_id": draw(skus),
            "advertised_price": draw(maybe_price),
            "transaction_price": draw(maybe_price),
            "qty": draw(qtys),
            "observed_at": draw(hours),
            "map_floor": draw(maybe_price),
            "map_rule_id": draw(st.sampled_from(["m1", "m2"])),
            "mrp_floor": draw(maybe_price),
            "mrp_rule_id": draw(st.sampled_from(["r1", "r2"])),
        }
        for i in range(n)
    ]


@st.composite
def snapshot_rows(draw):
    n = draw(st.integers(0, 8))
    return [
        {
            "snapshot_id": f"c{i}",
            "competitor_id": draw(st.sampled_from(["x", "y"])),
            "sku_id": draw(skus),
            "price": draw(prices),
            "observed_at": draw(hours),
        }
        for i in range(n)
    ]


@st.composite
def inventory_rows(draw):
    n = draw(st.integers(0, 8))
    return [
        {
            "row_id": f"i{i}",
            "dealer_id": draw(dealers),
            "sku_id": draw(skus),
            "qty": draw(qtys),
            "unit_cost": draw(prices),
            "received_at": T0 - timedelta(days=draw(st.integers(85, 95)), seconds=draw(st.sampled_from([-1, 0, 1]))),
        }
        for i in range(n)
    ]


pcts = st.decimals(min_value=0, max_value=50, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sale_rows(), snapshot_rows(), inventory_rows(), pcts, st.booleans())
def test_vectorized_equals_reference(s, snaps, inv, pct, with_k2_price):
    ours = [{"sku_id": "k1", "our_price": Decimal("449.0000000000"), "our_price_rule_id": "list-k1"}]
    if with_k2_price:
        ours.append({"sku_id": "k2", "our_price": Decimal("10.0000000001"), "our_price_rule_id": "list-k2"})
    config = DetectionConfig(undercut_pct=pct)
    got = detect(
        sales(s),
        snapshots=snapshots(snaps),
        our_prices=our_prices(ours),
        inventory=inventory(inv),
        as_of=T0,
        config=config,
    )
    want_evidence = reference_evidence(s, snaps, ours, inv, as_of=T0, undercut_pct=pct)
    assert got.evidence.to_dicts() == want_evidence
    assert got.alerts.to_dicts() == reference_alerts(want_evidence, config.severity)
    # every alert's stored impact equals its explanation's total
    for alert in got.alerts.iter_rows(named=True):
        rows = got.evidence.filter(rule=alert["rule"], dealer_id=alert["dealer_id"], sku_id=alert["sku_id"])
        assert explain(alert["rule"], evidence_rows(rows)).total == alert["impact"]


@settings(max_examples=200, deadline=None)
@given(prices, prices)
def test_depth_matches_polars_division(floor, price):
    import polars as pl

    from engine.margin.frames import MONEY
    from engine.margin.impact import depth_expr

    frame = pl.DataFrame({"f": [floor], "p": [price]}, schema={"f": MONEY, "p": MONEY})
    assert frame.select(depth_expr("f", "p")).item() == depth_pct(floor, price)


@given(st.decimals(min_value=0, max_value=10**6, places=10), st.one_of(st.none(), st.decimals(0, 100, places=10)))
def test_severity_is_monotone_in_impact(impact, depth):
    policy = SeverityPolicy()
    from engine.margin.severity import LEVELS

    more = severity_of(impact + 1000, depth, policy)
    assert LEVELS.index(more) >= LEVELS.index(severity_of(impact, depth, policy))
