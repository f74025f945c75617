"""The test-only sample job's effects table leaves the production schema (tests create it).

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from models.core.rls import tenant_isolation

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f("ix_job_sample_effects_tenant_id"), table_name="job_sample_effects")
    op.drop_index(op.f("ix_job_sample_effects_idempotency_key"), table_name="job_sample_effects")
    op.drop_table("job_sample_effects")


def downgrade() -> None:
    op.create_table(
        "job_sample_effects",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_job_sample_effects_idempotency_key"), "job_sample_effects", ["idempotency_key"])
    op.create_index(op.f("ix_job_sample_effects_tenant_id"), "job_sample_effects", ["tenant_id"])
    for statement in tenant_isolation("job_sample_effects"):
        op.execute(statement)
