"""Segments and recommendation patterns on small hand-made graphs with known answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from engine.graph import patterns
from engine.graph import segments as seg
from engine.graph.model import Link, Person, degrees

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # an anchor: every date below is relative to it


def person(
    pid: str, *, idle: int | None = 1, created: int = 100, stage: str = "active", origin: str = "manual", email=None
):
    last = None if idle is None else NOW - timedelta(days=idle, hours=1)
    return Person(pid, pid.title(), email, "member", origin, stage, last, NOW - timedelta(days=created, hours=1))


def link(lid: str, a: str, b: str, *, source: str = "manual", confidence: str = "1") -> Link:
    return Link(lid, a, b, "collaborates", source, Decimal(confidence), NOW - timedelta(days=10))


def test_hub_threshold_is_the_95th_percentile_and_at_least_five():
    assert seg.hub_threshold([]) == 5
    assert seg.hub_threshold([0, 1, 2]) == 5
    assert seg.hub_threshold(list(range(100))) == 94  # the 95th of 0..99 in order
    assert seg.hub_threshold([1] * 19 + [30]) == 5  # rank 19 of 20 is 1: the floor holds


def test_each_segment_boundary():
    people = [
        person("fresh", idle=None, created=29),  # new, not started: not at risk
        person("started", idle=None, created=31),  # 31 days idle: at risk, no longer new
        person("busy", idle=13),
        person("slipping", idle=14),
        person("edge", idle=45),
        person("gone", idle=46),
        person("paused", idle=2, stage="paused"),
        person("closed", idle=1, stage="closed"),
        person("robot", idle=1, origin="system"),
    ]
    found = seg.segment(people, dict.fromkeys([p.id for p in people], 1), NOW).by_person
    assert found == {
        "fresh": ("new",),
        "started": ("at_risk",),
        "busy": ("active",),
        "slipping": ("at_risk",),
        "edge": ("at_risk",),
        "gone": ("dormant",),
        "paused": (),
        "closed": (),
        "robot": (),
    }


def test_isolated_and_hub_come_from_degree():
    people = [person(f"p{i}") for i in range(7)]
    links = [link(f"l{i}", "p0", f"p{i}") for i in range(1, 6)]  # p0: degree 5, p6: none
    result = seg.segment(people, degrees(people, links), NOW)
    assert result.hub_min == 5
    assert result.members("hub") == ["p0"] and result.members("isolated") == ["p6"]
    assert result.counts()["active"] == 7


def test_patterns_find_each_case_once_in_a_stable_order():
    people = [
        person("hub", idle=90, created=300),
        *(person(f"n{i}") for i in range(5)),
        person("alone", idle=60),
        person("newbie", idle=None, created=3),
        person("first", email="same@x.test", created=200),
        person("second", email=" SAME@x.test ", created=50),
        person("gone", email="same@x.test", stage="closed"),
        person("robot", origin="system", idle=90),
    ]
    links = [link(f"h{i}", "hub", f"n{i}") for i in range(5)]
    links += [
        link("weak", "n0", "n1", source="inferred", confidence="0.2"),
        link("sure", "n2", "n3", source="inferred", confidence="0.5"),
        link("f", "first", "n4"),
        link("s", "second", "n4"),
    ]
    found = patterns.generate(people, links, NOW)
    assert [(c.pattern, c.target_id, c.suggested_action, c.params, c.confidence) for c in found] == [
        ("dormant_hub", "hub", "set_stage", {"stage": "paused"}, Decimal("0.95")),
        ("duplicate_email", "second", "merge_duplicate", {"primary_id": "first"}, Decimal("0.80")),
        ("isolated_participant", "alone", "set_stage", {"stage": "paused"}, Decimal("0.90")),
        ("low_confidence_relationship", "weak", "confirm_relationship", {}, Decimal("0.80")),
    ]
    assert patterns.generate(list(reversed(people)), list(reversed(links)), NOW) == found
    assert "no activity for 90 days" in found[0].reason
