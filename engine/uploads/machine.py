"""An upload's life: receiving bytes, then stored (all bytes, hash recorded) or failed (cancelled).

The server takes both steps when the bytes say so (system_only: never a button). The permission is
the general right to send files; each purpose's own permission (ImportTarget.permission) is checked
by the actions before anything is received."""

from __future__ import annotations

from engine.state_machine import StateMachine, Transition

UPLOAD_WRITE = "core.uploads.write"

UPLOAD_MACHINE = StateMachine(
    name="upload",
    states=frozenset({"receiving", "stored", "failed"}),
    initial="receiving",
    terminal=frozenset({"stored", "failed"}),
    transitions=(
        Transition("store", frozenset({"receiving"}), "stored", UPLOAD_WRITE, system_only=True),
        Transition("fail", frozenset({"receiving"}), "failed", UPLOAD_WRITE, system_only=True),
    ),
)
