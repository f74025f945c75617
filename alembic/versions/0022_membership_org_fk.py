"""A vendor membership's organization is a row of the tenant's catalog: `memberships.organization_id`
gets a foreign key (tenant_id, organization_id) → organizations (tenant_id, id), so a membership can
never name a missing organization or another tenant's. A null organization (staff) is not checked.

Existing rows are checked first: a membership naming an organization that is not its tenant's
stops the migration with the offending memberships counted (nothing is changed or guessed), to be
fixed by hand before upgrading. The index serves the key's check when an organization is deleted.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

ORPHANS = """
select count(*) from memberships m
where m.organization_id is not null
  and not exists (select 1 from organizations o where o.tenant_id = m.tenant_id and o.id = m.organization_id)
"""


def upgrade() -> None:
    orphans = op.get_bind().execute(sa.text(ORPHANS)).scalar() or 0
    if orphans:
        raise RuntimeError(
            f"{orphans} membership(s) name an organization that is not a row of their tenant's catalog: "
            "fix memberships.organization_id (or create the organization) before upgrading to 0022"
        )
    op.create_index("ix_memberships_tenant_organization", "memberships", ["tenant_id", "organization_id"])
    op.create_foreign_key(
        "fk_memberships_organization",
        "memberships",
        "organizations",
        ["tenant_id", "organization_id"],
        ["tenant_id", "id"],
    )


def downgrade() -> None:
    op.drop_constraint("fk_memberships_organization", "memberships", type_="foreignkey")
    op.drop_index("ix_memberships_tenant_organization", table_name="memberships")
