"""The operator console's two decision-bearing entities.

A recommendation is open until an operator accepts it (it becomes a proposed intervention) or
rejects it (a reason is required); the generator retires an open one whose pattern no longer holds
(system only). An intervention is proposed (its blast radius can be read), then applied or
discarded, and an applied one is reversed by an operator (a reason is required) or by the system
when its time to live ends.
"""

from __future__ import annotations

from engine.graph.permissions import INTERVENE
from engine.state_machine import StateMachine, Transition

RECOMMENDATION_MACHINE = StateMachine(
    name="graph_recommendation",
    states=frozenset({"open", "accepted", "rejected", "retired"}),
    initial="open",
    terminal=frozenset({"accepted", "rejected", "retired"}),
    transitions=(
        Transition("accept", frozenset({"open"}), "accepted", INTERVENE, label="Accept"),
        Transition("reject", frozenset({"open"}), "rejected", INTERVENE, reason_required=True, label="Reject"),
        Transition("retire", frozenset({"open"}), "retired", INTERVENE, system_only=True, label="Retire"),
    ),
)

INTERVENTION_MACHINE = StateMachine(
    name="graph_intervention",
    states=frozenset({"proposed", "applied", "discarded", "reversed"}),
    initial="proposed",
    terminal=frozenset({"discarded", "reversed"}),
    transitions=(
        Transition("apply", frozenset({"proposed"}), "applied", INTERVENE, reason_required=True, label="Apply"),
        Transition("discard", frozenset({"proposed"}), "discarded", INTERVENE, reason_required=True, label="Discard"),
        Transition("reverse", frozenset({"applied"}), "reversed", INTERVENE, reason_required=True, label="Reverse"),
        Transition("expire", frozenset({"applied"}), "reversed", INTERVENE, system_only=True, label="Expire"),
    ),
)
