"""The bonus plan's life (compensation-platform-prd.md §7-§8, §15.3), applied only through the
decision path (models.core.decisions.decide).

    draft ──approve──► approved ──lock──► locked ──archive──► archived
      │ ▲                 │
      │ └────reopen───────┘
      └──────────lock────────────────────►

A draft is the only editable state. `approve` freezes it for review (reopen sends it back to draft
with a reason); `lock` makes the version immutable for good — editing means a new version. Lock and
approve are guarded: the plan must validate (models.comp.plans checks it under the row lock before
deciding). `archive` retires a version (a locked one, or a draft nobody will finish), with a reason.
"""

from __future__ import annotations

from engine.comp.permissions import PLANS_WRITE
from engine.state_machine import StateMachine, Transition

PLAN_MACHINE = StateMachine(
    name="bonus_plan",
    states=frozenset({"draft", "approved", "locked", "archived"}),
    initial="draft",
    transitions=(
        Transition("approve", frozenset({"draft"}), "approved", PLANS_WRITE, label="Approve"),
        Transition("lock", frozenset({"draft", "approved"}), "locked", PLANS_WRITE, label="Lock version"),
        Transition(
            "reopen", frozenset({"approved"}), "draft", PLANS_WRITE, reason_required=True, label="Back to draft"
        ),
        Transition(
            "archive",
            frozenset({"draft", "approved", "locked"}),
            "archived",
            PLANS_WRITE,
            reason_required=True,
            label="Archive",
        ),
    ),
    terminal=frozenset({"archived"}),
)

EDITABLE = frozenset({"draft"})
# the transitions that need a plan that validates (the lock guards)
GUARDED_ACTIONS = frozenset({"approve", "lock"})
