"""Alert evidence checks its alert, sale row, snapshot, inventory row and floor rule once per
statement (migration 0027) instead of by five row-by-row foreign keys, and keeps every guarantee the
keys gave: a reference to another tenant's row, or to no row, refuses the whole statement (SQLSTATE
23503) even for the owner; a referenced alert, sale row or price rule cannot be deleted or re-keyed;
an unreferenced one still can."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.integration.margin.conftest import MarginTenant, build

# copies of `n` of the tenant's sale-row evidence rows under new ids; the first copy gets `patch`
COPY = (
    "insert into margin_alert_evidence "
    "select (jsonb_populate_record(null::margin_alert_evidence, to_jsonb(e) "
    "|| jsonb_build_object('id', gen_random_uuid(), 'evidence_id', gen_random_uuid()) "
    "|| case when e.n = 1 then cast(:patch as jsonb) else '{}'::jsonb end)).* "
    "from (select x.*, row_number() over (order by x.id) as n from margin_alert_evidence x "
    "where x.tenant_id = :t and x.sale_row_id is not null order by x.id limit :n) e"
)


def _owner(mt: MarginTenant):
    from models.core.db import owner_tenant_session

    return owner_tenant_session(mt.ctx())


def _evidence(mt: MarginTenant) -> int:
    with _owner(mt) as s:
        return s.execute(text("select count(*) from margin_alert_evidence where tenant_id = :t"), _t(mt)).scalar()


def _t(mt: MarginTenant) -> dict[str, uuid.UUID]:
    return {"t": mt.tenant.tenant_id}


def _copy(mt: MarginTenant, n: int, patch: dict[str, object] | None = None) -> None:
    with _owner(mt) as s:
        s.execute(text(COPY), {**_t(mt), "n": n, "patch": json.dumps(patch or {})})


def _referenced(mt: MarginTenant) -> dict[str, uuid.UUID]:
    """An alert, sale row and floor rule that one of the tenant's evidence rows references (an alert
    no task references: only the evidence holds on to it)."""
    with _owner(mt) as s:
        row = s.execute(
            text(
                "select alert_id, sale_row_id, floor_rule_id from margin_alert_evidence e "
                "where tenant_id = :t and sale_row_id is not null and floor_rule_id is not null and not exists "
                "(select 1 from margin_tasks k where k.tenant_id = e.tenant_id and k.alert_id = e.alert_id) "
                "order by id limit 1"
            ),
            _t(mt),
        ).one()
    return {"alert_id": row[0], "sale_row_id": row[1], "floor_rule_id": row[2]}


@pytest.fixture(scope="module")
def pair() -> tuple[MarginTenant, MarginTenant]:
    return build("erefa"), build("erefb")


def test_own_references_are_accepted(pair):
    a, _ = pair
    before = _evidence(a)
    _copy(a, 10)
    assert _evidence(a) == before + 10


@pytest.mark.parametrize(
    ("column", "whose"),
    [
        ("alert_id", "other tenant"),
        ("sale_row_id", "other tenant"),
        ("floor_rule_id", "other tenant"),
        ("alert_id", "nobody"),
        ("sale_row_id", "nobody"),
    ],
)
def test_a_reference_to_another_tenants_row_or_none_refuses_the_whole_statement(pair, column, whose):
    a, b = pair
    wrong = _referenced(b)[column] if whose == "other tenant" else uuid.uuid4()
    before = _evidence(a)
    with pytest.raises(IntegrityError, match=f"{column} {wrong} is not a row of") as refused:
        _copy(a, 10, {column: str(wrong)})
    assert refused.value.orig is not None and refused.value.orig.sqlstate == "23503"  # foreign_key_violation
    assert _evidence(a) == before  # nothing of the statement was written


@pytest.mark.parametrize("column", ["snapshot_id", "inventory_row_id"])
def test_a_snapshot_or_inventory_reference_must_be_a_row_too(pair, column):
    a, _ = pair
    kind = {"snapshot_id": "snapshot", "inventory_row_id": "inventory"}[column]
    wrong = uuid.uuid4()
    with pytest.raises(IntegrityError, match=f"{column} {wrong} is not a row of"):
        _copy(a, 1, {"kind": kind, "sale_row_id": None, column: str(wrong)})


def test_an_update_cannot_point_evidence_at_another_tenants_alert(pair):
    a, b = pair
    with pytest.raises(IntegrityError, match="is not a row of margin_alerts"), _owner(a) as s:
        s.execute(
            text("update margin_alert_evidence set alert_id = :other where tenant_id = :t and alert_id = :mine"),
            {**_t(a), "other": _referenced(b)["alert_id"], "mine": _referenced(a)["alert_id"]},
        )


@pytest.mark.parametrize(
    ("column", "table"),
    [("alert_id", "margin_alerts"), ("sale_row_id", "margin_sale_rows"), ("floor_rule_id", "price_rules")],
)
def test_a_referenced_row_cannot_be_deleted_or_rekeyed(pair, column, table):
    a, _ = pair
    row = _referenced(a)[column]
    for statement in (
        f"delete from {table} where tenant_id = :t and id = :id",
        f"update {table} set id = gen_random_uuid() where tenant_id = :t and id = :id",
    ):
        with pytest.raises(IntegrityError, match="still referenced from margin_alert_evidence"), _owner(a) as s:
            if table == "price_rules":  # alerts keep their floor rule too: let go of it first (rolled back)
                s.execute(text("update margin_alerts set floor_rule_id = null where tenant_id = :t"), _t(a))
            s.execute(text(statement), {**_t(a), "id": row})
    with _owner(a) as s:  # the row is still there, and still referenced
        kept = text(f"select count(*) from {table} where tenant_id = :t and id = :id")
        assert s.execute(kept, {**_t(a), "id": row}).scalar() == 1
        assert s.execute(
            text(f"select count(*) from margin_alert_evidence where tenant_id = :t and {column} = :id"),
            {**_t(a), "id": row},
        ).scalar()


def test_an_unreferenced_sale_row_can_still_be_deleted(pair):
    a, _ = pair
    with _owner(a) as s:
        row = s.execute(
            text(
                "insert into margin_sale_rows (id, tenant_id, dealer_id, sku_id, advertised_price, qty, currency, "
                "observed_at, source, created_at) values (gen_random_uuid(), :t, :d, :k, 10, 1, 'INR', now(), "
                "'test', now()) returning id"
            ),
            {**_t(a), "d": a.id("organization", "dealer-metro"), "k": a.id("sku", "d3")},
        ).scalar()
    with _owner(a) as s:
        gone = s.execute(text("delete from margin_sale_rows where tenant_id = :t and id = :id"), {**_t(a), "id": row})
        assert gone.rowcount == 1
