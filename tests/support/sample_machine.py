"""A small decision-bearing machine used by core tests (jobs carry a real `status` column).

`withdraw` is owner-only: the owner is the organization in the entity's `organization_id`."""

from engine.state_machine import StateMachine, Transition

SAMPLE = StateMachine(
    name="sample",
    states=frozenset({"queued", "running", "completed", "failed", "cancelled"}),
    initial="queued",
    transitions=(
        Transition("start", frozenset({"queued"}), "running", "margin.enforcement.run"),
        Transition("complete", frozenset({"running"}), "completed", "margin.enforcement.run"),
        Transition(
            "cancel", frozenset({"queued", "running"}), "cancelled", "margin.enforcement.run", reason_required=True
        ),
        Transition("withdraw", frozenset({"queued"}), "cancelled", "cases.withdraw", owner_only=True),
    ),
    terminal=frozenset({"completed", "failed", "cancelled"}),
    owner_field="organization_id",
)
