"""The job kinds this worker runs: each registered module's `models/<module>/kinds.py`
(engine/modules.py); importing it registers its kinds (models.jobs.kinds.register)."""

from __future__ import annotations

import importlib
import importlib.util

from engine.modules import MODULES
from models.jobs.kinds import kinds

# only modules that have long work have a kinds module
KIND_MODULES: tuple[str, ...] = tuple(
    f"models.{m}.kinds" for m in MODULES if importlib.util.find_spec(f"models.{m}.kinds") is not None
)


def load_kinds() -> list[str]:
    """Import every kind module (idempotent); returns the registered kind names."""
    for module in KIND_MODULES:
        importlib.import_module(module)
    return kinds()
