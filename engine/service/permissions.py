"""The service module's permission names, one constant each (engine.rbac.PERMISSIONS holds the roles)."""

from __future__ import annotations

SERVICE_READ = "service.read"
TICKETS_WRITE = "service.tickets.write"
TICKETS_ASSIGN = "service.tickets.assign"
POLICIES_WRITE = "service.policies.write"
ENGINEERS_WRITE = "service.engineers.write"
AGREEMENTS_WRITE = "service.agreements.write"
