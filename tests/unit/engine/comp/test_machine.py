"""The bonus plan's machine: draft → approved → locked → archived, who may take each step, which
steps need a reason, and that only a draft is editable."""

from __future__ import annotations

import uuid

import pytest

from engine.comp.machines import EDITABLE, GUARDED_ACTIONS, PLAN_MACHINE
from engine.context import TenantContext
from engine.errors import Forbidden, InvalidTransition, ValidationFailed
from engine.rbac import Role


def ctx(role: str) -> TenantContext:
    return TenantContext(tenant_id=uuid.uuid4(), user_id=uuid.uuid4(), role=Role(role))


def test_statuses_follow_the_spec_order():
    assert PLAN_MACHINE.statuses == ("draft", "approved", "locked", "archived")
    assert PLAN_MACHINE.terminal == frozenset({"archived"})
    assert frozenset({"draft"}) == EDITABLE
    assert frozenset({"approve", "lock"}) == GUARDED_ACTIONS


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        ("draft", "approve", "approved"),
        ("draft", "lock", "locked"),
        ("approved", "lock", "locked"),
        ("approved", "reopen", "draft"),
        ("locked", "archive", "archived"),
        ("draft", "archive", "archived"),
    ],
)
def test_allowed_transitions(status, action, target):
    reason = "no longer used" if action in ("archive", "reopen") else None
    assert PLAN_MACHINE.check(status, action, ctx("hr"), reason).target == target


@pytest.mark.parametrize(
    ("status", "action"),
    [("locked", "lock"), ("locked", "approve"), ("locked", "reopen"), ("archived", "lock"), ("draft", "reopen")],
)
def test_a_locked_or_archived_plan_cannot_go_back(status, action):
    with pytest.raises(InvalidTransition):
        PLAN_MACHINE.check(status, action, ctx("hr"), "because")


@pytest.mark.parametrize("role", ["manager", "finance", "auditor", "viewer", "ops", "sales"])
def test_roles_without_plans_write_may_not_lock(role):
    with pytest.raises(Forbidden):
        PLAN_MACHINE.check("draft", "lock", ctx(role), None)
    assert PLAN_MACHINE.available_actions("draft", ctx(role)) == []


def test_archive_and_reopen_need_a_reason():
    for status, action in (("locked", "archive"), ("approved", "reopen")):
        with pytest.raises(ValidationFailed):
            PLAN_MACHINE.check(status, action, ctx("hr"), "  ")


def test_buttons_for_hr_by_status():
    offered = {s: [t.action for t in PLAN_MACHINE.available_actions(s, ctx("hr"))] for s in PLAN_MACHINE.statuses}
    assert offered == {
        "draft": ["approve", "lock", "archive"],
        "approved": ["lock", "reopen", "archive"],
        "locked": ["archive"],
        "archived": [],
    }
