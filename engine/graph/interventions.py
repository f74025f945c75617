"""Interventions as data: what an intervention changes (its plan), what it touches (its blast
radius), whether it can be reversed, and the graph as it was at a past instant.

A state is `{"participants": {id: {field: value}}, "relationships": {id: {field: value}}}` with
JSON values (text for numbers and ids). `plan` gives the new state of an intervention against the
current rows; applying writes it and keeps the same fields' current values as the previous state;
reversing writes the previous state back, but only while every field still holds the value the
intervention wrote (anything changed since is refused, never overwritten).

Types:
- set_stage (participants): `params.stage`, one of the lifecycle stages.
- confirm_relationship (relationships): confidence 1 and source 'confirmed'.
- merge_duplicate (participants `[duplicate, primary]`): the duplicate's relationships move to the
  primary (those between the two stay as they are), and the duplicate is closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from engine.errors import Conflict, ValidationFailed
from engine.graph.model import Link, Person
from engine.graph.vocab import CLOSED, LIFECYCLE_STAGES

State = dict[str, dict[str, dict[str, str]]]
CONFIRMED = Decimal("1.0000")
TYPES: dict[str, str] = {
    "set_stage": "participant",
    "confirm_relationship": "relationship",
    "merge_duplicate": "participant",
}
TYPE_LABELS: dict[str, str] = {
    "set_stage": "Set lifecycle stage",
    "confirm_relationship": "Confirm relationship",
    "merge_duplicate": "Merge duplicate",
}
PARTICIPANT_FIELDS = ("lifecycle_stage",)
RELATIONSHIP_FIELDS = ("from_participant_id", "to_participant_id", "confidence_score", "source")


def empty_state() -> State:
    return {"participants": {}, "relationships": {}}


def person_value(person: Person, name: str) -> str:
    if name == "lifecycle_stage":
        return person.lifecycle_stage
    raise KeyError(name)


def link_value(link: Link, name: str) -> str:
    values = {
        "from_participant_id": link.from_id,
        "to_participant_id": link.to_id,
        "confidence_score": f"{link.confidence:.4f}",
        "source": link.source,
    }
    return values[name]


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", fields={field: message})


def plan(
    kind: str,
    target_ids: Sequence[str],
    params: Mapping[str, Any],
    people: Mapping[str, Person],
    links: Sequence[Link],
) -> State:
    """The new state of intervention `kind` on `target_ids` against the current rows, or a
    ValidationFailed naming the field. `links`: at least every relationship touching the targets."""
    if kind not in TYPES:
        raise _invalid("type", f"unknown intervention type '{kind}' (one of: {', '.join(TYPES)})")
    if not target_ids:
        raise _invalid("target_ids", "name at least one target")
    if len(set(target_ids)) != len(target_ids):
        raise _invalid("target_ids", "a target is named twice")
    state = empty_state()
    if kind == "set_stage":
        stage = str(params.get("stage", ""))
        if stage not in LIFECYCLE_STAGES:
            raise _invalid(
                "params.stage", f"'{stage}' is not a lifecycle stage (one of: {', '.join(LIFECYCLE_STAGES)})"
            )
        for pid in target_ids:
            person = people.get(pid)
            if person is None:
                raise _invalid("target_ids", f"no participant {pid} in this organization")
            if person.lifecycle_stage != stage:
                state["participants"][pid] = {"lifecycle_stage": stage}
    elif kind == "confirm_relationship":
        by_id = {link.id: link for link in links}
        for rid in target_ids:
            link = by_id.get(rid)
            if link is None:
                raise _invalid("target_ids", f"no relationship {rid} in this organization")
            change = {}
            if link.confidence != CONFIRMED:
                change["confidence_score"] = f"{CONFIRMED:.4f}"
            if link.source != "confirmed":
                change["source"] = "confirmed"
            if change:
                state["relationships"][rid] = change
    else:
        if len(target_ids) != 2:
            raise _invalid("target_ids", "merge_duplicate takes two participants: [duplicate, primary]")
        dup_id, primary_id = target_ids
        for pid in target_ids:
            if pid not in people:
                raise _invalid("target_ids", f"no participant {pid} in this organization")
        if people[dup_id].lifecycle_stage == CLOSED:
            raise _invalid("target_ids", "the duplicate is closed already")
        if people[primary_id].lifecycle_stage == CLOSED:
            raise _invalid("target_ids", "the primary participant is closed")
        state["participants"][dup_id] = {"lifecycle_stage": CLOSED}
        pair = {dup_id, primary_id}
        for link in sorted(links, key=lambda item: item.id):
            if {link.from_id, link.to_id} == pair:
                continue
            change = {}
            if link.from_id == dup_id:
                change["from_participant_id"] = primary_id
            if link.to_id == dup_id:
                change["to_participant_id"] = primary_id
            if change:
                state["relationships"][link.id] = change
    if not state["participants"] and not state["relationships"]:
        raise _invalid("target_ids", "nothing would change: the targets are in that state already")
    return state


def capture(new_state: State, people: Mapping[str, Person], links: Mapping[str, Link]) -> State:
    """The previous state: the current values of exactly the fields `new_state` sets."""
    previous = empty_state()
    for pid, fields in new_state["participants"].items():
        previous["participants"][pid] = {name: person_value(people[pid], name) for name in fields}
    for rid, fields in new_state["relationships"].items():
        previous["relationships"][rid] = {name: link_value(links[rid], name) for name in fields}
    return previous


def check_reversible(new_state: State, people: Mapping[str, Person], links: Mapping[str, Link]) -> None:
    """Conflict unless every field the intervention wrote still holds the value it wrote."""
    for pid, fields in new_state["participants"].items():
        person = people.get(pid)
        for name, value in fields.items():
            if person is None or person_value(person, name) != value:
                raise Conflict(
                    f"participant {pid}: {name} changed since this intervention was applied; "
                    "reverse the later change first",
                    fields={"participants": pid},
                )
    for rid, fields in new_state["relationships"].items():
        link = links.get(rid)
        for name, value in fields.items():
            if link is None or link_value(link, name) != value:
                raise Conflict(
                    f"relationship {rid}: {name} changed since this intervention was applied; "
                    "reverse the later change first",
                    fields={"relationships": rid},
                )


@dataclass(frozen=True, slots=True)
class BlastRadius:
    """What an intervention changes and what it touches.

    `participants_changed` / `relationships_changed`: rows whose fields it writes.
    `relationships_touched`: every relationship at a changed participant (besides the changed ones).
    `participants_touched`: the other ends of those, and the ends of changed relationships.
    """

    participants_changed: tuple[str, ...]
    relationships_changed: tuple[str, ...]
    participants_touched: tuple[str, ...]
    relationships_touched: tuple[str, ...]
    fields: tuple[tuple[str, str, str, str, str], ...]  # (kind, id, field, from, to)


def blast_radius(new_state: State, previous: State, links: Iterable[Link]) -> BlastRadius:
    changed_p = set(new_state["participants"])
    changed_r = set(new_state["relationships"])
    touched_r: set[str] = set()
    touched_p: set[str] = set()
    for link in links:
        if link.id in changed_r:
            touched_p |= {link.from_id, link.to_id}
            continue
        if link.from_id in changed_p or link.to_id in changed_p:
            touched_r.add(link.id)
            touched_p |= {link.from_id, link.to_id}
    for fields in new_state["relationships"].values():
        touched_p |= {v for k, v in fields.items() if k.endswith("_participant_id")}
    touched_p -= changed_p
    rows = []
    for kind in ("participants", "relationships"):
        for rid in sorted(new_state[kind]):
            for name in sorted(new_state[kind][rid]):
                before = previous.get(kind, {}).get(rid, {}).get(name, "")
                rows.append((kind, rid, name, before, new_state[kind][rid][name]))
    return BlastRadius(
        tuple(sorted(changed_p)),
        tuple(sorted(changed_r)),
        tuple(sorted(touched_p)),
        tuple(sorted(touched_r)),
        tuple(rows),
    )


@dataclass(frozen=True, slots=True)
class Timeline:
    """One intervention's effect over time: active from `applied_at` until `reversed_at`."""

    applied_at: datetime
    reversed_at: datetime | None
    previous_state: State
    new_state: State


