"""A compensation run's approvals (compensation-platform-prd.md §8, §13, §15.6-15.7), applied only
through the decision path (models.core.decisions.decide).

    draft ──manager_approve──► manager_approved ──hr_approve──► hr_approved
                                                                   │
              finalized ◄──finalize── finance_approved ◄──finance_approve

Each step belongs to one permission (engine.rbac: the manager, HR and finance roles; the owner
holds every permission). A run whose computation fails is `failed` (system only). The snapshot hash
is frozen at the first approval and re-verified at each later one; a finalized run never changes.
"""

from __future__ import annotations

from engine.state_machine import StateMachine, Transition

RUNS_EXECUTE = "comp.runs.execute"
APPROVE_MANAGER = "comp.runs.approve_manager"
APPROVE_HR = "comp.runs.approve_hr"
APPROVE_FINANCE = "comp.runs.approve_finance"
FINALIZE = "comp.runs.finalize"

RUN_MACHINE = StateMachine(
    name="comp_run",
    states=frozenset({"draft", "manager_approved", "hr_approved", "finance_approved", "finalized", "failed"}),
    initial="draft",
    transitions=(
        Transition(
            "manager_approve", frozenset({"draft"}), "manager_approved", APPROVE_MANAGER, label="Approve (manager)"
        ),
        Transition("hr_approve", frozenset({"manager_approved"}), "hr_approved", APPROVE_HR, label="Approve (HR)"),
        Transition(
            "finance_approve",
            frozenset({"hr_approved"}),
            "finance_approved",
            APPROVE_FINANCE,
            label="Approve (finance)",
        ),
        Transition("finalize", frozenset({"finance_approved"}), "finalized", FINALIZE, label="Finalize"),
        Transition("fail", frozenset({"draft"}), "failed", RUNS_EXECUTE, system_only=True, label="Fail"),
    ),
    terminal=frozenset({"finalized", "failed"}),
)

APPROVE_ACTIONS = ("manager_approve", "hr_approve", "finance_approve")
# the approval that each status is reached by, for "nothing changed since <previous approval>"
APPROVAL_NAMES = {
    "manager_approved": "the manager's approval",
    "hr_approved": "HR's approval",
    "finance_approved": "finance's approval",
}
# the computation's own progress (not a status: it changes inside the worker's one transaction)
PHASES = ("queued", "loading", "evaluating", "persisting", "computed", "failed")
