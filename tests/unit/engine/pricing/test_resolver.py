"""The one-at-a-time resolver: precedence, windows, ties, currency, no price, explanation."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from engine.errors import ValidationFailed
from engine.pricing import Level, PriceQuery, PriceRule, resolve
from tests.unit.engine.pricing.helpers import T0, US, query, rule

ALL_LEVELS = [
    rule("g", "100"),
    rule("o", "90", org="dealer-1"),
    rule("c", "80", channel="web"),
    rule("oc", "70", org="dealer-1", channel="web"),
]


@pytest.mark.parametrize(
    ("org", "channel", "winner", "level"),
    [
        ("dealer-1", "web", "oc", Level.ORG_CHANNEL),
        (None, "web", "c", Level.CHANNEL),
        ("dealer-1", None, "o", Level.ORG),
        ("dealer-1", "shop", "o", Level.ORG),
        ("dealer-2", "shop", "g", Level.GLOBAL),
        (None, None, "g", Level.GLOBAL),
    ],
)
def test_precedence_org_channel_then_channel_then_org_then_global(org, channel, winner, level):
    result = resolve(query(org=org, channel=channel), ALL_LEVELS)
    assert result.rule_id == winner
    assert result.level is level
    assert result.decided_by == "only_rule_at_step"


def test_channel_outranks_org_even_with_higher_priority_at_org():
    rules = [rule("o", "90", org="d", priority=99), rule("c", "80", channel="web")]
    result = resolve(query(org="d", channel="web"), rules)
    assert result.rule_id == "c"
    outranked = {c.rule.id: c for c in result.candidates if c.outcome == "outranked"}
    assert outranked["o"].reason == "lower_precedence"


def test_window_is_half_open_at_exact_instants():
    end = T0 + timedelta(days=30)
    rules = [rule("r", start=T0, end=end)]
    assert resolve(query(T0), rules).found  # from is included
    assert not resolve(query(T0 - US), rules).found
    assert resolve(query(end - US), rules).found
    miss = resolve(query(end), rules)  # to is excluded
    assert not miss.found
    assert miss.candidates[0].reason == "expired"
    assert resolve(query(T0 - US), rules).candidates[0].reason == "not_yet_effective"


def test_successive_windows_hand_over_at_the_boundary():
    switch = T0 + timedelta(days=10)
    rules = [rule("old", "100", end=switch), rule("new", "120", start=switch)]
    assert resolve(query(switch - US), rules).rule_id == "old"
    assert resolve(query(switch), rules).rule_id == "new"


def test_as_of_a_future_dated_rule():
    later = T0 + timedelta(days=90)
    rules = [rule("now", "100"), rule("future", "110", start=later, priority=1)]
    assert resolve(query(T0 + timedelta(days=1)), rules).rule_id == "now"
    at_later = resolve(query(later), rules)
    assert at_later.rule_id == "future"
    assert at_later.price == Decimal("110")


def test_tie_break_priority_then_later_start_then_smallest_id():
    rules = [rule("b", "10", priority=1), rule("a", "20", priority=0)]
    r = resolve(query(T0 + US), rules)
    assert (r.rule_id, r.decided_by) == ("b", "priority")

    rules = [rule("a", "10", start=T0), rule("b", "20", start=T0 + timedelta(hours=1))]
    r = resolve(query(T0 + timedelta(hours=2)), rules)
    assert (r.rule_id, r.decided_by) == ("b", "effective_from")
    loser = next(c for c in r.candidates if c.rule.id == "a")
    assert loser.reason == "earlier_effective_from"

    rules = [rule("r2", "10"), rule("r10", "20")]  # lexicographic: "r10" < "r2"
    r = resolve(query(), rules)
    assert (r.rule_id, r.decided_by) == ("r10", "rule_id")
    assert next(c for c in r.candidates if c.rule.id == "r2").reason == "higher_rule_id"


def test_tie_break_is_independent_of_input_order():
    rules = [rule("x", "1"), rule("y", "2"), rule("z", "3", priority=0)]
    assert {resolve(query(), order).rule_id for order in (rules, rules[::-1], rules[1:] + rules[:1])} == {"x"}


def test_currency_mismatch_is_excluded_never_converted():
    rules = [rule("eur", "50", currency="EUR", org="d", channel="web"), rule("usd", "100")]
    r = resolve(query(org="d", channel="web"), rules)
    assert r.rule_id == "usd"
    eur = next(c for c in r.candidates if c.rule.id == "eur")
    assert (eur.outcome, eur.reason) == ("excluded", "currency_mismatch")
    assert "no conversion" in eur.detail

    only_eur = resolve(query(), [rule("eur", "50", currency="EUR")])
    assert not only_eur.found
    assert only_eur.price is None
    assert "currency mismatch" in only_eur.summary


def test_no_candidate_gives_a_clear_no_price_result():
    r = resolve(query(kind="mrp"), [])
    assert not r.found
    assert (r.price, r.rule_id, r.level, r.decided_by) == (None, None, None, "no_price")
    assert "no 'mrp' rule" in r.summary
    assert r.to_dict()["found"] is False


def test_rules_for_other_sku_kind_org_channel_are_excluded_with_reasons():
    rules = [
        rule("sku", sku="sku-2"),
        rule("kind", kind="mrp"),
        rule("org", org="dealer-2"),
        rule("chan", channel="shop"),
        rule("needs-org", org="dealer-1"),
    ]
    r = resolve(query(channel="web"), rules)
    reasons = {c.rule.id: c.reason for c in r.candidates}
    assert reasons == {
        "sku": "other_sku",
        "kind": "other_kind",
        "org": "other_org",
        "chan": "other_channel",
        "needs-org": "other_org",
    }
    assert "no organization" in next(c.detail for c in r.candidates if c.rule.id == "needs-org")


def test_explanation_lists_every_rule_once_with_one_winner():
    r = resolve(query(org="dealer-1", channel="web"), ALL_LEVELS + [rule("eur", currency="EUR")])
    assert sorted(c.rule.id for c in r.candidates) == sorted(["g", "o", "c", "oc", "eur"])
    assert [c.outcome for c in r.candidates].count("winner") == 1
    assert r.candidates[0].outcome == "winner"
    body = r.to_dict()
    assert body["price"] == "70.0000000000"
    assert body["level"] == "org_channel"
    assert "org_channel" in body["summary"]
    assert body["tie_break_rule"].startswith("Among effective rules")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": 1.5}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.00000000001"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"currency": "usd"}, "currency"),
        ({"kind": "retail"}, "kind"),
        ({"effective_from": datetime(2026, 1, 1)}, "effective_from"),
        ({"effective_to": T0}, "effective_to"),
        ({"priority": "1"}, "priority"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(kwargs, field):
    base = {"id": "r", "sku_id": "s", "amount": Decimal("1"), "currency": "USD", "effective_from": T0}
    with pytest.raises(ValidationFailed) as err:
        PriceRule(**{**base, **kwargs})
    assert field in err.value.fields


def test_query_needs_an_aware_instant_and_valid_currency():
    with pytest.raises(ValidationFailed) as err:
        PriceQuery(sku_id="s", at=datetime(2026, 1, 1), currency="USD")
    assert "at" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        PriceQuery(sku_id="s", at=T0, currency="US")
    assert "currency" in err.value.fields