def _write(state: State, people: dict[str, dict[str, str]], links: dict[str, dict[str, str]]) -> None:
    for pid, fields in state["participants"].items():
        if pid in people:
            people[pid].update(fields)
    for rid, fields in state["relationships"].items():
        if rid in links:
            links[rid].update(fields)


def as_of(
    people: Mapping[str, dict[str, str]],
    links: Mapping[str, dict[str, str]],
    timelines: Sequence[Timeline],
    at: datetime,
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """The fields as they were at `at`: starting from now, every application after `at` is undone
    (its previous state written) and every reversal after `at` redone (its new state written), the
    latest first. Rows are `{id: {field: value}}` with the fields of PARTICIPANT_FIELDS and
    RELATIONSHIP_FIELDS as text; the caller drops the rows created after `at`."""
    now_people = {k: dict(v) for k, v in people.items()}
    now_links = {k: dict(v) for k, v in links.items()}
    steps: list[tuple[datetime, int, State]] = []
    for t in timelines:
        if t.applied_at > at:
            steps.append((t.applied_at, 0, t.previous_state))
        if t.reversed_at is not None and t.reversed_at > at:
            steps.append((t.reversed_at, 1, t.new_state))
    for _, _, state in sorted(steps, key=lambda s: (s[0], s[1]), reverse=True):
        _write(state, now_people, now_links)
    return now_people, now_links
