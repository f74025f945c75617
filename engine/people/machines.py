"""The invitation and the membership as decision-bearing entities (vendor-case-os-prd.md §5.3).

Invitation: born pending; the tenant side CANCELs it, the invited vendor organization WITHDRAWs it
(owner-only: the invitation's `organization_id`), RESEND keeps it pending (or revives an expired
one) with a fresh token and expiry; `accept` (on the token's proof: the accept path decides it as
the system, naming the new member) and `expire` (past its expiry) are taken by the system path
only, never offered as buttons.

Membership: an active member is deactivated by an owner or admin (a reason is required); the only
way back is accepting a new invitation (`reactivate`, system only).
"""

from __future__ import annotations

from engine.people.permissions import INVITATIONS_WITHDRAW, USERS_MANAGE
from engine.state_machine import StateMachine, Transition

INVITATION_MACHINE = StateMachine(
    name="invitation",
    states=frozenset({"pending", "accepted", "cancelled", "withdrawn", "expired"}),
    initial="pending",
    transitions=(
        Transition("accept", frozenset({"pending"}), "accepted", USERS_MANAGE, system_only=True),
        Transition("cancel", frozenset({"pending"}), "cancelled", USERS_MANAGE, label="Cancel"),
        Transition(
            "withdraw", frozenset({"pending"}), "withdrawn", INVITATIONS_WITHDRAW, owner_only=True, label="Withdraw"
        ),
        Transition("resend", frozenset({"pending", "expired"}), "pending", USERS_MANAGE, label="Resend"),
        Transition("expire", frozenset({"pending"}), "expired", USERS_MANAGE, system_only=True),
    ),
    terminal=frozenset({"accepted", "cancelled", "withdrawn"}),
    owner_field="organization_id",
)

MEMBERSHIP_MACHINE = StateMachine(
    name="membership",
    states=frozenset({"active", "deactivated"}),
    initial="active",
    transitions=(
        Transition(
            "deactivate", frozenset({"active"}), "deactivated", USERS_MANAGE, reason_required=True, label="Deactivate"
        ),
        Transition("reactivate", frozenset({"deactivated"}), "active", USERS_MANAGE, system_only=True),
    ),
)
