"""The permission matrix encodes the specs' role lists exactly."""

from __future__ import annotations

import pytest

from engine.rbac import PERMISSIONS, Role, has_permission, permissions_of

MARGIN_WRITE = {"margin.enforcement.run", "margin.dealers.status", "margin.detect.run"}


def test_owner_holds_every_permission():
    assert permissions_of(Role.OWNER) == frozenset(PERMISSIONS)


@pytest.mark.parametrize(
    ("role", "permission", "expected"),
    [
        (Role.OPS, "margin.enforcement.run", True),
        (Role.OPS, "margin.dealers.status", True),
        (Role.OPS, "margin.tasks.write", True),
        (Role.SALES, "margin.tasks.write", True),
        (Role.SALES, "margin.notes.write", True),
        (Role.SALES, "margin.alerts.update", True),
        (Role.SALES, "margin.enforcement.run", False),
        (Role.SALES, "margin.dealers.status", False),
        (Role.VIEWER, "margin.read", True),
        (Role.FINANCE, "comp.runs.approve_finance", True),
        (Role.HR, "comp.runs.approve_finance", False),
        (Role.AUDITOR, "comp.plans.write", False),
        (Role.AUDITOR, "core.audit.read", True),
        (Role.VENDOR, "cases.withdraw", True),
        (Role.VENDOR, "cases.approve", False),
        (Role.OPS, "cases.cancel", True),
    ],
)
def test_spec_role_lists(role, permission, expected):
    assert has_permission(role, permission) is expected


def test_viewer_is_read_only():
    writes = [p for p in permissions_of(Role.VIEWER) if not p.endswith((".read", ".export"))]
    assert writes == []


def test_unknown_permission_is_a_programming_error():
    with pytest.raises(KeyError, match="unknown permission"):
        has_permission(Role.OWNER, "margin.teleport")
