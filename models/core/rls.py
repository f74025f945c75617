"""SQL that migrations use to put a table under tenant isolation and the app role's grants.

Kept in one place so every module's migration protects its tables the same way, and the catalog
lint test can check the result.
"""

from __future__ import annotations

from collections.abc import Iterable

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


def tenant_isolation_all(tables: Iterable[str], *, append_only: bool = False) -> list[str]:
    """`tenant_isolation` of every table, in order (a migration's usual closing block)."""
    return [statement for table in tables for statement in tenant_isolation(table, append_only=append_only)]


def app_function(signature: str) -> list[str]:
    """A SECURITY DEFINER function only the app role may call: taken from PUBLIC, granted to the app."""
    return [f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC", f"GRANT EXECUTE ON FUNCTION {signature} TO {APP_ROLE}"]


# A vendor member (pharos_vendor_scope() gives their organization) sees only their organization's rows.
VENDOR_ROW = "(select pharos_vendor_scope()) IS NULL OR vendor_org_id = (select pharos_vendor_scope())"


def vendor_scoped(table: str) -> list[str]:
    """Tenant isolation plus the restrictive `vendor_scope` policy on the row's `vendor_org_id`
    (the cases module's tables; the function is created by migration 0018)."""
    return [
        *tenant_isolation(table),
        f"CREATE POLICY vendor_scope ON {table} AS RESTRICTIVE USING ({VENDOR_ROW}) WITH CHECK ({VENDOR_ROW})",
    ]


def vendor_scoped_events(table: str, parent: str) -> list[str]:
    """An append-only event table of a vendor-scoped `parent`: never rewritten by the app, and a
    vendor sees an event only when they see its entity (`entity_id`) in `parent`."""
    seen = f"(select pharos_vendor_scope()) IS NULL OR EXISTS (SELECT 1 FROM {parent} p WHERE p.id = entity_id)"
    return [
        *tenant_isolation(table, append_only=True),
        f"REVOKE UPDATE, DELETE ON {table} FROM {APP_ROLE}",
        f"CREATE POLICY vendor_scope ON {table} AS RESTRICTIVE USING ({seen}) WITH CHECK ({seen})",
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
