"""The catalog's permission names, one constant each, so actions, routes and pages cannot drift
from engine.rbac.PERMISSIONS (a typo would be a silent refusal)."""

from __future__ import annotations

CATALOG_READ = "catalog.read"
CATALOG_WRITE = "catalog.write"
PRICING_READ = "pricing.read"
PRICING_WRITE = "pricing.write"
