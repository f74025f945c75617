"""The request context every repository and action receives first.

It is built on the server from a verified session, never from anything the browser sends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from engine.errors import Forbidden
from engine.rbac import Role, has_permission


@dataclass(frozen=True, slots=True)
class TenantContext:
    """Who is acting, for which tenant, in which role."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID | None
    role: Role
    organization_id: uuid.UUID | None = None
    tenant_slug: str = ""

    def can(self, permission: str) -> bool:
        return has_permission(self.role, permission)

    def require(self, permission: str) -> None:
        """Refuse (Forbidden) unless the role holds `permission`: the one permission check that
        actions, routes and pages share, so every refusal reads the same."""
        if not has_permission(self.role, permission):
            raise Forbidden(f"your role '{self.role}' may not do this ({permission})")

    @classmethod
    def system(cls, tenant_id: uuid.UUID, tenant_slug: str = "") -> TenantContext:
        """Context for work the platform does on a tenant's behalf (workers, seeds, CLI)."""
        return cls(tenant_id=tenant_id, user_id=None, role=Role.OWNER, tenant_slug=tenant_slug)

    @property
    def actor_label(self) -> str:
        return str(self.user_id) if self.user_id else "system"
