"""The ticket's status machine, applied only through the decision path (models.core.decisions.decide).

open → acknowledged (the first response) → in_progress → resolved → closed; a resolved ticket may be
reopened, an unresolved one cancelled. The first of acknowledge / start is the ticket's first
response (its response SLA is met or breached then); resolve meets the resolution SLA.
"""

from __future__ import annotations

from engine.service.permissions import TICKETS_WRITE as WRITE
from engine.state_machine import StateMachine, Transition

TICKET_MACHINE = StateMachine(
    name="ticket",
    states=frozenset({"open", "acknowledged", "in_progress", "resolved", "closed", "cancelled"}),
    initial="open",
    transitions=(
        Transition("acknowledge", frozenset({"open"}), "acknowledged", WRITE, label="Acknowledge"),
        Transition("start", frozenset({"open", "acknowledged"}), "in_progress", WRITE, label="Start work"),
        Transition("resolve", frozenset({"acknowledged", "in_progress"}), "resolved", WRITE, label="Resolve"),
        Transition("reopen", frozenset({"resolved"}), "in_progress", WRITE, reason_required=True, label="Reopen"),
        Transition("close", frozenset({"resolved"}), "closed", WRITE, label="Close"),
        Transition(
            "cancel",
            frozenset({"open", "acknowledged", "in_progress"}),
            "cancelled",
            WRITE,
            reason_required=True,
            label="Cancel",
        ),
    ),
    terminal=frozenset({"closed", "cancelled"}),
)

# the actions that count as the ticket's first response, and the one that resolves it
RESPONSE_ACTIONS = frozenset({"acknowledge", "start"})
RESOLVE_ACTION = "resolve"
