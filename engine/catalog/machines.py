"""State machines of the catalog, applied only through the decision path (models.core.decisions.decide).

Organization status: an organization (a dealer, say) is active, put on hold, suspended, reinstated,
or archived for good: whether the tenant deals with it at all. It is NOT margin's "dealer status":
margin's enforcement ladder (warned → final notice → suspended → terminated) is its own machine
(engine.margin.machines.DEALER_MACHINE) on its own row (margin_dealer_status); see
docs/adr/0002-dealer-statuses.md for which status means what.

Channel catalog version: a version is born a draft and is either published or discarded; a
published version never changes again (publish and unlist each create a new version).
"""

from __future__ import annotations

from engine.catalog.permissions import CATALOG_WRITE as WRITE
from engine.state_machine import StateMachine, Transition

ORG_STATUS = StateMachine(
    name="organization",
    states=frozenset({"active", "on_hold", "suspended", "archived"}),
    initial="active",
    transitions=(
        Transition("hold", frozenset({"active"}), "on_hold", WRITE, reason_required=True, label="Put on hold"),
        Transition("suspend", frozenset({"active", "on_hold"}), "suspended", WRITE, reason_required=True),
        Transition("reinstate", frozenset({"on_hold", "suspended"}), "active", WRITE, reason_required=True),
        Transition("archive", frozenset({"active", "on_hold", "suspended"}), "archived", WRITE, reason_required=True),
    ),
    terminal=frozenset({"archived"}),
)

CATALOG_VERSION = StateMachine(
    name="channel_catalog_version",
    states=frozenset({"draft", "published", "discarded"}),
    initial="draft",
    transitions=(
        Transition("publish", frozenset({"draft"}), "published", WRITE, label="Publish"),
        Transition("unlist", frozenset({"draft"}), "published", WRITE, label="Publish unlisting"),
        Transition("discard", frozenset({"draft"}), "discarded", WRITE, label="Discard draft"),
    ),
    terminal=frozenset({"published", "discarded"}),
)
