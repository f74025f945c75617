"""The operator console as the core sees it (engine/modules.py)."""

from engine.modules import ModuleManifest

MANIFEST = ModuleManifest(name="graph", labels={"graph": "Operator console"}, home_order=40)
