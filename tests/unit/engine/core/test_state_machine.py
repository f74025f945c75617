"""The state machine table decides transitions, permissions, reasons, ownership and UI actions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from engine.context import TenantContext
from engine.errors import Forbidden, InvalidTransition, StaleStatus, ValidationFailed
from engine.rbac import Role
from engine.state_machine import StateMachine, Transition
from tests.support.sample_machine import SAMPLE


def ctx(role: Role, organization_id: uuid.UUID | None = None) -> TenantContext:
    return TenantContext(tenant_id=uuid.uuid4(), user_id=uuid.uuid4(), role=role, organization_id=organization_id)


@dataclass
class Row:
    status: str
    organization_id: uuid.UUID | None = None


def test_allowed_transition_returns_its_target():
    assert SAMPLE.check("queued", "start", ctx(Role.OPS), None).target == "running"


def test_invalid_transition_names_the_allowed_actions():
    with pytest.raises(
        InvalidTransition, match=r"'complete' is not allowed from status 'queued' \(allowed: cancel, start, withdraw\)"
    ):
        SAMPLE.check("queued", "complete", ctx(Role.OWNER), None)


def test_terminal_state_allows_nothing():
    with pytest.raises(InvalidTransition, match="no actions are allowed"):
        SAMPLE.check("completed", "start", ctx(Role.OWNER), None)


def test_unknown_current_status_fails_hard():
    with pytest.raises(InvalidTransition, match="unknown"):
        SAMPLE.check("bogus", "start", ctx(Role.OWNER), None)


def test_expected_status_must_be_the_current_one():
    assert SAMPLE.check("queued", "start", ctx(Role.OPS), None, expected_status="queued").target == "running"
    with pytest.raises(StaleStatus, match="the status is now 'running', not 'queued'") as stale:
        SAMPLE.check("running", "start", ctx(Role.OPS), None, expected_status="queued")
    assert stale.value.status == 409 and stale.value.fields == {"expected_status": "current status is 'running'"}
    with pytest.raises(ValidationFailed) as unknown:
        SAMPLE.check("queued", "start", ctx(Role.OPS), None, expected_status="bogus")
    assert unknown.value.fields == {"expected_status": "unknown status"}


@pytest.mark.parametrize("role", [Role.SALES, Role.VIEWER, Role.AUDITOR, Role.VENDOR, Role.HR])
def test_roles_without_the_permission_are_refused(role):
    with pytest.raises(Forbidden):
        SAMPLE.check("queued", "start", ctx(role), None)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reason_required(reason):
    with pytest.raises(ValidationFailed) as caught:
        SAMPLE.check("running", "cancel", ctx(Role.OPS), reason)
    assert caught.value.fields == {"reason": "required"}


def test_owner_only_transition_needs_ownership():
    with pytest.raises(Forbidden, match="only the owner"):
        SAMPLE.check("queued", "withdraw", ctx(Role.VENDOR), None)
    assert SAMPLE.check("queued", "withdraw", ctx(Role.VENDOR), None, is_owner=True).target == "cancelled"


def test_available_actions_follow_role_status_and_ownership():
    assert [t.action for t in SAMPLE.available_actions("queued", ctx(Role.OPS))] == ["start", "cancel"]
    assert [t.action for t in SAMPLE.available_actions("queued", ctx(Role.VENDOR), is_owner=True)] == ["withdraw"]
    assert SAMPLE.available_actions("queued", ctx(Role.VIEWER)) == []
    assert SAMPLE.available_actions("completed", ctx(Role.OWNER)) == []


def test_ownership_comes_from_the_owner_field_and_the_acting_organization():
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    row = Row("queued", organization_id=mine)
    assert SAMPLE.is_owner(row, ctx(Role.VENDOR, mine))
    assert not SAMPLE.is_owner(row, ctx(Role.VENDOR, theirs))
    assert not SAMPLE.is_owner(row, ctx(Role.VENDOR))  # no acting organization: owns nothing
    assert not SAMPLE.is_owner(Row("queued"), ctx(Role.VENDOR, mine))  # an unowned row
    assert [t.action for t in SAMPLE.actions_for(row, ctx(Role.VENDOR, mine))] == ["withdraw"]
    assert SAMPLE.actions_for(row, ctx(Role.VENDOR, theirs)) == []


def test_owner_only_needs_an_owner_field():
    with pytest.raises(ValueError, match="owner_field"):
        StateMachine(
            "unowned",
            frozenset({"a", "b"}),
            "a",
            (Transition("go", frozenset({"a"}), "b", "cases.withdraw", owner_only=True),),
        )


def test_a_fifth_button_is_refused_when_the_machine_is_built():
    with pytest.raises(ValueError, match=r"role 'owner' would get 5 buttons in status 'a' \(at most 4\)"):
        StateMachine(
            "many",
            frozenset({"a", "b"}),
            "a",
            tuple(Transition(f"act{i}", frozenset({"a"}), "b", "margin.read") for i in range(5)),
        )


def test_system_only_actions_do_not_count_as_buttons_and_are_never_offered():
    machine = StateMachine(
        "worker",
        frozenset({"a", "b"}),
        "a",
        (
            *(Transition(f"act{i}", frozenset({"a"}), "b", "margin.read") for i in range(4)),
            Transition("tick", frozenset({"a"}), "b", "margin.read", system_only=True),
        ),
    )
    assert [t.action for t in machine.available_actions("a", ctx(Role.OWNER))] == ["act0", "act1", "act2", "act3"]
    assert machine.check("a", "tick", ctx(Role.OWNER), None).target == "b"  # the worker still takes it


def test_statuses_follow_the_machine_not_a_hand_list():
    assert SAMPLE.statuses == ("queued", "running", "completed", "cancelled", "failed")
    assert set(SAMPLE.statuses) == SAMPLE.states
    assert SAMPLE.actions == ("start", "complete", "cancel", "withdraw")


def test_unknown_permission_fails_when_the_machine_is_built():
    with pytest.raises(KeyError, match="unknown permission"):
        StateMachine("typo", frozenset({"a", "b"}), "a", (Transition("go", frozenset({"a"}), "b", "margin.raed"),))


def test_machine_definition_errors_are_caught_at_import():
    with pytest.raises(ValueError, match="unknown states"):
        StateMachine("bad", frozenset({"a"}), "a", (Transition("go", frozenset({"a"}), "zzz", "margin.read"),))
    with pytest.raises(ValueError, match="defined twice"):
        StateMachine(
            "dup",
            frozenset({"a", "b"}),
            "a",
            (
                Transition("go", frozenset({"a"}), "b", "margin.read"),
                Transition("go", frozenset({"a"}), "a", "margin.read"),
            ),
        )
