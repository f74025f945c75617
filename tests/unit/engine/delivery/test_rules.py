"""Delivery's pure rules: the schedule and its verdicts, Retry-After, the address policy, URLs, and
the event registry (every machine's actions are event types, each schema is valid JSON Schema)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest

from engine.delivery import schedule
from engine.delivery.addresses import clean_url, refusal
from engine.delivery.events import envelope
from engine.delivery.registry import CORE_EVENTS, clean_event_types, event_types
from engine.errors import ValidationFailed
from engine.modules import manifests

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_the_schedule_is_the_issues():
    assert schedule.RETRY_DELAYS == (0, 5, 300, 1800, 7200, 18000, 36000, 36000)


@pytest.mark.parametrize("attempt", range(1, 8))
def test_a_failure_waits_the_next_step_within_the_jitter(attempt):
    verdict = schedule.judge(attempt, 500, AT, rng=random.Random(attempt))
    assert verdict.outcome == "retry" and verdict.next_at is not None
    wait = (verdict.next_at - AT).total_seconds()
    step = schedule.RETRY_DELAYS[attempt]
    assert step * 0.9 <= wait <= step * 1.1


@pytest.mark.parametrize(
    ("status", "outcome", "gone"),
    [
        (200, "delivered", False),
        (204, "delivered", False),
        (302, "retry", False),
        (410, "dead", True),
        (None, "retry", False),
    ],
)
def test_only_2xx_delivers_and_410_is_gone(status, outcome, gone):
    verdict = schedule.judge(1, status, AT)
    assert (verdict.outcome, verdict.gone) == (outcome, gone)


def test_the_last_attempt_and_permanent_failures_are_dead():
    assert schedule.judge(8, 500, AT).outcome == "dead"
    assert schedule.judge(1, None, AT, permanent=True).outcome == "dead"


def test_retry_after_is_honoured_and_capped():
    assert (schedule.judge(1, 429, AT, retry_after=120).next_at - AT).total_seconds() == 120
    assert schedule.parse_retry_after("3600", AT) == 3600
    assert schedule.parse_retry_after("Sun, 01 Mar 2026 12:10:00 GMT", AT) == 600
    assert schedule.parse_retry_after("999999", AT) == schedule.MAX_RETRY_AFTER
    assert schedule.parse_retry_after("soon", AT) is None
    assert schedule.parse_retry_after((AT - timedelta(hours=1)).strftime("%a, %d %b %Y %H:%M:%S GMT"), AT) == 0


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.20.30.40", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("100.64.0.1", "private"),
        ("169.254.169.254", "metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
    ],
)
def test_inward_addresses_are_refused(address, why):
    assert why in (refusal(address, allow_private=False) or "")


def test_public_addresses_pass_and_metadata_is_refused_even_in_development():
    assert refusal("93.184.216.34", allow_private=False) is None
    assert refusal("2606:4700::1111", allow_private=False) is None
    assert refusal("127.0.0.1", allow_private=True) is None
    assert "metadata" in (refusal("169.254.169.254", allow_private=True) or "")


def test_urls():
    assert clean_url(" https://hooks.example.com/x ", allow_private=False) == "https://hooks.example.com/x"
    assert clean_url("http://127.0.0.1:9000/x", allow_private=True) == "http://127.0.0.1:9000/x"
    for bad in ("", "hooks.example.com", "ftp://x.example", "https://", "https://a@b.example/", "https://x.example/#f"):
        with pytest.raises(ValidationFailed) as refused:
            clean_url(bad, allow_private=False)
        assert "url" in refused.value.fields


def test_every_machines_action_is_an_event_type_with_a_valid_schema():
    registry = event_types()
    from engine.catalog.machines import CATALOG_VERSION, ORG_STATUS
    from engine.margin.machines import MACHINES

    for machine in (*MACHINES.values(), ORG_STATUS, CATALOG_VERSION):
        for t in machine.transitions:
            assert f"{machine.name}.{t.action}" in registry
    assert len(registry) == len(CORE_EVENTS) + sum(len(m.events) for m in manifests())
    for event in registry.values():
        jsonschema.Draft202012Validator.check_schema(event.schema)
    data = {"entity": "margin_alert", "entity_id": "a", "event_id": "b", "from": "open", "to": "resolved"}
    jsonschema.validate(
        envelope(registry["margin_alert.resolve"], AT, data)["data"], registry["margin_alert.resolve"].schema
    )


def test_event_type_filters_are_checked():
    assert clean_event_types(["margin_alert.resolve", "job.complete", "job.complete"]) == [
        "job.complete",
        "margin_alert.resolve",
    ]
    with pytest.raises(ValidationFailed) as refused:
        clean_event_types(["nope.x"])
    assert refused.value.fields == {"event_types": "unknown event type"}
