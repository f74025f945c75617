"""An import's life, from a stored file to rows in the database.

A person maps the columns (`map`, again as often as needed until the import) and starts the import;
the worker moves the status while it validates and imports (system_only: never a button). An
imported file is final: `imported` is terminal, so a second import of the same upload is refused by
the machine itself.
"""

from __future__ import annotations

from engine.state_machine import StateMachine, Transition

IMPORT_WRITE = "core.imports.write"
SYSTEM = "core.jobs.manage"  # the worker acts as the tenant's system context (owner)

IMPORT_MACHINE = StateMachine(
    name="import",
    states=frozenset({"uploaded", "mapped", "validating", "valid", "invalid", "importing", "imported", "failed"}),
    initial="uploaded",
    terminal=frozenset({"imported"}),
    events="decision_events",
    transitions=(
        Transition(
            "map", frozenset({"uploaded", "mapped", "valid", "invalid", "failed"}), "mapped", IMPORT_WRITE, label="Map"
        ),
        Transition("validate", frozenset({"mapped"}), "validating", IMPORT_WRITE, label="Validate"),
        Transition("pass", frozenset({"validating"}), "valid", SYSTEM, system_only=True),
        Transition("reject", frozenset({"validating", "importing"}), "invalid", SYSTEM, system_only=True),
        Transition("import", frozenset({"valid", "invalid"}), "importing", IMPORT_WRITE, label="Import"),
        Transition("complete", frozenset({"importing"}), "imported", SYSTEM, system_only=True),
        Transition(
            "fail", frozenset({"validating", "importing"}), "failed", SYSTEM, reason_required=True, system_only=True
        ),
    ),
)
