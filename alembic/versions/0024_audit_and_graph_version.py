"""The audit chain read per event type, and the graph's version for the whole-graph read.

**Audit per event type**: an index on (tenant_id, action, seq).

The operator-graph spec (§1) asks for `events(org_id, event_type, created_at)`; the spec's events
table is our audit chain, whose event type is `action` and whose per-tenant order is `seq` (the
order the page and `GET /api/audit` list in). `GET /api/audit?event_type=graph.view` and the audit
page's "Event type" filter then read the newest events of one type straight from the index instead
of walking the tenant's whole chain.

**Graph version**: `graph_versions` (tenant_id, version), counted up by a statement trigger on every
INSERT, UPDATE or DELETE (COPY included) of `graph_participants` and `graph_relationships`; one row
per tenant, under tenant isolation like every tenant table (the trigger runs as the writer, in the
writer's tenant). The whole-graph read keeps the participants and relationships it loaded under
that number (models/graph/current.py) and reads them again only when it has moved.

Revision ID: 0024
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.core.rls import tenant_isolation

revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None


GRAPH_TABLES = ("graph_participants", "graph_relationships")
EVENTS = (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD"))
TOUCH = """
CREATE FUNCTION pharos_graph_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO graph_versions AS v (tenant_id, version)
  SELECT DISTINCT tenant_id, 1 FROM changed
  ON CONFLICT (tenant_id) DO UPDATE SET version = v.version + 1;
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_index("ix_audit_events_tenant_action_seq", "audit_events", ["tenant_id", "action", "seq"], unique=False)
    op.create_table(
        "graph_versions",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id"),
    )
    for statement in tenant_isolation("graph_versions"):
        op.execute(statement)
    op.execute(TOUCH)
    for table in GRAPH_TABLES:
        for event, rows in EVENTS:
            op.execute(
                f"CREATE TRIGGER {table}_version_{event} AFTER {event.upper()} ON {table} "
                f"REFERENCING {rows} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION pharos_graph_touch()"
            )


def downgrade() -> None:
    for table in GRAPH_TABLES:
        for event, _ in EVENTS:
            op.execute(f"DROP TRIGGER {table}_version_{event} ON {table}")
    op.execute("DROP FUNCTION pharos_graph_touch()")
    op.drop_table("graph_versions")
    op.drop_index("ix_audit_events_tenant_action_seq", table_name="audit_events")
