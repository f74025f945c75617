"""Sale rows check their dealer, SKU and channel once per statement (migration 0016_import_speed)
instead of by three row-by-row foreign keys, and keep every guarantee the keys gave: a reference to
another tenant's row is refused even where RLS does not apply (the owner connection), one bad row
refuses the whole statement, a referenced organization, SKU or channel cannot be deleted or
re-keyed. Their tenant is checked the same way (migration 0025): a row of a tenant that does not
exist is refused, and deleting a tenant deletes its sale rows and their evidence."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.integration.margin.conftest import MarginTenant, build

INSERT = (
    "insert into margin_sale_rows (id, tenant_id, dealer_id, sku_id, channel_id, advertised_price, "
    "transaction_price, qty, currency, observed_at, source, created_at) "
    "select gen_random_uuid(), :t, d, :k, :c, 10, null, 1, 'INR', now(), 'test', now() "
    "from unnest(cast(:d as uuid[])) d"
)


def _owner(mt: MarginTenant):
    from models.core.db import owner_tenant_session

    return owner_tenant_session(mt.ctx())


def _count(mt: MarginTenant, dealer: uuid.UUID) -> int:
    with _owner(mt) as s:
        return s.execute(text("select count(*) from margin_sale_rows where dealer_id = :d"), {"d": dealer}).scalar()


def _insert(mt: MarginTenant, dealers: list[uuid.UUID], sku: uuid.UUID, channel: uuid.UUID | None = None) -> None:
    with _owner(mt) as s:
        s.execute(text(INSERT), {"t": mt.tenant.tenant_id, "d": dealers, "k": sku, "c": channel})


@pytest.fixture(scope="module")
def pair() -> tuple[MarginTenant, MarginTenant]:
    return build("srefa", seed=False), build("srefb", seed=False)


def test_own_references_are_accepted_with_or_without_a_channel(pair):
    a, _ = pair
    metro, coastal = a.id("organization", "dealer-metro"), a.id("organization", "dealer-coastal")
    before = (_count(a, metro), _count(a, coastal))
    _insert(a, [metro, coastal, metro], a.id("sku", "d3"))
    _insert(a, [coastal], a.id("sku", "zinc"), a.id("channel", "online"))
    assert (_count(a, metro), _count(a, coastal)) == (before[0] + 2, before[1] + 2)


@pytest.mark.parametrize("wrong", ["dealer", "sku", "channel", "unknown dealer"])
def test_another_tenants_row_refuses_the_whole_statement_even_for_the_owner(pair, wrong):
    a, b = pair
    metro = a.id("organization", "dealer-metro")
    dealers = [metro] * 50
    sku, channel = a.id("sku", "d3"), a.id("channel", "retail")
    if wrong == "dealer":
        dealers.append(b.id("organization", "dealer-metro"))
    elif wrong == "unknown dealer":
        dealers.append(uuid.uuid4())
    elif wrong == "sku":
        sku = b.id("sku", "d3")
    else:
        channel = b.id("channel", "retail")
    before = _count(a, metro)
    with pytest.raises(IntegrityError, match="is not a row of tenant"):
        _insert(a, dealers, sku, channel)
    assert _count(a, metro) == before  # nothing of the statement was written


def test_an_update_cannot_point_a_row_at_another_tenant(pair):
    a, b = pair
    metro = a.id("organization", "dealer-metro")
    _insert(a, [metro], a.id("sku", "omega"))
    with pytest.raises(IntegrityError, match="is not a row of tenant"), _owner(a) as s:
        s.execute(
            text("update margin_sale_rows set sku_id = :k where tenant_id = :t and sku_id = :mine"),
            {"k": b.id("sku", "omega"), "t": a.tenant.tenant_id, "mine": a.id("sku", "omega")},
        )


def _twin(mt: MarginTenant, table: str, row: uuid.UUID) -> uuid.UUID:
    """A copy of one of the tenant's rows under a new id and code, referenced by nothing yet."""
    twin = uuid.uuid4()
    with _owner(mt) as s:
        s.execute(
            text(
                f"insert into {table} select (jsonb_populate_record(null::{table}, to_jsonb(src) || "
                "jsonb_build_object('id', cast(:new as text), 'code', "
                "left(src.code, 20) || '-' || left(cast(:new as text), 8)))).* "
                f"from {table} src where tenant_id = :t and id = :id"
            ),
            {"new": twin, "t": mt.tenant.tenant_id, "id": row},
        )
    return twin


