"""The service module's feature flags (declared in its manifest; every flag is off by default)."""

from __future__ import annotations

ENABLE_SERVICE_POLICIES = "ENABLE_SERVICE_POLICIES"
ENABLE_RESP_ORG_ASSIGNMENT = "ENABLE_RESP_ORG_ASSIGNMENT"
ENABLE_ENGINEERS = "ENABLE_ENGINEERS"

FLAGS: dict[str, str] = {
    ENABLE_SERVICE_POLICIES: "Service policies, tickets, agreements and SLA policies (API and pages)",
    ENABLE_RESP_ORG_ASSIGNMENT: "A new ticket gets its responsible organization from the service policies",
    ENABLE_ENGINEERS: "Engineers, eligibility ranking and manual assignment of tickets",
}
