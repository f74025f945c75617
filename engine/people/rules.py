"""The guard rails of member management, as pure functions the actions call before writing.

Who may give which role, and who may be touched: an admin never makes an owner nor changes or
deactivates one; nobody removes the last active owner; nobody deactivates themselves. Vendor
access carries an organization, so it is given by invitation only.
"""

from __future__ import annotations

import hashlib
import secrets

from engine.errors import Conflict, Forbidden, ValidationFailed
from engine.rbac import Role

TOKEN_BYTES = 32


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationFailed(
            f"'{value}' is not a role (one of: {allowed})", fields={"role": "unknown role"}
        ) from None


def check_may_grant(actor: Role, role: Role) -> None:
    """An admin gives any role but owner; an owner gives any role."""
    if role is Role.OWNER and actor is not Role.OWNER:
        raise Forbidden("only an owner may make someone an owner", fields={"role": "owner needs an owner"})


def check_may_touch(actor: Role, target: Role) -> None:
    """An admin never changes or deactivates an owner."""
    if target is Role.OWNER and actor is not Role.OWNER:
        raise Forbidden("only an owner may change or deactivate an owner")


def check_keeps_an_owner(target: Role, active_owners: int, *, removing: bool) -> None:
    """`removing`: the change takes the target's owner role away (a demotion or a deactivation)."""
    if removing and target is Role.OWNER and active_owners <= 1:
        raise Conflict("this is the last active owner: make someone else an owner first")


def check_not_self(actor_user: object, target_user: object) -> None:
    if actor_user is not None and str(actor_user) == str(target_user):
        raise Conflict("you cannot deactivate yourself; ask another owner or admin")


def check_organization(role: Role, organization_id: object | None) -> None:
    """A vendor invitation names the vendor organization; a staff role carries none."""
    if role is Role.VENDOR and organization_id is None:
        raise ValidationFailed(
            "a vendor invitation needs the vendor's organization_id", fields={"organization_id": "required"}
        )
    if role is not Role.VENDOR and organization_id is not None:
        raise ValidationFailed(
            "only a vendor invitation carries an organization_id", fields={"organization_id": "vendor only"}
        )


def check_role_change(current: Role, new: Role) -> None:
    if Role.VENDOR in (current, new) and current is not new:
        raise ValidationFailed(
            "vendor access comes with an organization: invite the person as a vendor instead",
            fields={"role": "vendor only by invitation"},
        )


def new_token() -> str:
    """A one-time secret for an accept link (256 bits, URL-safe)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What is stored and looked up: the SHA-256 of the token, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()
