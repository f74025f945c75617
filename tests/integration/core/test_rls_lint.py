"""Catalog lint: every tenant table is protected by forced RLS and the app role cannot escape it."""

from __future__ import annotations

from sqlalchemy import text

from models.core.db import owner_engine
from models.core.settings import APP_ROLE
from tests.support.schema import tenant_tables

EXPECTED_EXPR = "NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid"


def test_every_tenant_table_has_forced_rls_and_both_policy_clauses():
    with owner_engine().connect() as conn:
        tables = tenant_tables()
        assert {"memberships", "audit_events", "decision_events", "outbox_events", "jobs", "job_items"} <= set(tables)
        problems = []
        for table in tables:
            enabled, forced = conn.execute(
                text(
                    "select relrowsecurity, relforcerowsecurity from pg_class where relname = :t and "
                    "relnamespace = 'public'::regnamespace"
                ),
                {"t": table},
            ).one()
            policies = conn.execute(
                text(
                    "select policyname, cmd, qual, with_check from pg_policies where schemaname = 'public' and "
                    "tablename = :t"
                ),
                {"t": table},
            ).all()
            guarded = [
                p
                for p in policies
                if p.cmd == "ALL"
                and p.qual
                and p.with_check
                and EXPECTED_EXPR in p.qual
                and EXPECTED_EXPR in p.with_check
            ]
            if not (enabled and forced and guarded):
                problems.append(f"{table}: enabled={enabled} forced={forced} guarded_policies={len(guarded)}")
        assert problems == []


def test_app_role_owns_nothing_and_cannot_bypass_rls():
    with owner_engine().connect() as conn:
        role = conn.execute(
            text("select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = :r"),
            {"r": APP_ROLE},
        ).one()
        assert tuple(role) == (False, False, False, False)
        owned = conn.execute(
            text("select c.relname from pg_class c join pg_roles r on r.oid = c.relowner where r.rolname = :r"),
            {"r": APP_ROLE},
        ).all()
        assert owned == []


def test_tenants_and_users_tables_have_rls_enabled():
    with owner_engine().connect() as conn:
        rows = conn.execute(
            text(
                "select relname, relrowsecurity from pg_class where relname in ('tenants', 'users') and "
                "relnamespace = 'public'::regnamespace"
            )
        ).all()
        assert dict(rows) == {"tenants": True, "users": True}


def test_app_role_may_only_insert_and_select_audit_events():
    with owner_engine().connect() as conn:
        privileges = {
            p: conn.execute(
                text("select has_table_privilege(:r, 'audit_events', :p)"), {"r": APP_ROLE, "p": p}
            ).scalar()
            for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        }
    assert privileges == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False}