@pytest.mark.parametrize(
    ("table", "kind", "key"),
    [("organizations", "organization", "dealer-metro"), ("skus", "sku", "d3"), ("channels", "channel", "online")],
)
def test_a_referenced_row_cannot_be_deleted_or_rekeyed(pair, table, kind, key):
    a, _ = pair
    refs = {"organization": a.id("organization", "dealer-metro"), "sku": a.id("sku", "d3")}
    refs["channel"] = a.id("channel", "online")
    row = refs[kind] = _twin(a, table, a.id(kind, key))  # referenced by the sale row below only
    _insert(a, [refs["organization"]], refs["sku"], refs["channel"])
    for statement in (
        f"delete from {table} where tenant_id = :t and id = :id",
        f"update {table} set id = gen_random_uuid() where tenant_id = :t and id = :id",
    ):
        with pytest.raises(IntegrityError, match="still referenced from margin_sale_rows"), _owner(a) as s:
            s.execute(text(statement), {"t": a.tenant.tenant_id, "id": row})
    unused = _twin(a, table, a.id(kind, key))
    with _owner(a) as s:  # a row no sale row references goes as before
        s.execute(
            text(f"delete from {table} where tenant_id = :t and id = :id"), {"t": a.tenant.tenant_id, "id": unused}
        )


def test_an_unreferenced_row_can_still_be_updated(pair):
    _, b = pair
    with _owner(b) as s:
        s.execute(
            text("update organizations set name = name || ' (renamed)' where tenant_id = :t and id = :id"),
            {"t": b.tenant.tenant_id, "id": b.id("organization", "dealer-coastal")},
        )


def _counts(s, tenant: uuid.UUID) -> tuple[int, int]:
    """(sale rows, sale-row evidence) of `tenant`, read as the owner."""
    sales = s.execute(text("select count(*) from margin_sale_rows where tenant_id = :t"), {"t": tenant}).scalar()
    evidence = s.execute(
        text("select count(*) from margin_alert_evidence where tenant_id = :t and sale_row_id is not null"),
        {"t": tenant},
    ).scalar()
    return sales, evidence


def test_deleting_a_tenant_deletes_its_sale_rows_and_their_evidence_only(pair):
    from models.core.db import owner_session

    a, _ = pair
    gone = build("srefc")  # with the scan: alerts whose evidence references sale rows
    _insert(gone, [gone.id("organization", "dealer-metro")], gone.id("sku", "d3"))
    with owner_session() as s:
        before, kept = _counts(s, gone.tenant.tenant_id), _counts(s, a.tenant.tenant_id)
    assert before[0] > 0 and before[1] > 0, before
    with owner_session() as s:
        # the caller's tenant setting is given back after the cascade sets it per deleted tenant
        s.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": str(a.tenant.tenant_id)})
        s.execute(text("delete from tenants where id = :t"), {"t": gone.tenant.tenant_id})
        assert s.execute(text("select current_setting('app.tenant_id')")).scalar() == str(a.tenant.tenant_id)
    with owner_session() as s:
        assert _counts(s, gone.tenant.tenant_id) == (0, 0)
        assert _counts(s, a.tenant.tenant_id) == kept


def test_a_sale_row_of_a_tenant_that_does_not_exist_is_refused_even_for_the_owner(pair):
    from engine.context import TenantContext
    from models.core.db import owner_tenant_session

    a, _ = pair
    nobody = uuid.uuid4()
    with pytest.raises(IntegrityError, match=f"tenant {nobody} does not exist") as refused:
        with owner_tenant_session(TenantContext.system(nobody, "nobody")) as s:
            s.execute(
                text(INSERT),
                {"t": nobody, "d": [a.id("organization", "dealer-metro")], "k": a.id("sku", "d3"), "c": None},
            )
    assert refused.value.orig is not None and refused.value.orig.sqlstate == "23503"  # foreign_key_violation
