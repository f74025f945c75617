"""Margin Defense as the core sees it (engine/modules.py)."""

from engine.margin.events import EVENTS
from engine.modules import ModuleManifest

MANIFEST = ModuleManifest(name="margin", labels={"margin": "Margin defense"}, home_order=10, events=EVENTS)
