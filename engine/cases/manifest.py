"""Vendor cases as the core sees it (engine/modules.py)."""

from engine.modules import ModuleManifest

MANIFEST = ModuleManifest(name="cases", labels={"cases": "Vendor cases"}, home_order=30)
