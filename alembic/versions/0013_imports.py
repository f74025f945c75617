"""Imports: one per stored upload (status, mapping, counts, hash at import), their issues, presets.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from models.core.rls import tenant_isolation

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_presets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("header_signature", sa.Text(), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_import_presets_tenant_id_id"),
        sa.UniqueConstraint("tenant_id", "target", "name", name="uq_import_presets_tenant_id_target_name"),
    )
    op.create_index(op.f("ix_import_presets_tenant_id"), "import_presets", ["tenant_id"], unique=False)
    op.create_table(
        "imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("upload_id", sa.UUID(), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("columns", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("header_signature", sa.Text(), server_default="", nullable=False),
        sa.Column("valid_rows_only", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("rows_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_valid", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_invalid", sa.Integer(), server_default="0", nullable=False),
        sa.Column("issues_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("inserted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("skipped", sa.Integer(), server_default="0", nullable=False),
        sa.Column("merge_extra", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("job_id", sa.UUID(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status in ('uploaded', 'mapped', 'validating', 'valid', 'invalid', 'importing', 'imported', 'failed')",
            name="ck_imports_status",
        ),
        sa.ForeignKeyConstraint(["tenant_id", "upload_id"], ["uploads.tenant_id", "uploads.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_imports_tenant_id_id"),
        sa.UniqueConstraint("tenant_id", "upload_id", name="uq_imports_tenant_id_upload_id"),
    )
    op.create_index(op.f("ix_imports_tenant_id"), "imports", ["tenant_id"], unique=False)
    op.create_table(
        "import_issues",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("import_id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("column", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("hint", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "import_id"],
            ["imports.tenant_id", "imports.id"],
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_issues_import_seq", "import_issues", ["import_id", "seq"], unique=False)
    op.create_index(op.f("ix_import_issues_tenant_id"), "import_issues", ["tenant_id"], unique=False)
    for table in ("imports", "import_issues", "import_presets"):
        for statement in tenant_isolation(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_index(op.f("ix_import_issues_tenant_id"), table_name="import_issues")
    op.drop_index("ix_import_issues_import_seq", table_name="import_issues")
    op.drop_table("import_issues")
    op.drop_index(op.f("ix_imports_tenant_id"), table_name="imports")
    op.drop_table("imports")
    op.drop_index(op.f("ix_import_presets_tenant_id"), table_name="import_presets")
    op.drop_table("import_presets")
