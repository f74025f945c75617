"""Which module merges a target's rows: every registered module's `models/<module>/import_loaders.py`
(`LOADERS`, keyed by target name), plus the modules named in PHAROS_IMPORT_LOADER_MODULES (a
deployment's own loaders; the tests' sample loader). The core never names a module."""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Mapping
from typing import Any

from engine.context import TenantContext
from engine.errors import Conflict
from engine.imports.targets import ImportTarget, Loader
from engine.modules import MODULES

_cache: dict[tuple[str, ...], dict[str, Loader]] = {}


def _loader_modules() -> tuple[str, ...]:
    found = tuple(
        f"models.{m}.import_loaders" for m in MODULES if importlib.util.find_spec(f"models.{m}.import_loaders")
    )
    extra = tuple(m.strip() for m in os.environ.get("PHAROS_IMPORT_LOADER_MODULES", "").split(",") if m.strip())
    return found + extra


def loaders() -> dict[str, Loader]:
    names = _loader_modules()
    if names not in _cache:
        found: dict[str, Loader] = {}
        for name in names:
            for target, loader in importlib.import_module(name).LOADERS.items():
                if target in found:
                    raise ValueError(f"import loader for {target!r} is declared twice ({name})")
                found[target] = loader
        _cache[names] = found
    return _cache[names]


def loader_for(target: str) -> Loader:
    """The target's loader; a target that no module can merge yet is a 409, never a 500."""
    found = loaders().get(target)
    if found is None:
        raise Conflict(f"no module imports {target!r} rows yet", fields={"target": "no loader"})
    return found


def resolve_target(ctx: TenantContext, target: ImportTarget, meta: Mapping[str, Any] | None) -> ImportTarget:
    """The target as this upload sees it: the loader's `target_for(ctx, target, meta)` when it has
    one (fields that depend on the upload, engine.imports.targets.TargetVariants), else `target`."""
    specialise = getattr(loaders().get(target.name), "target_for", None)
    return specialise(ctx, target, dict(meta or {})) if specialise is not None else target
