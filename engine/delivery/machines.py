"""The webhook endpoint as a decision-bearing entity: enabled ⇄ disabled.

An owner or admin disables and enables an endpoint; the dispatcher disables one whose receiver
answered 410 Gone (`gone`, system only). A disabled endpoint gets no new deliveries, and its
pending ones wait (they go out when it is enabled again)."""

from __future__ import annotations

from engine.delivery.permissions import WEBHOOKS_WRITE
from engine.state_machine import StateMachine, Transition

ENDPOINT_MACHINE = StateMachine(
    name="webhook_endpoint",
    states=frozenset({"enabled", "disabled"}),
    initial="enabled",
    transitions=(
        Transition("disable", frozenset({"enabled"}), "disabled", WEBHOOKS_WRITE, label="Disable"),
        Transition("enable", frozenset({"disabled"}), "enabled", WEBHOOKS_WRITE, label="Enable"),
        Transition("gone", frozenset({"enabled"}), "disabled", WEBHOOKS_WRITE, system_only=True),
    ),
)
