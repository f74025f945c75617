"""Compensation's permission names, one constant each, so actions, routes and pages cannot drift
from engine.rbac.PERMISSIONS (a typo would be a silent refusal)."""

from __future__ import annotations

READ = "comp.read"
PLANS_WRITE = "comp.plans.write"
UPLOADS_WRITE = "comp.uploads.write"
RUNS_EXECUTE = "comp.runs.execute"
EXPORT = "comp.export"
