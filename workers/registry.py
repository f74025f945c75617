"""The job kinds this worker runs: each registered module's `models/<module>/kinds.py`
(engine/modules.py), plus any modules named in PHAROS_WORKER_KIND_MODULES; importing one registers
its kinds (models.jobs.kinds.register)."""

from __future__ import annotations

import importlib
import importlib.util

from engine.modules import MODULES
from models.core.settings import job_settings
from models.jobs.kinds import kinds

# the core's own kinds (the import pipeline), then each module that has long work
KIND_MODULES: tuple[str, ...] = ("models.imports.kinds",) + tuple(
    f"models.{m}.kinds" for m in MODULES if importlib.util.find_spec(f"models.{m}.kinds") is not None
)


def load_kinds() -> list[str]:
    """Import every kind module (idempotent); returns the registered kind names."""
    for module in (*KIND_MODULES, *job_settings().extra_kind_modules):
        importlib.import_module(module)
    return kinds()
