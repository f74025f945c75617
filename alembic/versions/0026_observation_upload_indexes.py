"""Margin's observations lose their `(tenant_id, upload_id)` indexes.

Sale rows, competitor snapshots and inventory rows keep the upload they came from (`upload_id`,
provenance on each row), but no query reads them by it: what an import brought is counted when it
merges and kept on its detection run. The indexes only cost writes: at 1M sale rows, one index
entry per row (a million WAL records, ~50 MB) for nothing read. When a feature needs the rows of
one upload, it adds the index it needs.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

TABLES = ("margin_sale_rows", "margin_competitor_snapshots", "margin_inventory_rows")


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_upload", table_name=table, postgresql_where=sa.text("upload_id is not null"))


def downgrade() -> None:
    for table in TABLES:
        op.create_index(
            f"ix_{table}_upload", table, ["tenant_id", "upload_id"], postgresql_where=sa.text("upload_id is not null")
        )
