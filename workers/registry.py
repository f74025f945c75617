"""The job kinds this worker runs: importing a kind module registers its kinds
(models.jobs.kinds.register). A new module adds its kind module here."""

from __future__ import annotations

import importlib

from models.jobs.kinds import kinds

KIND_MODULES: tuple[str, ...] = ("models.margin.kinds",)


def load_kinds() -> list[str]:
    """Import every kind module (idempotent); returns the registered kind names."""
    for module in KIND_MODULES:
        importlib.import_module(module)
    return kinds()
