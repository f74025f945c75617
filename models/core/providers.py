"""Finding a core feature's per-module providers (search, inbox): each module's
`models/<module>/<leaf>.py` exports PROVIDERS; names are unique and permissions known."""

from __future__ import annotations

from typing import Any

from engine.discovery import module_parts
from engine.modules import MODULES
from engine.rbac import PERMISSIONS


def discover(leaf: str, key: str) -> list[Any]:
    """Every module's PROVIDERS from models/<module>/<leaf>.py, in MODULES order, checked: each
    provider's `key` attribute is unique and its `permission` exists."""
    found = module_parts(tuple(f"models.{m}" for m in MODULES), leaf, "PROVIDERS")
    keys = [getattr(p, key) for p in found]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{leaf}: {key} registered twice: {keys}")
    unknown = [getattr(p, key) for p in found if p.permission not in PERMISSIONS]
    if unknown:
        raise KeyError(f"{leaf}: unknown permission in {unknown}")
    return found
