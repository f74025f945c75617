"""Compensation as the core sees it (engine/modules.py)."""

from engine.modules import ModuleManifest

MANIFEST = ModuleManifest(name="comp", labels={"comp": "Compensation"}, home_order=30)
