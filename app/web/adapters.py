"""Small read helpers the UI needs that models/ does not offer yet.

They follow the repository rule — `(session, ctx)` first, tenant filter explicit, RLS again
underneath — and are candidates to move into models/identity.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from engine.context import TenantContext


@dataclass(frozen=True)
class Member:
    user_id: str
    email: str
    display_name: str
    role: str


def tenant_members(session: Session, ctx: TenantContext) -> list[Member]:
    """Users with a membership in the context's tenant (for labels and filters)."""
    rows = session.execute(
        text(
            "select u.id, u.email, u.display_name, m.role from memberships m "
            "join users u on u.id = m.user_id where m.tenant_id = :tenant order by lower(u.display_name), u.email"
        ),
        {"tenant": str(ctx.tenant_id)},
    ).all()
    return [Member(str(r.id), r.email, r.display_name, r.role) for r in rows]
