"""SQL that migrations use to put a table under tenant isolation and the app role's grants.

Kept in one place so every module's migration protects its tables the same way, and the catalog
lint test can check the result.
"""

from __future__ import annotations

from models.core.settings import APP_ROLE

CURRENT_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
CURRENT_USER = "NULLIF(current_setting('app.user_id', true), '')::uuid"


def tenant_isolation(table: str, *, append_only: bool = False) -> list[str]:
    """RLS enabled and forced, one policy with USING and WITH CHECK, and the app role's grants."""
    grants = "SELECT, INSERT" if append_only else "SELECT, INSERT, UPDATE, DELETE"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} USING (tenant_id = {CURRENT_TENANT}) "
        f"WITH CHECK (tenant_id = {CURRENT_TENANT})",
        f"REVOKE ALL ON {table} FROM PUBLIC",
        f"GRANT {grants} ON {table} TO {APP_ROLE}",
    ]


def ensure_role_sql(password: str) -> str:
    """Create the app role if missing: it logs in, owns nothing, is not superuser, cannot bypass RLS."""
    quoted = password.replace("'", "''")
    return f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{quoted}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
  ELSE
    ALTER ROLE {APP_ROLE} LOGIN PASSWORD '{quoted}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
END
$$;
"""
