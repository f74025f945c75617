"""Re-running detection never duplicates an alert; evidence and impact attach to the open one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import Conflict
from engine.margin.dedupe import Attach, Candidate, OpenAlert, candidates_from_frames, plan
from engine.margin.detection import detect
from engine.margin.impact import exact_sum
from tests.unit.engine.margin.helpers import T0, D, sales


def _row(i: int, dealer: str = "d1", price: str = "90") -> dict:
    return {
        "row_id": f"s{i:03}",
        "dealer_id": dealer,
        "sku_id": "k1",
        "advertised_price": D(price),
        "transaction_price": D("100"),
        "qty": i % 4 + 1,
        "observed_at": T0 + timedelta(minutes=i),
        "map_floor": D("100"),
        "map_rule_id": "m1",
        "mrp_floor": D("100"),
        "mrp_rule_id": "r1",
    }


class FakeStore:
    """The alert table as the worker would keep it, applying a dedupe plan."""

    def __init__(self) -> None:
        self.alerts: dict[str, OpenAlert] = {}

    def apply(self, result) -> None:
        p = plan(self.alerts.values(), candidates_from_frames(result.alerts, result.evidence))
        for create in p.creates:
            c = create.candidate
            alert_id = f"a{len(self.alerts) + 1}"
            self.alerts[alert_id] = OpenAlert(alert_id, c.dealer_id, c.sku_id, c.rule, c.impact, frozenset(c.evidence))
        for a in p.attaches:
            old = self.alerts[a.alert_id]
            self.alerts[a.alert_id] = OpenAlert(
                old.id, old.dealer_id, old.sku_id, old.rule, a.impact, old.evidence_ids | set(a.new_evidence_ids)
            )


def test_rerunning_the_same_scan_changes_nothing():
    result = detect(sales([_row(i) for i in range(5)]))
    store = FakeStore()
    store.apply(result)
    assert len(store.alerts) == 1
    again = plan(store.alerts.values(), candidates_from_frames(result.alerts, result.evidence))
    assert again.creates == () and again.attaches == () and again.unchanged == ("a1",)


def test_new_rows_attach_and_impact_counts_each_row_once():
    store = FakeStore()
    store.apply(detect(sales([_row(i) for i in range(3)])))  # rows 0..2
    store.apply(detect(sales([_row(i) for i in range(2, 6)])))  # overlaps on row 2
    (alert,) = store.alerts.values()
    assert alert.evidence_ids == {f"s{i:03}" for i in range(6)}
    full = detect(sales([_row(i) for i in range(6)])).alerts.get_column("impact").item()
    assert alert.impact == full == D(10) * sum(i % 4 + 1 for i in range(6))


def test_other_keys_create_new_alerts_in_key_order():
    store = FakeStore()
    store.apply(detect(sales([_row(0)])))
    p = plan(store.alerts.values(), candidates_from_frames(*_frames(detect(sales([_row(1, "d0"), _row(2, "d9")])))))
    assert [c.candidate.dealer_id for c in p.creates] == ["d0", "d9"]


def _frames(result):
    return result.alerts, result.evidence


def test_stock_rules_replace_impact_instead_of_adding():
    open_alert = OpenAlert("a1", "comp", "k1", "competitor_undercut", D("500"), frozenset({"c1"}))
    cand = Candidate("comp", "k1", "competitor_undercut", D("300"), {"c1": D("300")})
    (attach,) = plan([open_alert], [cand]).attaches
    assert attach == Attach("a1", cand, (), D("300"))


def test_two_open_alerts_for_one_key_is_a_conflict():
    a = OpenAlert("a1", "d", "k", "map_breach", D(0), frozenset())
    with pytest.raises(Conflict):
        plan([a, OpenAlert("a2", "d", "k", "map_breach", D(0), frozenset())], [])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), max_size=12), min_size=1, max_size=5))
def test_any_sequence_of_overlapping_scans_equals_one_scan_over_their_union(scans):
    store = FakeStore()
    for ids in scans:
        rows = [_row(i, dealer=f"d{i % 2}") for i in sorted(set(ids))]
        store.apply(detect(sales(rows)))
    union = sorted({i for ids in scans for i in ids})
    once = detect(sales([_row(i, dealer=f"d{i % 2}") for i in union])).alerts
    assert len(store.alerts) == once.height  # never a duplicate per (dealer, sku, rule)
    by_key = {(a.dealer_id, a.rule): a for a in store.alerts.values()}
    for row in once.iter_rows(named=True):
        alert = by_key[(row["dealer_id"], row["rule"])]
        assert sorted(alert.evidence_ids) == row["evidence_ids"]
        assert alert.impact == exact_sum([row["impact"]])
