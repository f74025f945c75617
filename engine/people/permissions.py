"""The people area's permission names (engine.rbac.PERMISSIONS holds who has them)."""

from __future__ import annotations

USERS_MANAGE = "core.users.manage"
INVITATIONS_READ = "core.invitations.read"
INVITATIONS_WITHDRAW = "core.invitations.withdraw"
