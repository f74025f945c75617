"""Which import targets exist: every registered module's `engine/<module>/import_targets.py`
(`TARGETS`), plus the modules named in PHAROS_IMPORT_TARGET_MODULES (a deployment's own targets;
the tests' sample target). Core code asks here and never names a module."""

from __future__ import annotations

import importlib
import importlib.util
import os

from engine.errors import ValidationFailed
from engine.imports.targets import ImportTarget
from engine.modules import MODULES

EXTRA_ENV = "PHAROS_IMPORT_TARGET_MODULES"
_cache: dict[tuple[str, ...], dict[str, ImportTarget]] = {}


def _target_modules() -> tuple[str, ...]:
    found = tuple(
        f"engine.{m}.import_targets" for m in MODULES if importlib.util.find_spec(f"engine.{m}.import_targets")
    )
    extra = tuple(m.strip() for m in os.environ.get("PHAROS_IMPORT_TARGET_MODULES", "").split(",") if m.strip())
    return found + extra


def targets() -> dict[str, ImportTarget]:
    """Every known target by name (read once per set of target modules)."""
    names = _target_modules()
    if names not in _cache:
        found: dict[str, ImportTarget] = {}
        for name in names:
            for target in importlib.import_module(name).TARGETS:
                if target.name in found:
                    raise ValueError(f"import target {target.name!r} is declared twice ({name})")
                found[target.name] = target
        _cache[names] = found
    return _cache[names]


def target(name: str, *, field: str = "target") -> ImportTarget:
    """The target called `name`, or a 422 naming `field` and the known names."""
    known = targets()
    if name not in known:
        choices = ", ".join(sorted(known)) or "none are registered"
        raise ValidationFailed(f"unknown target {name!r} (known: {choices})", fields={field: "unknown target"})
    return known[name]
