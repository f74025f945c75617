"""Single sign-on: each tenant's OpenID Connect providers, and the owner functions sign-in needs
before any tenant context exists (the login page lists a tenant's providers; the callback reads one
provider's settings and may create a user for an allowed domain).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from models.core.rls import tenant_isolation
from models.core.settings import APP_ROLE

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ROLES = "'owner', 'admin', 'ops', 'sales', 'hr', 'manager', 'finance', 'auditor', 'viewer', 'vendor'"
FUNCTIONS = (
    "pharos_sign_in_providers(text)",
    "pharos_sign_in_provider(uuid)",
    "pharos_sign_in_tenant(text)",
    "pharos_sign_up_user(uuid, text, text)",
)


def upgrade() -> None:
    op.create_table(
        "oidc_providers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("client_secret", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("allowed_domains", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("default_role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"default_role in ({ROLES})", name="ck_oidc_providers_default_role"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_oidc_providers_tenant_name"),
    )
    op.create_index(op.f("ix_oidc_providers_tenant_id"), "oidc_providers", ["tenant_id"], unique=False)
    for statement in tenant_isolation("oidc_providers"):
        op.execute(statement)

    # The login page (no session) lists a tenant's enabled providers: ids and labels only.
    op.execute(
        """
        CREATE FUNCTION pharos_sign_in_providers(p_tenant_slug text)
        RETURNS TABLE (id uuid, name varchar)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT p.id, p.name FROM oidc_providers p JOIN tenants t ON t.id = p.tenant_id
          WHERE t.slug = p_tenant_slug AND t.is_active AND p.enabled ORDER BY p.name
        $$
        """
    )
    # Start and callback read one enabled provider's settings, secret included (never sent out).
    op.execute(
        """
        CREATE FUNCTION pharos_sign_in_provider(p_id uuid)
        RETURNS TABLE (id uuid, tenant_id uuid, tenant_slug varchar, name varchar, issuer varchar,
                       client_id varchar, client_secret varchar, allowed_domains jsonb, default_role varchar)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT p.id, p.tenant_id, t.slug, p.name, p.issuer, p.client_id, p.client_secret,
                 p.allowed_domains, p.default_role
          FROM oidc_providers p JOIN tenants t ON t.id = p.tenant_id
          WHERE p.id = p_id AND t.is_active AND p.enabled
        $$
        """
    )
    # The provider configured by environment names its tenant by slug.
    op.execute(
        """
        CREATE FUNCTION pharos_sign_in_tenant(p_slug text)
        RETURNS TABLE (id uuid, slug varchar)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT t.id, t.slug FROM tenants t WHERE t.slug = p_slug AND t.is_active
        $$
        """
    )
    # A domain sign-up creates a user without a password (they sign in through the provider only);
    # an existing e-mail keeps its user. Runs inside the caller's transaction, so the membership
    # written next commits or rolls back with it.
    op.execute(
        """
        CREATE FUNCTION pharos_sign_up_user(p_id uuid, p_email text, p_display_name text)
        RETURNS uuid
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
        DECLARE found uuid;
        BEGIN
          INSERT INTO users (id, email, display_name, password_hash, is_active, created_at)
          VALUES (p_id, lower(p_email), p_display_name, NULL, true, now())
          ON CONFLICT ((lower(email))) DO NOTHING;
          SELECT u.id INTO found FROM users u WHERE lower(u.email) = lower(p_email);
          RETURN found;
        END
        $$
        """
    )
    for signature in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {APP_ROLE}")


def downgrade() -> None:
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.drop_index(op.f("ix_oidc_providers_tenant_id"), table_name="oidc_providers")
    op.drop_table("oidc_providers")
