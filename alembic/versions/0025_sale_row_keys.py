"""Sale rows are keyed by (tenant_id, id), and their tenant is checked once per statement.

A 1M-row import's merge (one `INSERT … SELECT … ON CONFLICT DO NOTHING`, models/margin/import_loaders)
spent most of its time keeping `margin_sale_rows`' indexes and keys: two unique indexes on the same
random md5 id (the primary key on id and the (tenant_id, id) key that evidence references), a
tenant_id index that the other indexes already lead with, and the tenant foreign key, checked by
one RI trigger call per inserted row (6.4 of the merge's 28 s, measured). Now:

- the primary key is (tenant_id, id): one unique index where there were two, the arbiter of the
  merge's `ON CONFLICT (tenant_id, id)` and the target of `margin_alert_evidence`'s composite key.
  The id stays a uuid (md5 of the tenant and every imported field, or random); the tenant_id-only
  index goes.
- the tenant foreign key becomes set-based checks with the same guarantees, in the style of
  0016_import_speed: the AFTER INSERT / AFTER UPDATE statement trigger also locks the statement's
  distinct tenants FOR KEY SHARE (as the RI check did, so a concurrent tenant delete waits for this
  transaction) and refuses a tenant that is not a row of `tenants` (SQLSTATE 23503,
  foreign_key_violation); an AFTER DELETE statement trigger on `tenants` deletes the deleted
  tenants' sale rows (what ON DELETE CASCADE did). It fires after the row-level cascades of the
  same DELETE, so the tenants' alert evidence, which references sale rows, is already gone.
  Re-keying a tenant's id stays refused: a tenant with sale rows has the organizations and SKUs
  they reference, whose own tenant keys refuse it.
- the statement trigger reads its transition table once (the distinct tenant, dealer, SKU and
  channel of the statement's rows) instead of four times, and checks that small set: 0.4 s
  instead of 2.2–3.3 s at 1M rows, same locks, same refusals.

`margin_sale_rows` has FORCE ROW LEVEL SECURITY, so a delete sees only the rows of `app.tenant_id`
unless the role bypasses RLS: the cascade sets it (transaction-local) to each deleted tenant in turn
and gives the caller's value back. The functions run as the caller (no SECURITY DEFINER): only the
owner deletes tenants.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

from alembic import context, op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

EVIDENCE_FK = "margin_alert_evidence_tenant_id_sale_row_id_fkey"
TENANT_FK = "margin_sale_rows_tenant_id_fkey"

CHECK_FUNCTION = """
CREATE OR REPLACE FUNCTION pharos_margin_sale_rows_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tenant_ids uuid[];
  dealer_ids uuid[];
  sku_ids uuid[];
  channel_ids uuid[];
  missing uuid;
  bad record;
BEGIN
  -- the statement's distinct (tenant, dealer, SKU, channel), read once; every check below reads these
  SELECT array_agg(k.tenant_id), array_agg(k.dealer_id), array_agg(k.sku_id), array_agg(k.channel_id)
    INTO tenant_ids, dealer_ids, sku_ids, channel_ids
    FROM (SELECT DISTINCT n.tenant_id, n.dealer_id, n.sku_id, n.channel_id FROM new_rows n) k;
  PERFORM 1 FROM tenants t WHERE t.id = ANY (tenant_ids) FOR KEY SHARE OF t;
  SELECT x INTO missing FROM unnest(tenant_ids) x WHERE NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = x) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'margin_sale_rows: tenant % does not exist', missing USING ERRCODE = 'foreign_key_violation';
  END IF;
  PERFORM 1 FROM organizations o
    WHERE (o.tenant_id, o.id) IN (SELECT * FROM unnest(tenant_ids, dealer_ids)) FOR KEY SHARE OF o;
  PERFORM 1 FROM skus k
    WHERE (k.tenant_id, k.id) IN (SELECT * FROM unnest(tenant_ids, sku_ids)) FOR KEY SHARE OF k;
  PERFORM 1 FROM channels c
    WHERE (c.tenant_id, c.id) IN (SELECT * FROM unnest(tenant_ids, channel_ids)) FOR KEY SHARE OF c;
  SELECT n.tenant_id, n.dealer_id, n.sku_id, n.channel_id INTO bad
    FROM unnest(tenant_ids, dealer_ids, sku_ids, channel_ids) AS n(tenant_id, dealer_id, sku_id, channel_id)
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

CASCADE_FUNCTION = """
CREATE FUNCTION pharos_margin_sale_rows_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  caller text := current_setting('app.tenant_id', true);
  gone uuid;
BEGIN
  FOR gone IN SELECT o.id FROM old_rows o LOOP
    PERFORM set_config('app.tenant_id', gone::text, true);
    DELETE FROM margin_sale_rows s WHERE s.tenant_id = gone;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(caller, ''), true);
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.drop_constraint(EVIDENCE_FK, "margin_alert_evidence", type_="foreignkey")
    op.drop_constraint("uq_margin_sale_rows_tenant_id_id", "margin_sale_rows", type_="unique")
    op.drop_constraint("margin_sale_rows_pkey", "margin_sale_rows", type_="primary")
    op.create_primary_key("margin_sale_rows_pkey", "margin_sale_rows", ["tenant_id", "id"])
    op.drop_index("ix_margin_sale_rows_tenant_id", table_name="margin_sale_rows")
    _evidence_key()
    op.drop_constraint(TENANT_FK, "margin_sale_rows", type_="foreignkey")
    op.execute(CHECK_FUNCTION)
    op.execute(CASCADE_FUNCTION)
    op.execute(
        "CREATE TRIGGER margin_sale_rows_cascade AFTER DELETE ON tenants REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION pharos_margin_sale_rows_cascade()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER margin_sale_rows_cascade ON tenants")
    op.execute("DROP FUNCTION pharos_margin_sale_rows_cascade()")
    previous = context.script.get_revision("0016_import_speed")
    assert previous is not None
    op.execute(previous.module.CHECK_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    op.create_foreign_key(TENANT_FK, "margin_sale_rows", "tenants", ["tenant_id"], ["id"], ondelete="CASCADE")
    op.drop_constraint(EVIDENCE_FK, "margin_alert_evidence", type_="foreignkey")
    op.create_index("ix_margin_sale_rows_tenant_id", "margin_sale_rows", ["tenant_id"], unique=False)
    op.drop_constraint("margin_sale_rows_pkey", "margin_sale_rows", type_="primary")
    op.create_primary_key("margin_sale_rows_pkey", "margin_sale_rows", ["id"])
    op.create_unique_constraint("uq_margin_sale_rows_tenant_id_id", "margin_sale_rows", ["tenant_id", "id"])
    _evidence_key()


def _evidence_key() -> None:
    op.create_foreign_key(
        EVIDENCE_FK, "margin_alert_evidence", "margin_sale_rows", ["tenant_id", "sale_row_id"], ["tenant_id", "id"]
    )
