"""Compensation plans as data: the input catalog, bonus plans (versions), their inputs, steps and pool.

Revision ID: 0014_comp_plans
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from models.core.rls import tenant_isolation

revision = "0014_comp_plans"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bonus_plans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("based_on_id", sa.UUID(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.Uuid(), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status in ('draft', 'approved', 'locked', 'archived')", name="ck_bonus_plans_status"),
        sa.CheckConstraint(
            "effective_to is null or effective_from is null or effective_to >= effective_from",
            name="ck_bonus_plans_window",
        ),
        sa.CheckConstraint("version >= 1", name="ck_bonus_plans_version"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "based_on_id"],
            ["bonus_plans.tenant_id", "bonus_plans.id"],
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "family_id", "version", name="uq_bonus_plans_family_version"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_bonus_plans_tenant_id_id"),
        sa.UniqueConstraint("tenant_id", "name", "version", name="uq_bonus_plans_name_version"),
    )
    op.create_index(op.f("ix_bonus_plans_tenant_id"), "bonus_plans", ["tenant_id"], unique=False)
    op.create_index("ix_bonus_plans_tenant_status", "bonus_plans", ["tenant_id", "status"], unique=False)
    op.create_table(
        "input_catalog",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("key", sa.String(length=63), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("dtype", sa.String(length=20), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("default_value", sa.String(length=200), nullable=True),
        sa.Column("validation", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("dtype in ('decimal', 'int', 'bool', 'text', 'date')", name="ck_input_catalog_dtype"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_input_catalog_tenant_id_id"),
        sa.UniqueConstraint("tenant_id", "key", name="uq_input_catalog_key"),
    )
    op.create_index(op.f("ix_input_catalog_tenant_id"), "input_catalog", ["tenant_id"], unique=False)
    op.create_table(
        "bonus_pools",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("plan_id", sa.UUID(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.Numeric(precision=38, scale=10), nullable=False),
        sa.Column("allocation_rules", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_bonus_pools_currency"),
        sa.CheckConstraint("amount >= 0", name="ck_bonus_pools_amount"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id"], ["bonus_plans.tenant_id", "bonus_plans.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_bonus_pools_tenant_id_id"),
        sa.UniqueConstraint("tenant_id", "plan_id", name="uq_bonus_pools_plan"),
    )
    op.create_index(op.f("ix_bonus_pools_tenant_id"), "bonus_pools", ["tenant_id"], unique=False)
    op.create_table(
        "plan_inputs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("plan_id", sa.UUID(), nullable=False),
        sa.Column("input_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("default_value", sa.String(length=200), nullable=True),
        sa.Column("transform", sa.String(length=30), nullable=False),
        sa.Column("source_column", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "transform in ('none', 'percent_to_ratio', 'ratio_to_percent', 'abs', 'negate', 'round2', "
            "'trim', 'lower', 'upper')",
            name="ck_plan_inputs_transform",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "input_id"],
            ["input_catalog.tenant_id", "input_catalog.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id"], ["bonus_plans.tenant_id", "bonus_plans.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_plan_inputs_tenant_id_id"),
        sa.UniqueConstraint("tenant_id", "plan_id", "input_id", name="uq_plan_inputs_input"),
    )
    op.create_index(op.f("ix_plan_inputs_tenant_id"), "plan_inputs", ["tenant_id"], unique=False)
    op.create_table(
        "plan_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("plan_id", sa.UUID(), nullable=False),
        sa.Column("step_order", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("expr", sa.Text(), nullable=False),
        sa.Column("condition_expr", sa.Text(), nullable=True),
        sa.Column("outputs", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id"], ["bonus_plans.tenant_id", "bonus_plans.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_plan_steps_tenant_id_id"),
        sa.UniqueConstraint(
            "tenant_id", "plan_id", "name", deferrable=True, initially="DEFERRED", name="uq_plan_steps_name"
        ),
        sa.UniqueConstraint(
            "tenant_id", "plan_id", "step_order", deferrable=True, initially="DEFERRED", name="uq_plan_steps_order"
        ),
    )
    op.create_index("ix_plan_steps_plan_order", "plan_steps", ["tenant_id", "plan_id", "step_order"], unique=False)
    op.create_index(op.f("ix_plan_steps_tenant_id"), "plan_steps", ["tenant_id"], unique=False)
    for table in ("input_catalog", "bonus_plans", "plan_inputs", "plan_steps", "bonus_pools"):
        for statement in tenant_isolation(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_steps_tenant_id"), table_name="plan_steps")
    op.drop_index("ix_plan_steps_plan_order", table_name="plan_steps")
    op.drop_table("plan_steps")
    op.drop_index(op.f("ix_plan_inputs_tenant_id"), table_name="plan_inputs")
    op.drop_table("plan_inputs")
    op.drop_index(op.f("ix_bonus_pools_tenant_id"), table_name="bonus_pools")
    op.drop_table("bonus_pools")
    op.drop_index(op.f("ix_input_catalog_tenant_id"), table_name="input_catalog")
    op.drop_table("input_catalog")
    op.drop_index("ix_bonus_plans_tenant_status", table_name="bonus_plans")
    op.drop_index(op.f("ix_bonus_plans_tenant_id"), table_name="bonus_plans")
    op.drop_table("bonus_plans")
