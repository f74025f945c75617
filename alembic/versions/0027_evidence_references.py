"""Alert evidence checks its references once per statement instead of once per row.

Detection writes one evidence row per breaching observation (167k rows for a 1M-row sales import)
and each row fired five RI triggers: its alert, sale row, competitor snapshot, inventory row and
floor rule. They were 5.5 of the 8.1 s those inserts took in PostgreSQL (measured on the import
benchmark's data, docs/benchmarks.md). As 0016_import_speed did for sale rows, they become
set-based checks with the same guarantees:

- `margin_alert_evidence` AFTER INSERT / AFTER UPDATE, FOR EACH STATEMENT with the statement's rows
  as a transition table: for each reference, the distinct rows referenced are locked FOR KEY SHARE
  (as the RI check locked them, so a concurrent delete waits for this transaction) and counted; a
  reference that is not a row of the SAME tenant refuses the statement (SQLSTATE 23503,
  foreign_key_violation). Each check is planned for the statement's own row count (dynamic SQL),
  one index probe per distinct reference.
- `margin_alerts`, `margin_sale_rows`, `margin_competitor_snapshots`, `margin_inventory_rows` and
  `price_rules` AFTER DELETE / AFTER UPDATE, FOR EACH STATEMENT: removing (or re-keying) a row that
  evidence still references is refused (what NO ACTION did), except for the rows of a tenant being
  deleted (its evidence goes with it through its tenant key, ON DELETE CASCADE, which stays).

The check runs as the owner (SECURITY DEFINER, as the RI triggers did): a row lock needs UPDATE
on the locked table, which the app role does not have on sale rows, snapshots or price rules
(append-only for it). Every check matches the evidence row's own tenant_id, so what the owner could
see beyond RLS is never accepted. The guards run as the caller: under RLS an app session sees only
its own tenant's rows, which is exactly what may be referenced.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

# evidence column -> the table it references (with tenant_id)
REFS = (
    ("alert_id", "margin_alerts"),
    ("sale_row_id", "margin_sale_rows"),
    ("snapshot_id", "margin_competitor_snapshots"),
    ("inventory_row_id", "margin_inventory_rows"),
    ("floor_rule_id", "price_rules"),
)
_VALUES = ", ".join(f"('{column}', '{table}')" for column, table in REFS)

CHECK_FUNCTION = f"""
CREATE FUNCTION pharos_margin_alert_evidence_refs() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public AS $$
DECLARE
  ref record;
  wanted bigint;
  locked bigint;
  missing record;
BEGIN
  FOR ref IN SELECT * FROM (VALUES {_VALUES}) AS r(col, tab) LOOP
    EXECUTE format(
      'WITH wanted AS (SELECT DISTINCT n.tenant_id, n.%1$I AS id FROM new_rows n WHERE n.%1$I IS NOT NULL) '
      'SELECT (SELECT count(*) FROM wanted), (SELECT count(*) FROM wanted w, LATERAL '
      '(SELECT 1 FROM %2$I t WHERE t.tenant_id = w.tenant_id AND t.id = w.id FOR KEY SHARE OF t) l)',
      ref.col, ref.tab) INTO wanted, locked;
    IF locked < wanted THEN
      EXECUTE format(
        'SELECT n.tenant_id, n.%1$I AS id FROM new_rows n WHERE n.%1$I IS NOT NULL AND NOT EXISTS '
        '(SELECT 1 FROM %2$I t WHERE t.tenant_id = n.tenant_id AND t.id = n.%1$I) LIMIT 1',
        ref.col, ref.tab) INTO missing;
      RAISE EXCEPTION 'margin_alert_evidence: % % is not a row of % of tenant %',
        ref.col, missing.id, ref.tab, missing.tenant_id
        USING ERRCODE = 'foreign_key_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$
"""

# TG_ARGV[0]: the evidence column that references the table the trigger is on
GUARD_FUNCTION = """
CREATE FUNCTION pharos_margin_alert_evidence_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  gone uuid;
BEGIN
  IF TG_OP = 'DELETE' THEN
    EXECUTE format(
      'SELECT o.id FROM old_rows o JOIN tenants t ON t.id = o.tenant_id '
      'WHERE EXISTS (SELECT 1 FROM margin_alert_evidence e WHERE e.tenant_id = o.tenant_id AND e.%I = o.id) LIMIT 1',
      TG_ARGV[0]) INTO gone;
  ELSE
    EXECUTE format(
      'SELECT o.id FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n '
      'WHERE n.tenant_id = o.tenant_id AND n.id = o.id) '
      'AND EXISTS (SELECT 1 FROM margin_alert_evidence e WHERE e.tenant_id = o.tenant_id AND e.%I = o.id) LIMIT 1',
      TG_ARGV[0]) INTO gone;
  END IF;
  IF gone IS NOT NULL THEN
    RAISE EXCEPTION '% % is still referenced from margin_alert_evidence', TG_TABLE_NAME, gone
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    for column, _ in REFS:
        op.drop_constraint(f"margin_alert_evidence_tenant_id_{column}_fkey", "margin_alert_evidence", type_="foreignkey")
    op.execute(CHECK_FUNCTION)
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER margin_alert_evidence_refs_{event.lower()} AFTER {event} ON margin_alert_evidence "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pharos_margin_alert_evidence_refs()"
        )
    op.execute(GUARD_FUNCTION)
    for column, table in REFS:
        op.execute(
            f"CREATE TRIGGER margin_alert_evidence_guard_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS "
            f"old_rows FOR EACH STATEMENT EXECUTE FUNCTION pharos_margin_alert_evidence_guard('{column}')"
        )
        op.execute(
            f"CREATE TRIGGER margin_alert_evidence_guard_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS "
            "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION pharos_margin_alert_evidence_guard('{column}')"
        )


def downgrade() -> None:
    for _, table in REFS:
        op.execute(f"DROP TRIGGER margin_alert_evidence_guard_delete ON {table}")
        op.execute(f"DROP TRIGGER margin_alert_evidence_guard_update ON {table}")
    op.execute("DROP FUNCTION pharos_margin_alert_evidence_guard()")
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER margin_alert_evidence_refs_{event} ON margin_alert_evidence")
    op.execute("DROP FUNCTION pharos_margin_alert_evidence_refs()")
    for column, table in REFS:
        op.create_foreign_key(
            f"margin_alert_evidence_tenant_id_{column}_fkey",
            "margin_alert_evidence",
            table,
            ["tenant_id", column],
            ["tenant_id", "id"],
        )
