"""The invitation and membership machines and the member guard rails (pure: no database)."""

from __future__ import annotations

import uuid

import pytest

from engine.context import TenantContext
from engine.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from engine.people import rules
from engine.people.machines import INVITATION_MACHINE, MEMBERSHIP_MACHINE
from engine.rbac import Role


def _ctx(role: Role, org: uuid.UUID | None = None) -> TenantContext:
    return TenantContext(tenant_id=uuid.uuid4(), user_id=uuid.uuid4(), role=role, organization_id=org)


class _Invitation:
    def __init__(self, status: str, organization_id: uuid.UUID | None = None):
        self.status, self.organization_id = status, organization_id


def test_the_invitation_vocabulary_is_the_specs():
    assert INVITATION_MACHINE.statuses == ("pending", "accepted", "cancelled", "withdrawn", "expired")
    assert set(INVITATION_MACHINE.actions) == {"accept", "cancel", "withdraw", "resend", "expire"}
    assert INVITATION_MACHINE.terminal == frozenset({"accepted", "cancelled", "withdrawn"})


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        ("pending", "cancel", "cancelled"),
        ("pending", "resend", "pending"),
        ("expired", "resend", "pending"),
        ("pending", "expire", "expired"),
        ("pending", "accept", "accepted"),
    ],
)
def test_owner_side_transitions(status, action, target):
    assert INVITATION_MACHINE.check(status, action, _ctx(Role.OWNER), None).target == target


@pytest.mark.parametrize("status", ["accepted", "cancelled", "withdrawn"])
def test_closed_invitations_take_no_action(status):
    for action in INVITATION_MACHINE.actions:
        with pytest.raises(InvalidTransition):
            INVITATION_MACHINE.check(status, action, _ctx(Role.OWNER), None)


def test_admin_buttons_are_cancel_and_resend_only():
    buttons = INVITATION_MACHINE.available_actions("pending", _ctx(Role.ADMIN))
    assert [t.action for t in buttons] == ["cancel", "resend"]
    assert [t.action for t in INVITATION_MACHINE.available_actions("expired", _ctx(Role.ADMIN))] == ["resend"]


def test_accepting_and_expiring_are_never_buttons():
    for role in Role:
        for status in INVITATION_MACHINE.states:
            actions = {t.action for t in INVITATION_MACHINE.ui_candidates(status, role)}
            assert not actions & {"accept", "expire"}


def test_a_vendor_withdraws_only_its_own_organizations_invitation():
    org = uuid.uuid4()
    vendor = _ctx(Role.VENDOR, org)
    assert INVITATION_MACHINE.actions_for(_Invitation("pending", org), vendor)[0].action == "withdraw"
    assert INVITATION_MACHINE.actions_for(_Invitation("pending", uuid.uuid4()), vendor) == []
    with pytest.raises(Forbidden):
        INVITATION_MACHINE.check("pending", "withdraw", vendor, None, is_owner=False)
    with pytest.raises(Forbidden):
        INVITATION_MACHINE.check("pending", "cancel", vendor, None, is_owner=True)


@pytest.mark.parametrize("role", [Role.OPS, Role.SALES, Role.VIEWER, Role.HR, Role.AUDITOR])
def test_staff_without_users_manage_cannot_decide(role):
    for action in ("cancel", "resend"):
        with pytest.raises(Forbidden):
            INVITATION_MACHINE.check("pending", action, _ctx(role), None)


def test_deactivation_needs_a_reason_and_only_acceptance_reactivates():
    with pytest.raises(ValidationFailed):
        MEMBERSHIP_MACHINE.check("active", "deactivate", _ctx(Role.ADMIN), " ")
    assert MEMBERSHIP_MACHINE.check("active", "deactivate", _ctx(Role.ADMIN), "left").target == "deactivated"
    assert MEMBERSHIP_MACHINE.ui_candidates("deactivated", Role.OWNER) == []
    with pytest.raises(Forbidden):
        MEMBERSHIP_MACHINE.check("active", "deactivate", _ctx(Role.OPS), "left")


def test_admins_never_make_or_touch_owners():
    rules.check_may_grant(Role.OWNER, Role.OWNER)
    rules.check_may_grant(Role.ADMIN, Role.ADMIN)
    with pytest.raises(Forbidden):
        rules.check_may_grant(Role.ADMIN, Role.OWNER)
    rules.check_may_touch(Role.OWNER, Role.OWNER)
    with pytest.raises(Forbidden):
        rules.check_may_touch(Role.ADMIN, Role.OWNER)


def test_the_last_active_owner_stays():
    with pytest.raises(Conflict):
        rules.check_keeps_an_owner(Role.OWNER, 1, removing=True)
    rules.check_keeps_an_owner(Role.OWNER, 2, removing=True)
    rules.check_keeps_an_owner(Role.OWNER, 1, removing=False)
    rules.check_keeps_an_owner(Role.ADMIN, 0, removing=True)


def test_nobody_deactivates_themselves():
    me = uuid.uuid4()
    with pytest.raises(Conflict):
        rules.check_not_self(me, str(me))
    rules.check_not_self(me, uuid.uuid4())
    rules.check_not_self(None, me)  # the platform (CLI) is nobody


def test_vendor_roles_carry_an_organization():
    with pytest.raises(ValidationFailed) as missing:
        rules.check_organization(Role.VENDOR, None)
    assert missing.value.fields == {"organization_id": "required"}
    with pytest.raises(ValidationFailed):
        rules.check_organization(Role.OPS, uuid.uuid4())
    with pytest.raises(ValidationFailed):
        rules.check_role_change(Role.OPS, Role.VENDOR)
    rules.check_role_change(Role.OPS, Role.ADMIN)


def test_tokens_are_long_random_and_stored_as_sha256():
    first, second = rules.new_token(), rules.new_token()
    assert first != second and len(first) >= 43
    digest = rules.token_digest(first)
    assert len(digest) == 64 and first not in digest and digest == rules.token_digest(first)


def test_unknown_roles_name_the_field():
    with pytest.raises(ValidationFailed) as bad:
        rules.parse_role("boss")
    assert bad.value.fields == {"role": "unknown role"}
