"""The operator console's permission names, written once (the roles holding each are in engine.rbac)."""

from __future__ import annotations

READ = "graph.read"
INTERVENE = "graph.intervene"
