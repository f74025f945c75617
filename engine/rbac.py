"""One role set and one permission matrix for the whole product, held as data.

docs/RBAC.md explains it; tests read it to build the role × route matrix. A permission is a
dotted name `module.subject.verb`. Ownership rules (a vendor acts on its own cases only) are
checked by the decision path on top of this matrix.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    OPS = "ops"
    SALES = "sales"
    HR = "hr"
    MANAGER = "manager"
    FINANCE = "finance"
    AUDITOR = "auditor"
    VIEWER = "viewer"
    VENDOR = "vendor"


ALL_ROLES = frozenset(Role)
_STAFF = ALL_ROLES - {Role.VENDOR}
_O, _A = Role.OWNER, Role.ADMIN


def _roles(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


# permission -> roles that hold it. Owner holds everything (added below).
PERMISSIONS: dict[str, frozenset[Role]] = {
    # core
    # mapping, validating and importing a stored file; each target's own permission narrows it
    "core.imports.write": _STAFF - {Role.VIEWER, Role.AUDITOR},
    "core.dashboard.read": _STAFF,
    "core.audit.read": _roles(_A, Role.AUDITOR),
    "core.settings.manage": _roles(_A),
    "core.users.manage": _roles(_A),
    # webhook endpoints, their secrets, the delivery log and replays (engine/delivery)
    "core.webhooks.read": _roles(_A),
    "core.webhooks.write": _roles(_A),
    # invitations (engine/people): the tenant side manages them; a vendor sees and withdraws the
    # invitations to its own organization (acceptance is the system's, on the token's proof)
    "core.invitations.read": _roles(_A, Role.VENDOR),
    "core.invitations.withdraw": _roles(Role.VENDOR),
    "core.jobs.read": _STAFF,
    "core.jobs.manage": _roles(_A, Role.OPS),
    # sending files at all (uploads); each purpose's own permission narrows it
    "core.uploads.write": ALL_ROLES - {Role.VIEWER, Role.AUDITOR},
    # margin defense (spec: Owner everything; Ops enforcement + dealer status + task ops;
    # Sales tasks + notes + close loop, no enforcement; Viewer read-only)
    "margin.read": _roles(_A, Role.OPS, Role.SALES, Role.VIEWER, Role.AUDITOR),
    "margin.detect.run": _roles(_A, Role.OPS),
    "margin.imports.write": _roles(_A, Role.OPS),
    "margin.alerts.update": _roles(_A, Role.OPS, Role.SALES),
    "margin.notes.write": _roles(_A, Role.OPS, Role.SALES),
    "margin.tasks.write": _roles(_A, Role.OPS, Role.SALES),
    "margin.dealers.status": _roles(_A, Role.OPS),
    "margin.enforcement.run": _roles(_A, Role.OPS),
    "margin.reports.export": _roles(_A, Role.OPS, Role.SALES, Role.VIEWER, Role.AUDITOR),
    # compensation (spec roles admin|hr|manager|auditor|readonly; finance approves)
    "comp.read": _roles(_A, Role.HR, Role.MANAGER, Role.FINANCE, Role.AUDITOR, Role.VIEWER),
    "comp.plans.write": _roles(_A, Role.HR),
    "comp.uploads.write": _roles(_A, Role.HR),
    "comp.runs.execute": _roles(_A, Role.HR),
    "comp.runs.approve_manager": _roles(Role.MANAGER),
    "comp.runs.approve_hr": _roles(Role.HR),
    "comp.runs.approve_finance": _roles(Role.FINANCE),
    "comp.runs.finalize": _roles(_A, Role.FINANCE),
    "comp.export": _roles(_A, Role.HR, Role.FINANCE, Role.AUDITOR),
    # vendor cases (vendor acts on its own cases only; tenant approves/rejects; ops cancels)
    "cases.read": _roles(_A, Role.OPS, Role.SALES, Role.FINANCE, Role.AUDITOR, Role.VIEWER, Role.VENDOR),
    "cases.write": _roles(_A, Role.OPS, Role.FINANCE, Role.VENDOR),
    "cases.approve": _roles(_A, Role.OPS, Role.FINANCE),
    "cases.reject": _roles(_A, Role.OPS, Role.FINANCE),
    "cases.withdraw": _roles(Role.VENDOR),
    "cases.cancel": _roles(Role.OPS),
    # catalog and pricing
    "catalog.read": _STAFF,
    "catalog.write": _roles(_A, Role.OPS),
    "pricing.read": _STAFF,
    "pricing.write": _roles(_A),
    # field service (docs/service.md): tickets are opened and worked by ops; policies and agreements
    # are owner/admin decisions like price rules
    "service.read": _STAFF,
    "service.tickets.write": _roles(_A, Role.OPS),
    "service.tickets.assign": _roles(_A, Role.OPS),
    "service.policies.write": _roles(_A),
    "service.engineers.write": _roles(_A, Role.OPS),
    "service.agreements.write": _roles(_A),
    # operator console
    "graph.read": _roles(_A, Role.OPS, Role.AUDITOR),
    "graph.intervene": _roles(_A, Role.OPS),
}

for _perm, _holders in list(PERMISSIONS.items()):
    PERMISSIONS[_perm] = _holders | {Role.OWNER}


def has_permission(role: Role | str, permission: str) -> bool:
    """True when `role` holds `permission`. Unknown permissions are a programming error."""
    try:
        holders = PERMISSIONS[permission]
    except KeyError as exc:
        raise KeyError(f"unknown permission {permission!r}") from exc
    return Role(role) in holders


def permissions_of(role: Role | str) -> frozenset[str]:
    return frozenset(p for p, holders in PERMISSIONS.items() if Role(role) in holders)
