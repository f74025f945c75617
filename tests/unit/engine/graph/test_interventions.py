"""Intervention plans, their blast radius, the reversibility check and the graph as of a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from engine.errors import Conflict, ValidationFailed
from engine.graph import interventions as iv
from engine.graph.model import Link, Person

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def person(pid: str, stage: str = "active") -> Person:
    return Person(pid, pid, None, "member", "manual", stage, T0, T0)


def link(lid: str, a: str, b: str, source: str = "manual", confidence: str = "1") -> Link:
    return Link(lid, a, b, "collaborates", source, Decimal(confidence), T0)


PEOPLE = {p: person(p) for p in ("dup", "main", "x", "y")}
LINKS = [
    link("r1", "dup", "x"),
    link("r2", "y", "dup"),
    link("r3", "dup", "main"),
    link("r4", "x", "y", "inferred", "0.3"),
]


def test_merge_moves_the_duplicates_relationships_but_not_the_pair_link():
    state = iv.plan("merge_duplicate", ["dup", "main"], {}, PEOPLE, LINKS)
    assert state == {
        "participants": {"dup": {"lifecycle_stage": "closed"}},
        "relationships": {"r1": {"from_participant_id": "main"}, "r2": {"to_participant_id": "main"}},
    }
    previous = iv.capture(state, PEOPLE, {lk.id: lk for lk in LINKS})
    assert previous["relationships"] == {"r1": {"from_participant_id": "dup"}, "r2": {"to_participant_id": "dup"}}
    radius = iv.blast_radius(state, previous, LINKS)
    assert radius.participants_changed == ("dup",)
    assert radius.relationships_changed == ("r1", "r2")
    assert radius.relationships_touched == ("r3",)
    assert radius.participants_touched == ("main", "x", "y")


def test_plans_refuse_what_they_cannot_do():
    with pytest.raises(ValidationFailed, match="unknown intervention type"):
        iv.plan("promote", ["x"], {}, PEOPLE, LINKS)
    with pytest.raises(ValidationFailed, match="no participant"):
        iv.plan("set_stage", ["nobody"], {"stage": "paused"}, PEOPLE, LINKS)
    with pytest.raises(ValidationFailed, match="nothing would change"):
        iv.plan("set_stage", ["x"], {"stage": "active"}, PEOPLE, LINKS)
    with pytest.raises(ValidationFailed, match="two participants"):
        iv.plan("merge_duplicate", ["dup"], {}, PEOPLE, LINKS)
    assert iv.plan("confirm_relationship", ["r4"], {}, PEOPLE, LINKS) == {
        "participants": {},
        "relationships": {"r4": {"confidence_score": "1.0000", "source": "confirmed"}},
    }


def test_a_reversal_is_refused_once_a_field_changed_since():
    state = iv.plan("set_stage", ["x"], {"stage": "paused"}, PEOPLE, LINKS)
    iv.check_reversible(state, {"x": person("x", "paused")}, {})
    with pytest.raises(Conflict, match="lifecycle_stage changed since"):
        iv.check_reversible(state, {"x": person("x", "closed")}, {})


def test_as_of_undoes_later_applications_and_redoes_later_reversals():
    people = {"x": {"lifecycle_stage": "closed"}}
    paused = iv.Timeline(
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=3),
        {"participants": {"x": {"lifecycle_stage": "active"}}, "relationships": {}},
        {"participants": {"x": {"lifecycle_stage": "paused"}}, "relationships": {}},
    )
    closed = iv.Timeline(
        T0 + timedelta(hours=4),
        None,
        {"participants": {"x": {"lifecycle_stage": "active"}}, "relationships": {}},
        {"participants": {"x": {"lifecycle_stage": "closed"}}, "relationships": {}},
    )
    at = lambda hours: iv.as_of(people, {}, [paused, closed], T0 + timedelta(hours=hours))[0]["x"]["lifecycle_stage"]  # noqa: E731
    assert [at(0), at(2), at(3.5), at(5)] == ["active", "paused", "active", "closed"]
