"""SLA rules in the formula language, with known answers: hours by priority and channel, exact
due times, rule errors named with line and column, breaches, and which agreement and SLA policy
apply to a ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from engine.errors import ValidationFailed
from engine.service.sla import Agreement, SlaPolicy, breached, choose, compile_rules, due_at, evaluate

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
RESPONSE = (
    'if (priority == "urgent") then 4 else if (priority == "high") then 8\n'
    'else if (priority == "normal") then 24 else 48'
)
RESOLUTION = 'response_hours * (if (channel == "ONLINE") then 2 else 3)'


@pytest.mark.parametrize(
    ("priority", "channel", "response", "resolution"),
    [
        ("urgent", "ONLINE", "4", "8"),
        ("urgent", "RETAIL", "4", "12"),
        ("high", "ONLINE", "8", "16"),
        ("normal", None, "24", "72"),
        ("low", "RETAIL", "48", "144"),
    ],
)
def test_hours_by_priority_and_channel(priority, channel, response, resolution):
    hours = evaluate(compile_rules(RESPONSE, RESOLUTION), priority=priority, channel=channel, region=None)
    assert (str(hours.response.hours.normalize()), str(hours.resolution.hours.normalize())) == (response, resolution)
    assert hours.response.error is None and hours.resolution.error is None


def test_exact_decimal_hours_and_due_times():
    hours = evaluate(compile_rules("10 / 3", "response_hours * 3"), priority="low", channel="", region="")
    assert hours.response.hours == Decimal("3.3333333333") and hours.resolution.hours == Decimal("9.9999999999")
    # 3.3333333333 h = 11999.99999988 s → 11999999999.88 µs → half-even to the microsecond
    assert due_at(T0, hours.response.hours) == T0 + timedelta(microseconds=12_000_000_000)
    assert due_at(T0, Decimal("1.5")) == T0 + timedelta(hours=1, minutes=30)
    assert due_at(T0, None) is None


def test_the_tape_says_what_each_rule_read_and_which_branch_it_took():
    hours = evaluate(compile_rules(RESPONSE, RESOLUTION), priority="high", channel="ONLINE", region="North")
    data = hours.to_dict()
    assert data["inputs"] == {"priority": "high", "channel": "ONLINE", "region": "North"}
    assert data["rules"][0]["refs"] == {"priority": "high"}
    assert [b["branch"] for b in data["rules"][0]["branches"]] == ["else", "then"]
    assert data["rules"][1]["refs"] == {"response_hours": "8.0000000000", "channel": "ONLINE"}


def test_region_is_an_input_too():
    hours = evaluate(
        compile_rules('if (region == "North") then 6 else 12', "48"), priority="low", channel=None, region="North"
    )
    assert hours.response.hours == Decimal(6)


def test_bad_rules_are_named_with_line_and_column():
    with pytest.raises(ValidationFailed) as caught:
        compile_rules('priority == "urgent" && prio', "x +")
    assert caught.value.fields == {
        "response_hours_expr": "line 1, column 25: unknown name 'prio' (did you mean 'priority'?)",
        "resolution_hours_expr": (
            "line 1, column 4: the expression ends too early; "
            "expected a value (a number, a name, a function call or '(')"
        ),
    }
    with pytest.raises(ValidationFailed) as caught:
        compile_rules("priority + 1", "  ")
    assert caught.value.fields == {"resolution_hours_expr": "required"}
    with pytest.raises(ValidationFailed) as caught:
        compile_rules("priority + 1", "1")
    assert caught.value.fields["response_hours_expr"].startswith("line 1, column 1: a text can only be compared")


def test_row_errors_and_out_of_range_hours_leave_the_due_time_empty():
    failed = evaluate(compile_rules("1 / 0", "5"), priority="low", channel=None, region=None)
    assert (failed.response.hours, failed.response.error) == (None, "division by zero")
    assert failed.resolution.error == "not evaluated: response_hours: division by zero"
    zero = evaluate(compile_rules("0", "87601"), priority="low", channel=None, region=None)
    assert zero.response.error == "gave 0 hours; a due time needs more than 0"
    assert zero.resolution.error == "gave 87601 hours; at most 87600 are allowed"


def test_breached():
    due = T0 + timedelta(hours=4)
    assert breached(due, None, due) is False  # exactly at the due time: not yet
    assert breached(due, None, due + timedelta(microseconds=1)) is True
    assert breached(due, due - timedelta(minutes=1), due + timedelta(days=1)) is False  # met in time
    assert breached(due, due + timedelta(minutes=1), due + timedelta(days=1)) is True  # met late
    assert breached(None, None, due) is False


def _agreement(code, provider, customer=None, start=T0 - timedelta(days=10), end=None):
    return Agreement(code.lower(), code, code, provider, start, customer, end)


def _sla(code, agreement, priority=0, start=T0 - timedelta(days=10), end=None):
    return SlaPolicy(code.lower(), agreement, code, code, start, "1", "2", end, priority)


def test_choose_the_most_specific_agreement_and_the_best_policy():
    agreements = [
        _agreement("ANY", "dist"),
        _agreement("MAKER", "dist", customer="brand"),
        _agreement("DEALER", "dist", customer="metro"),
        _agreement("OTHER", "partner"),
        _agreement("FUTURE", "dist", customer="metro", start=T0 + timedelta(days=1)),
    ]
    policies = [
        _sla("D-LOW", "dealer", 1),
        _sla("D-HIGH", "dealer", 5),
        _sla("D-OLD", "dealer", 9, end=T0),
        _sla("M", "maker"),
    ]
    choice = choose(T0, "dist", "metro", "brand", agreements, policies)
    assert (choice.agreement.code, choice.policy.code) == ("DEALER", "D-HIGH")
    assert [(c.code, c.outcome) for c in choice.agreements] == [
        ("DEALER", "winner"),
        ("MAKER", "outranked"),
        ("ANY", "outranked"),
        ("OTHER", "excluded"),
        ("FUTURE", "excluded"),
    ]
    assert [(c.code, c.outcome) for c in choice.policies] == [
        ("D-HIGH", "winner"),
        ("D-LOW", "outranked"),
        ("D-OLD", "excluded"),
    ]
    assert choose(T0, "dist", "coastal", "brand", agreements, policies).agreement.code == "MAKER"
    assert choose(T0, "dist", "coastal", None, agreements, policies).agreement.code == "ANY"
    none = choose(T0, "dist", "coastal", None, agreements, [])
    assert (
        none.policy is None
        and none.summary
        == f"No SLA: agreement ANY has no SLA policy effective at {T0.isoformat().replace('+00:00', 'Z')}."
    )
    assert (
        choose(T0, None, "metro", "brand", agreements, policies).summary
        == "No SLA: the ticket has no responsible organization."
    )
