"""Indexes for the margin dashboard at scale (1M alerts): open-alert summary, trend, period loss.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN_ALERT_SQL = "status in ('open', 'acknowledged', 'in_enforcement')"


def upgrade() -> None:
    # open alerts are a small share of all alerts: a partial covering index answers every
    # open-alert aggregate of the dashboard with an index-only scan
    op.execute(
        "CREATE INDEX ix_margin_alerts_open_summary ON margin_alerts (tenant_id, rule, severity, dealer_id) "
        f"INCLUDE (impact) WHERE {OPEN_ALERT_SQL}"
    )
    op.execute("CREATE INDEX ix_margin_alerts_first_seen ON margin_alerts (tenant_id, first_seen)")
    op.execute(
        "CREATE INDEX ix_margin_alert_evidence_observed ON margin_alert_evidence (tenant_id, observed_at) "
        "INCLUDE (alert_id, impact)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_margin_alert_evidence_observed")
    op.execute("DROP INDEX IF EXISTS ix_margin_alerts_first_seen")
    op.execute("DROP INDEX IF EXISTS ix_margin_alerts_open_summary")
