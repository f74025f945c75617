"""The one registration point: which business modules the product has, and what each declares.

Every layer loops over `MODULES` (tables, REST routers, pages, job kinds, seeders, flags, the home
page's labels), so adding a module is one line here plus its own folders
(docs/adding-a-module.md). Order matters where modules depend on each other: catalog first, since
every business module may use it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache

from engine.delivery.events import EventType

MODULES: tuple[str, ...] = ("catalog", "service", "margin", "comp", "cases", "graph")


@dataclass(frozen=True)
class ModuleManifest:
    """What a module tells the core about itself (engine/<module>/manifest.py, `MANIFEST`)."""

    name: str
    # permission prefix → the label the home page groups that module's abilities under
    labels: dict[str, str]
    # feature flags the module reads → what each turns on (unknown flags are refused)
    flags: dict[str, str] = field(default_factory=dict)
    # flags of `flags` whose feature is not built yet: known (stored, accepted by the API) but never
    # offered on the settings page
    planned_flags: frozenset[str] = frozenset()
    # where the module's labels stand on the home page (lower first)
    home_order: int = 100
    # event types the module's outbox rows carry to webhook receivers (engine/delivery/registry.py)
    events: tuple[EventType, ...] = ()


@cache
def manifests() -> tuple[ModuleManifest, ...]:
    """Every registered module's manifest, in `MODULES` order."""
    found = []
    for name in MODULES:
        manifest = importlib.import_module(f"engine.{name}.manifest").MANIFEST
        if manifest.name != name:
            raise ValueError(f"engine/{name}/manifest.py declares module {manifest.name!r}")
        found.append(manifest)
    return tuple(found)
