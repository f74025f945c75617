"""People: membership status and last sign-in, invitations (hashed one-time tokens), self sign-up
through an invitation (the app may insert only the user it acts as), the token lookup.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from models.core.rls import CURRENT_USER, tenant_isolation
from models.core.settings import APP_ROLE

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ROLES = "('owner', 'admin', 'ops', 'sales', 'hr', 'manager', 'finance', 'auditor', 'viewer', 'vendor')"


def upgrade() -> None:
    op.add_column(
        "memberships",
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), server_default="active", nullable=False),
    )
    op.add_column("memberships", sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint("ck_memberships_status", "memberships", "status in ('active', 'deactivated')")

    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"role in {ROLES}", name="ck_invitations_role"),
        sa.CheckConstraint(
            "status in ('pending', 'accepted', 'cancelled', 'withdrawn', 'expired')", name="ck_invitations_status"
        ),
        sa.CheckConstraint("role <> 'vendor' or organization_id is not null", name="ck_invitations_vendor_org"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_invitations_tenant_id_id"),
    )
    op.create_index(op.f("ix_invitations_tenant_id"), "invitations", ["tenant_id"], unique=False)
    op.create_index("uq_invitations_token_hash", "invitations", ["token_hash", "tenant_id"], unique=True)
    op.create_index(
        "uq_invitations_pending_email",
        "invitations",
        ["tenant_id", sa.literal_column("lower(email)")],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    for statement in tenant_isolation("invitations"):
        op.execute(statement)

    # Accepting an invitation creates the account of the person accepting: the app may insert a
    # user row only for the user id it acts as (app.user_id), never anyone else's.
    op.execute(f"CREATE POLICY user_self_insert ON users FOR INSERT WITH CHECK (id = {CURRENT_USER})")
    op.execute(f"GRANT INSERT ON users TO {APP_ROLE}")

    # The accept link carries no tenant: this owner function maps a token's SHA-256 to its
    # invitation's tenant and id (nothing else), like pharos_login_lookup for sign-in.
    op.execute(
        """
        CREATE FUNCTION pharos_invitation_lookup(p_token_hash text)
        RETURNS TABLE (tenant_id uuid, tenant_slug varchar, tenant_name varchar, invitation_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT i.tenant_id, t.slug, t.name, i.id
          FROM invitations i JOIN tenants t ON t.id = i.tenant_id
          WHERE i.token_hash = p_token_hash AND t.is_active
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION pharos_invitation_lookup(text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION pharos_invitation_lookup(text) TO {APP_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS pharos_invitation_lookup(text)")
    op.execute(f"REVOKE INSERT ON users FROM {APP_ROLE}")
    op.execute("DROP POLICY IF EXISTS user_self_insert ON users")
    op.drop_index("uq_invitations_pending_email", table_name="invitations")
    op.drop_index("uq_invitations_token_hash", table_name="invitations")
    op.drop_index(op.f("ix_invitations_tenant_id"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_constraint("ck_memberships_status", "memberships", type_="check")
    op.drop_column("memberships", "last_sign_in_at")
    op.drop_column("memberships", "status")
