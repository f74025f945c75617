"""Sale rows check their references once per statement instead of once per row.

The three composite foreign keys of `margin_sale_rows` (dealer → organizations, SKU → skus,
channel → channels, each with tenant_id) fired one RI trigger per inserted row: at 1M imported rows
they were 55 of the merge's 85 seconds (docs/benchmarks.md). They become set-based checks that keep
every guarantee the keys gave:

- `margin_sale_rows` AFTER INSERT / AFTER UPDATE, FOR EACH STATEMENT with the statement's rows as a
  transition table: the referenced rows are locked FOR KEY SHARE (as the RI check locks them, so a
  concurrent delete waits for this transaction) and a row whose dealer, SKU or channel is not a row
  of the SAME tenant refuses the statement (SQLSTATE 23503, foreign_key_violation). A reference to
  another tenant's row stays impossible.
- `organizations`, `skus`, `channels` AFTER DELETE / AFTER UPDATE, FOR EACH STATEMENT: removing (or
  re-keying) a row that sale rows still reference is refused (what NO ACTION did), except for the
  rows of a tenant being deleted (its sale rows go with it through their tenant key, ON DELETE
  CASCADE, which stays).

The functions run as the caller (no SECURITY DEFINER): under RLS an app session sees only its own
tenant's rows, which is exactly what may be referenced.

Revision ID: 0016_import_speed
Revises: 0013
"""

from __future__ import annotations

from alembic import op

revision = "0016_import_speed"
down_revision = "0020_service"
branch_labels = None
depends_on = None

REFS = (("dealer_id", "organizations"), ("sku_id", "skus"), ("channel_id", "channels"))

CHECK_FUNCTION = """
CREATE FUNCTION pharos_margin_sale_rows_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  PERFORM 1 FROM organizations o
    WHERE (o.tenant_id, o.id) IN (SELECT DISTINCT n.tenant_id, n.dealer_id FROM new_rows n) FOR KEY SHARE OF o;
  PERFORM 1 FROM skus k
    WHERE (k.tenant_id, k.id) IN (SELECT DISTINCT n.tenant_id, n.sku_id FROM new_rows n) FOR KEY SHARE OF k;
  PERFORM 1 FROM channels c
    WHERE (c.tenant_id, c.id) IN (SELECT DISTINCT n.tenant_id, n.channel_id FROM new_rows n
                                  WHERE n.channel_id IS NOT NULL) FOR KEY SHARE OF c;
  SELECT n.tenant_id, n.dealer_id, n.sku_id, n.channel_id INTO bad FROM new_rows n
    WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.tenant_id = n.tenant_id AND o.id = n.dealer_id)
       OR NOT EXISTS (SELECT 1 FROM skus k WHERE k.tenant_id = n.tenant_id AND k.id = n.sku_id)
       OR (n.channel_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM channels c WHERE c.tenant_id = n.tenant_id AND c.id = n.channel_id))
    LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'margin_sale_rows: dealer %, SKU % or channel % is not a row of tenant %',
      bad.dealer_id, bad.sku_id, bad.channel_id, bad.tenant_id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$
"""

# TG_ARGV[0]: the sale rows' column that references the table the trigger is on
GUARD_FUNCTION = """
CREATE FUNCTION pharos_margin_sale_rows_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  gone uuid;
BEGIN
  IF TG_OP = 'DELETE' THEN
    EXECUTE format(
      'SELECT o.id FROM old_rows o JOIN tenants t ON t.id = o.tenant_id '
      'WHERE EXISTS (SELECT 1 FROM margin_sale_rows s WHERE s.tenant_id = o.tenant_id AND s.%I = o.id) LIMIT 1',
      TG_ARGV[0]) INTO gone;
  ELSE
    EXECUTE format(
      'SELECT o.id FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n '
      'WHERE n.tenant_id = o.tenant_id AND n.id = o.id) '
      'AND EXISTS (SELECT 1 FROM margin_sale_rows s WHERE s.tenant_id = o.tenant_id AND s.%I = o.id) LIMIT 1',
      TG_ARGV[0]) INTO gone;
  END IF;
  IF gone IS NOT NULL THEN
    RAISE EXCEPTION '% % is still referenced from margin_sale_rows', TG_TABLE_NAME, gone
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    for column, table in REFS:
        op.drop_constraint(f"margin_sale_rows_tenant_id_{column}_fkey", "margin_sale_rows", type_="foreignkey")
    op.execute(CHECK_FUNCTION)
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER margin_sale_rows_refs_{event.lower()} AFTER {event} ON margin_sale_rows "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pharos_margin_sale_rows_refs()"
        )
    op.execute(GUARD_FUNCTION)
    for column, table in REFS:
        op.execute(
            f"CREATE TRIGGER margin_sale_rows_guard_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS "
            f"old_rows FOR EACH STATEMENT EXECUTE FUNCTION pharos_margin_sale_rows_guard('{column}')"
        )
        op.execute(
            f"CREATE TRIGGER margin_sale_rows_guard_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS "
            f"old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pharos_margin_sale_rows_guard('{column}')"
        )


def downgrade() -> None:
    for _, table in REFS:
        op.execute(f"DROP TRIGGER margin_sale_rows_guard_delete ON {table}")
        op.execute(f"DROP TRIGGER margin_sale_rows_guard_update ON {table}")
    op.execute("DROP FUNCTION pharos_margin_sale_rows_guard()")
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER margin_sale_rows_refs_{event} ON margin_sale_rows")
    op.execute("DROP FUNCTION pharos_margin_sale_rows_refs()")
    for column, table in REFS:
        op.create_foreign_key(
            f"margin_sale_rows_tenant_id_{column}_fkey",
            "margin_sale_rows",
            table,
            ["tenant_id", column],
            ["tenant_id", "id"],
        )
