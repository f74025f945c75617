"""Margin Defense bulk enforcement: batches (status via BATCH_MACHINE, job_id → jobs), the batch log
(append-only), the planned items (insert-only) and the notices outbox (append-only; idempotency key unique per tenant) — every table
under forced RLS. The execution state of an item is the job_item with its key.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

from alembic import op
from models.core.rls import tenant_isolation

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "margin_enforcement_batches",
    "margin_enforcement_items",
    "margin_enforcement_logs",
    "margin_enforcement_notices",
)
APPEND_ONLY = ("margin_enforcement_items", "margin_enforcement_logs", "margin_enforcement_notices")
ACTIONS = "action in ('final_notice', 'request_price_correction', 'suspend_dealer', 'warning_notice')"


def upgrade() -> None:
    op.create_table('margin_enforcement_batches',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('filters', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('job_id', sa.UUID(), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('alert_count', sa.Integer(), nullable=False),
    sa.Column('skipped_count', sa.Integer(), nullable=False),
    sa.Column('expected_recoverable', sa.Numeric(precision=38, scale=10), nullable=False),
    sa.Column('skipped', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint(ACTIONS, name='ck_margin_enforcement_batches_action'),
    sa.CheckConstraint("status in ('cancelled', 'completed', 'draft', 'failed', 'queued', 'running')", name='ck_margin_enforcement_batches_status'),
    sa.ForeignKeyConstraint(['tenant_id', 'job_id'], ['jobs.tenant_id', 'jobs.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'id', name='uq_margin_enforcement_batches_tenant_id_id')
    )
    op.create_index('ix_margin_enforcement_batches_created', 'margin_enforcement_batches', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_margin_enforcement_batches_status', 'margin_enforcement_batches', ['tenant_id', 'status'], unique=False)
    op.create_index(op.f('ix_margin_enforcement_batches_tenant_id'), 'margin_enforcement_batches', ['tenant_id'], unique=False)
    op.create_table('margin_enforcement_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('batch_id', sa.UUID(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('dealer_id', sa.UUID(), nullable=False),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('alerts', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status_before', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status_after', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('dealer_action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('recoverable', sa.Numeric(precision=38, scale=10), nullable=False),
    sa.Column('task_title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('task_due_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'batch_id'], ['margin_enforcement_batches.tenant_id', 'margin_enforcement_batches.id'], ),
    sa.ForeignKeyConstraint(['tenant_id', 'dealer_id'], ['organizations.tenant_id', 'organizations.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'batch_id', 'seq', name='uq_margin_enforcement_items_seq'),
    sa.UniqueConstraint('tenant_id', 'id', name='uq_margin_enforcement_items_tenant_id_id'),
    sa.UniqueConstraint('tenant_id', 'item_key', name='uq_margin_enforcement_items_key')
    )
    op.create_index('ix_margin_enforcement_items_dealer', 'margin_enforcement_items', ['tenant_id', 'dealer_id'], unique=False)
    op.create_index(op.f('ix_margin_enforcement_items_tenant_id'), 'margin_enforcement_items', ['tenant_id'], unique=False)
    op.create_table('margin_enforcement_logs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('batch_id', sa.UUID(), nullable=False),
    sa.Column('dealer_id', sa.UUID(), nullable=True),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("level in ('info', 'warning', 'error')", name='ck_margin_enforcement_logs_level'),
    sa.ForeignKeyConstraint(['tenant_id', 'batch_id'], ['margin_enforcement_batches.tenant_id', 'margin_enforcement_batches.id'], ),
    sa.ForeignKeyConstraint(['tenant_id', 'dealer_id'], ['organizations.tenant_id', 'organizations.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'id', name='uq_margin_enforcement_logs_tenant_id_id')
    )
    op.create_index('ix_margin_enforcement_logs_batch', 'margin_enforcement_logs', ['tenant_id', 'batch_id', 'created_at', 'id'], unique=False)
    op.create_index(op.f('ix_margin_enforcement_logs_tenant_id'), 'margin_enforcement_logs', ['tenant_id'], unique=False)
    op.create_table('margin_enforcement_notices',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('batch_id', sa.UUID(), nullable=False),
    sa.Column('dealer_id', sa.UUID(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('alert_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=250), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(ACTIONS, name='ck_margin_enforcement_notices_action'),
    sa.ForeignKeyConstraint(['tenant_id', 'batch_id'], ['margin_enforcement_batches.tenant_id', 'margin_enforcement_batches.id'], ),
    sa.ForeignKeyConstraint(['tenant_id', 'dealer_id'], ['organizations.tenant_id', 'organizations.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'id', name='uq_margin_enforcement_notices_tenant_id_id'),
    sa.UniqueConstraint('tenant_id', 'idempotency_key', name='uq_margin_enforcement_notices_key')
    )
    op.create_index('ix_margin_enforcement_notices_batch', 'margin_enforcement_notices', ['tenant_id', 'batch_id'], unique=False)
    op.create_index('ix_margin_enforcement_notices_sent', 'margin_enforcement_notices', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index(op.f('ix_margin_enforcement_notices_tenant_id'), 'margin_enforcement_notices', ['tenant_id'], unique=False)
    for table in TENANT_TABLES:
        for statement in tenant_isolation(table, append_only=table in APPEND_ONLY):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table('margin_enforcement_notices')
    op.drop_table('margin_enforcement_logs')
    op.drop_table('margin_enforcement_items')
    op.drop_table('margin_enforcement_batches')
