"""Margin Defense state machines as data: alerts, tasks, dealer status ladder, enforcement batches.

The decision path checks a change against these tables and the UI asks them for its buttons, so
the permissions here are the spec's locked RBAC: Owner everything; Ops enforcement + dealer status
+ task ops; Sales tasks + notes + close loop (no enforcement); Viewer read-only.
Actions only the worker takes are `system_only` transitions: the core hides them from the buttons.
"""

from __future__ import annotations

from engine.state_machine import StateMachine, Transition

ALERTS = "margin.alerts.update"
TASKS = "margin.tasks.write"
DEALERS = "margin.dealers.status"
ENFORCE = "margin.enforcement.run"


def _t(
    action: str,
    sources: tuple[str, ...],
    target: str,
    permission: str,
    label: str,
    *,
    reason: bool = False,
    system: bool = False,
) -> Transition:
    return Transition(
        action, frozenset(sources), target, permission, reason_required=reason, label=label, system_only=system
    )


# --- alerts -------------------------------------------------------------------------------------

ALERT_OPEN_STATES = frozenset({"open", "acknowledged", "in_enforcement"})
ALERT_CLOSED_STATES = frozenset({"resolved", "dismissed"})

ALERT_MACHINE = StateMachine(
    name="margin_alert",
    states=ALERT_OPEN_STATES | ALERT_CLOSED_STATES,
    initial="open",
    transitions=(
        _t("acknowledge", ("open",), "acknowledged", ALERTS, "Acknowledge"),
        _t("enforce", ("open", "acknowledged"), "in_enforcement", ENFORCE, "Start enforcement"),
        _t("stand_down", ("in_enforcement",), "acknowledged", ENFORCE, "Stop enforcement", reason=True),
        # Closing the loop is Sales' job too: resolving needs a note saying what fixed it.
        _t("resolve", ("open", "acknowledged", "in_enforcement"), "resolved", ALERTS, "Resolve", reason=True),
        _t("dismiss", ("open", "acknowledged"), "dismissed", ALERTS, "Dismiss", reason=True),
        _t("reopen", ("resolved", "dismissed"), "open", ALERTS, "Reopen", reason=True),
    ),
)

# --- tasks --------------------------------------------------------------------------------------

TASK_OPEN_STATES = frozenset({"open", "in_progress"})

TASK_MACHINE = StateMachine(
    name="margin_task",
    states=TASK_OPEN_STATES | {"done", "cancelled"},
    initial="open",
    transitions=(
        _t("start", ("open",), "in_progress", TASKS, "Start"),
        _t("pause", ("in_progress",), "open", TASKS, "Put back"),
        _t("complete", ("open", "in_progress"), "done", TASKS, "Mark done"),
        _t("cancel", ("open", "in_progress"), "cancelled", TASKS, "Cancel", reason=True),
        _t("reopen", ("done", "cancelled"), "open", TASKS, "Reopen", reason=True),
    ),
)

# --- dealer status ladder -----------------------------------------------------------------------

DEALER_LADDER = ("active", "warned", "final_notice", "suspended", "terminated")
DEALER_RANK = {status: rank for rank, status in enumerate(DEALER_LADDER)}

# Every rung change needs a note: it is a commercial decision the dealer may contest.
DEALER_MACHINE = StateMachine(
    name="margin_dealer",
    states=frozenset(DEALER_LADDER),
    initial="active",
    transitions=(
        _t("warn", ("active",), "warned", DEALERS, "Warn", reason=True),
        _t("final_notice", ("active", "warned"), "final_notice", DEALERS, "Final notice", reason=True),
        _t("suspend", ("warned", "final_notice"), "suspended", DEALERS, "Suspend", reason=True),
        _t("terminate", ("suspended",), "terminated", DEALERS, "Terminate", reason=True),
        # Back down the ladder one rung at a time, or straight back to active.
        _t("step_down", ("warned",), "active", DEALERS, "Clear warning", reason=True),
        _t("step_down", ("final_notice",), "warned", DEALERS, "Step down to warned", reason=True),
        _t("step_down", ("suspended",), "final_notice", DEALERS, "Lift suspension", reason=True),
        _t("step_down", ("terminated",), "suspended", DEALERS, "Reinstate (suspended)", reason=True),
        _t("restore", ("final_notice", "suspended"), "active", DEALERS, "Restore to active", reason=True),
    ),
)

# --- enforcement batches ------------------------------------------------------------------------

BATCH_MACHINE = StateMachine(
    name="margin_batch",
    states=frozenset({"draft", "queued", "running", "completed", "cancelled", "failed"}),
    initial="draft",
    transitions=(
        _t("start", ("draft",), "queued", ENFORCE, "Start batch"),
        # the worker's steps, taken through the decision path: never buttons
        _t("run", ("queued",), "running", ENFORCE, "Mark running", system=True),
        _t("complete", ("running",), "completed", ENFORCE, "Mark completed", system=True),
        _t("fail", ("queued", "running"), "failed", ENFORCE, "Mark failed", reason=True, system=True),
        _t("cancel", ("draft", "queued", "running"), "cancelled", ENFORCE, "Cancel batch"),
    ),
    terminal=frozenset({"completed", "cancelled", "failed"}),
)

MACHINES = {m.name: m for m in (ALERT_MACHINE, TASK_MACHINE, DEALER_MACHINE, BATCH_MACHINE)}
