"""Bulk enforcement preview: who gets what, recoverable margin, skips and why; re-check; keys."""

from __future__ import annotations

import pytest

from engine.errors import Forbidden, ValidationFailed
from engine.margin.enforcement import (
    AlertRef,
    effect_key,
    is_compliant,
    item_key,
    preview,
    recheck,
)
from engine.rbac import Role
from tests.unit.engine.margin.helpers import D, ctx

OPS = ctx(Role.OPS)


def a(id_, dealer, sku="k1", rule="map_breach", status="open", impact="10"):
    return AlertRef(id_, dealer, sku, rule, status, D(impact), D("100"))


DEALERS = {
    "d-active": "active",
    "d-warned": "warned",
    "d-final": "final_notice",
    "d-susp": "suspended",
    "d-term": "terminated",
}


def skips(p):
    return {s.alert_id: s.reason for s in p.skipped}


def test_warning_notice_groups_per_dealer_and_sums_recoverable_margin():
    p = preview(
        "warning_notice",
        [a("a2", "d-active", "k2", impact="40.5"), a("a1", "d-active", impact="150"), a("a3", "d-warned")],
        DEALERS,
        OPS,
    )
    (item,) = p.items
    assert (item.dealer_id, item.alert_ids, item.sku_ids) == ("d-active", ("a1", "a2"), ("k1", "k2"))
    assert (item.status_before, item.status_after, item.dealer_action) == ("active", "warned", "warn")
    assert item.recoverable == p.recoverable == D("190.5")
    assert skips(p) == {"a3": "dealer_already_at_step"}
    assert p.skipped[0].detail == "dealer already at or past this step"


def test_skip_reasons_cover_alert_state_rule_and_dealer_status():
    selected = [
        a("r", "d-active", status="resolved"),
        a("x", "d-active", status="dismissed"),
        a("u", "d-active", rule="competitor_undercut"),
        a("s", "d-susp"),
        a("t", "d-term"),
        a("n", "d-nobody"),
        a("ok", "d-active", status="in_enforcement"),
        a("ok", "d-active", status="in_enforcement"),
    ]
    p = preview("suspend_dealer", selected, DEALERS, OPS)
    assert [(s.alert_id, s.reason) for s in p.skipped] == [
        ("ok", "action_not_allowed_from_status"),  # suspend needs a warning first
        ("ok", "duplicate_alert"),
        ("r", "alert_resolved"),
        ("u", "rule_not_enforceable"),
        ("x", "alert_dismissed"),
        ("n", "dealer_unknown"),
        ("s", "dealer_already_suspended"),
        ("t", "dealer_terminated"),
    ]
    assert p.items == () and p.recoverable == 0
    assert p.skipped_by_reason["alert_resolved"] == 1


def test_final_notice_and_price_correction_from_each_rung():
    p = preview("final_notice", [a("1", "d-active"), a("2", "d-warned"), a("3", "d-final")], DEALERS, OPS)
    assert [(i.dealer_id, i.status_after) for i in p.items] == [
        ("d-active", "final_notice"),
        ("d-warned", "final_notice"),
    ]
    assert skips(p) == {"3": "dealer_already_at_step"}
    p = preview("request_price_correction", [a("1", "d-final"), a("2", "d-susp")], DEALERS, OPS)
    assert [(i.dealer_id, i.status_after, i.dealer_action) for i in p.items] == [("d-final", "final_notice", None)]
    assert skips(p) == {"2": "dealer_already_suspended"}


@pytest.mark.parametrize("role", [Role.SALES, Role.VIEWER])
def test_sales_and_viewer_cannot_preview_enforcement(role):
    with pytest.raises(Forbidden):
        preview("warning_notice", [], DEALERS, ctx(role))


def test_unknown_action_is_refused():
    with pytest.raises(ValidationFailed):
        preview("shame_publicly", [], DEALERS, OPS)


def test_recheck_skips_items_already_compliant():
    assert is_compliant(D("100"), D("100")) and not is_compliant(D("100"), D("99.9999999999"))
    assert not is_compliant(D("100"), None)  # no recent price proves nothing
    r = recheck([("a1", D("100"), D("101")), ("a2", D("100"), D("90"))])
    assert (r.breaching, r.compliant, r.skip_item) == (("a2",), ("a1",), None)
    assert recheck([("a1", D("100"), D("100"))]).skip_item == "already_compliant"


def test_idempotency_keys_are_stable_and_distinct():
    k = item_key("b1", "d1", "warning_notice")
    assert k == item_key("b1", "d1", "warning_notice") != item_key("b2", "d1", "warning_notice")
    assert effect_key(k, "notice") == "margin:enforce:b1:d1:warning_notice:notice"
    with pytest.raises(ValidationFailed):
        item_key("b:1", "d1", "warning_notice")
    with pytest.raises(ValidationFailed):
        effect_key(k, "email")
