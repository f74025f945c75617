"""Closed vocabularies of the catalog, shared by tables (check constraints), API and UI.

Status vocabularies are read off the machines (engine.catalog.machines), never re-declared, so a
state added to a machine reaches the CHECK constraint and the filters at once.
"""

from __future__ import annotations

from engine.catalog.machines import CATALOG_VERSION, ORG_STATUS
from engine.state_machine import StateMachine

ORG_TYPES = ("manufacturer", "distributor", "dealer", "supplier", "competitor", "service_partner")
RELATIONSHIP_TYPES = ("supplies", "distributes_to", "sells_for", "services", "competes_with")
CHANNEL_KINDS = ("online", "retail", "marketplace", "wholesale", "direct")


def states_of(machine: StateMachine) -> tuple[str, ...]:
    """The machine's states in a stable reading order: the initial state, then each transition's
    target as first reached, then any state no transition reaches (alphabetically)."""
    ordered = [machine.initial]
    for transition in machine.transitions:
        if transition.target not in ordered:
            ordered.append(transition.target)
    return (*ordered, *sorted(machine.states - set(ordered)))


ORG_STATUSES = states_of(ORG_STATUS)
CATALOG_VERSION_STATUSES = states_of(CATALOG_VERSION)
# a version's `change` is the decision that published it
CATALOG_CHANGES = tuple(t.action for t in CATALOG_VERSION.transitions if t.target == "published")


def sql_in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in (" + ", ".join(f"'{v}'" for v in values) + ")"
