"""Core: tenants, users, memberships, audit chain, decisions, outbox, jobs — under RLS.

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 02:23:46.503403
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from models.core.rls import CURRENT_TENANT, CURRENT_USER, tenant_isolation
from models.core.settings import APP_ROLE

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tenants',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('flags', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('uq_users_email_lower', 'users', [sa.literal_column('lower(email)')], unique=True)
    op.create_table('audit_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('correlation_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'seq')
    )
    op.create_index(op.f('ix_audit_events_action'), 'audit_events', ['action'], unique=False)
    op.create_index('ix_audit_events_tenant_at', 'audit_events', ['tenant_id', 'at'], unique=False)
    op.create_index(op.f('ix_audit_events_tenant_id'), 'audit_events', ['tenant_id'], unique=False)
    op.create_table('decision_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('machine', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_decision_events_entity', 'decision_events', ['tenant_id', 'machine', 'entity_id', 'at'], unique=False)
    op.create_index(op.f('ix_decision_events_tenant_id'), 'decision_events', ['tenant_id'], unique=False)
    op.create_table('job_sample_effects',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_job_sample_effects_idempotency_key'), 'job_sample_effects', ['idempotency_key'], unique=False)
    op.create_index(op.f('ix_job_sample_effects_tenant_id'), 'job_sample_effects', ['tenant_id'], unique=False)
    op.create_table('jobs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('params', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('total_items', sa.Integer(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.CheckConstraint("status in ('queued', 'running', 'completed', 'failed', 'cancelled')", name='ck_jobs_status'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'id', name='uq_jobs_tenant_id_id')
    )
    op.create_index(op.f('ix_jobs_tenant_id'), 'jobs', ['tenant_id'], unique=False)
    op.create_index('ix_jobs_tenant_status', 'jobs', ['tenant_id', 'status'], unique=False)
    op.create_table('memberships',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role in ('owner', 'admin', 'ops', 'sales', 'hr', 'manager', 'finance', 'auditor', 'viewer', 'vendor')", name='ck_memberships_role'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'user_id')
    )
    op.create_index(op.f('ix_memberships_tenant_id'), 'memberships', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_memberships_user_id'), 'memberships', ['user_id'], unique=False)
    op.create_table('outbox_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'idempotency_key')
    )
    op.create_index(op.f('ix_outbox_events_tenant_id'), 'outbox_events', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_outbox_events_topic'), 'outbox_events', ['topic'], unique=False)
    op.create_table('job_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('job_id', sa.UUID(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_owner', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('result', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status in ('pending', 'running', 'done', 'failed', 'skipped', 'cancelled')", name='ck_job_items_status'),
    sa.ForeignKeyConstraint(['tenant_id', 'job_id'], ['jobs.tenant_id', 'jobs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'job_id', 'seq', name='uq_job_items_job_seq'),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name='uq_job_items_idempotency')
    )
    op.create_index('ix_job_items_claim', 'job_items', ['job_id', 'status', 'seq'], unique=False)
    op.create_index(op.f('ix_job_items_tenant_id'), 'job_items', ['tenant_id'], unique=False)


    _secure()


TENANT_TABLES = ("memberships", "decision_events", "outbox_events", "jobs", "job_items", "job_sample_effects")
APPEND_ONLY_TABLES = ("audit_events",)


def _secure() -> None:
    for table in TENANT_TABLES:
        for statement in tenant_isolation(table):
            op.execute(statement)
    for table in APPEND_ONLY_TABLES:
        for statement in tenant_isolation(table, append_only=True):
            op.execute(statement)
    # decision events are history: the app may add but never rewrite them
    op.execute(f"REVOKE UPDATE, DELETE ON decision_events FROM {APP_ROLE}")
    # a user may also see their own memberships in other tenants (to pick one after login)
    op.execute(f"CREATE POLICY own_memberships ON memberships FOR SELECT USING (user_id = {CURRENT_USER})")

    # tenants and users carry no tenant_id: RLS is enabled (not forced, so the owner's lookup
    # functions below work) and the app role sees only what its context allows.
    op.execute("ALTER TABLE tenants ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant_visible ON tenants FOR SELECT USING ("
        f"id = {CURRENT_TENANT} OR id IN (SELECT tenant_id FROM memberships WHERE user_id = {CURRENT_USER}))"
    )
    op.execute(f"CREATE POLICY tenant_update ON tenants FOR UPDATE USING (id = {CURRENT_TENANT}) WITH CHECK (id = {CURRENT_TENANT})")
    op.execute("REVOKE ALL ON tenants FROM PUBLIC")
    op.execute(f"GRANT SELECT, UPDATE ON tenants TO {APP_ROLE}")

    op.execute("ALTER TABLE users ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY user_visible ON users FOR SELECT USING ("
        f"id = {CURRENT_USER} OR id IN (SELECT user_id FROM memberships WHERE tenant_id = {CURRENT_TENANT}))"
    )
    op.execute(f"CREATE POLICY user_self_update ON users FOR UPDATE USING (id = {CURRENT_USER}) WITH CHECK (id = {CURRENT_USER})")
    op.execute("REVOKE ALL ON users FROM PUBLIC")
    op.execute(f"GRANT SELECT, UPDATE ON users TO {APP_ROLE}")

    # Login needs the user row before any context exists. This owner function returns only the
    # columns login needs, for one exact e-mail.
    op.execute(
        """
        CREATE FUNCTION pharos_login_lookup(p_email text)
        RETURNS TABLE (id uuid, password_hash varchar, is_active boolean, display_name varchar, email varchar)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT u.id, u.password_hash, u.is_active, u.display_name, u.email
          FROM users u WHERE lower(u.email) = lower(p_email)
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION pharos_login_lookup(text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION pharos_login_lookup(text) TO {APP_ROLE}")

    # Workers resume unfinished jobs of every tenant at start-up; this returns ids only.
    op.execute(
        """
        CREATE FUNCTION pharos_unfinished_jobs()
        RETURNS TABLE (tenant_id uuid, job_id uuid, kind varchar)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
          SELECT j.tenant_id, j.id, j.kind FROM jobs j WHERE j.status IN ('queued', 'running')
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION pharos_unfinished_jobs() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION pharos_unfinished_jobs() TO {APP_ROLE}")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS pharos_unfinished_jobs()")
    op.execute("DROP FUNCTION IF EXISTS pharos_login_lookup(text)")
    op.drop_index(op.f('ix_job_items_tenant_id'), table_name='job_items')
    op.drop_index('ix_job_items_claim', table_name='job_items')
    op.drop_table('job_items')
    op.drop_index(op.f('ix_outbox_events_topic'), table_name='outbox_events')
    op.drop_index(op.f('ix_outbox_events_tenant_id'), table_name='outbox_events')
    op.drop_table('outbox_events')
    op.drop_index(op.f('ix_memberships_user_id'), table_name='memberships')
    op.drop_index(op.f('ix_memberships_tenant_id'), table_name='memberships')
    op.drop_table('memberships')
    op.drop_index('ix_jobs_tenant_status', table_name='jobs')
    op.drop_index(op.f('ix_jobs_tenant_id'), table_name='jobs')
    op.drop_table('jobs')
    op.drop_index(op.f('ix_job_sample_effects_tenant_id'), table_name='job_sample_effects')
    op.drop_index(op.f('ix_job_sample_effects_idempotency_key'), table_name='job_sample_effects')
    op.drop_table('job_sample_effects')
    op.drop_index(op.f('ix_decision_events_tenant_id'), table_name='decision_events')
    op.drop_index('ix_decision_events_entity', table_name='decision_events')
    op.drop_table('decision_events')
    op.drop_index(op.f('ix_audit_events_tenant_id'), table_name='audit_events')
    op.drop_index('ix_audit_events_tenant_at', table_name='audit_events')
    op.drop_index(op.f('ix_audit_events_action'), table_name='audit_events')
    op.drop_table('audit_events')
    op.drop_index('uq_users_email_lower', table_name='users')
    op.drop_table('users')
    op.drop_table('tenants')
