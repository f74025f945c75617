"""The audit chain is read per event type quickly: an index on (tenant_id, action, seq).

The operator-graph spec (§1) asks for `events(org_id, event_type, created_at)`; the spec's events
table is our audit chain, whose event type is `action` and whose per-tenant order is `seq` (the
order the page and `GET /api/audit` list in). `GET /api/audit?event_type=graph.view` and the audit
page's "Event type" filter then read the newest events of one type straight from the index instead
of walking the tenant's whole chain.

Revision ID: 0024
Revises: 0021
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_tenant_action_seq", "audit_events", ["tenant_id", "action", "seq"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_events_tenant_action_seq", table_name="audit_events")
