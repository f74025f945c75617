"""Two vendors of one tenant, and two tenants, on the money side: each sees and touches only its
own purchase orders, invoices, packs, lines, payments and statements — every route answers 404 (or
403 where the role may never act) for another's id and changes nothing; lists hold only the caller's
rows; RLS hides and refuses another vendor's rows of every new table with no code filter; the
original invoice cannot be changed or deleted by the app role."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.integration.cases import money
from tests.integration.cases.money import money_trail, ok
from tests.support.effects import unchanged
from tests.support.env import script_write_budgets

TABLES = {
    "purchase_orders": "id = :po",
    "purchase_order_lines": "po_id = :po",
    "goods_receipts": "po_line_id = :po_line",
    "invoices": "id = :invoice",
    "invoice_lines": "invoice_id = :invoice",
    "invoice_reconciliations": "invoice_id = :invoice",
    "match_packs": "id = :pack",
    "match_lines": "pack_id = :pack",
    "match_pack_events": "entity_id = :pack",
    "payments": "id = :payment",
    "payment_invoices": "payment_id = :payment",
    "payment_events": "entity_id = :payment",
    "soa_statements": "id = :statement",
    "soa_lines": "statement_id = :statement",
    "match_tolerances": "vendor_org_id = :org",
}


@pytest.fixture(scope="module")
def mine(world):
    """Vendor 1's records of every kind, with a decision event on the pack and the payment."""
    with script_write_budgets():
        made = money.simple_pack(world)
        pay = money.payment(world, made["invoice"])
        ok(world.clients["ops"].post(f"/api/payments/{pay['id']}/hold", json={"note": "check"}))
        ok(
            world.clients["ops"].post(
                f"/api/match-packs/{made['id']}/update", json={"action": "request_evidence", "note": "send"}
            )
        )
        detail = ok(world.clients["ops"].get(f"/api/match-packs/{made['id']}"))
        inv = ok(world.clients["ops"].get(f"/api/invoices/{made['invoice']['id']}"))
        po_line = inv["lines"][0]["po_line_id"]
        po_id = ok(world.clients["ops"].get("/api/match-packs/" + made["id"]))["lines"][0]["po_number"]
        st = money.statement(world, [("invoice", made["invoice"]["number"], made["invoice"]["total"])])
        lines = ok(world.clients["ops"].get(f"/api/statements/{st['id']}"))["lines"]
        ok(
            world.clients["ops"].put(
                "/api/match-tolerances",
                json={"vendor_id": str(world.org1), "exception_type": "price_variance", "absolute": "0.02"},
            )
        )
    from models.core.db import owner_tenant_session

    with owner_tenant_session(world.tenant.ctx()) as s:
        po = s.execute(text("select po_id from purchase_order_lines where id = :l"), {"l": po_line}).scalar()
    assert po_id
    return {
        "pack": made["id"],
        "line": detail["lines"][0]["id"],
        "invoice": made["invoice"]["id"],
        "payment": pay["id"],
        "statement": st["id"],
        "soa_line": lines[0]["id"],
        "po": str(po),
        "po_line": po_line,
        "org": str(world.org1),
    }


def _routes(ids):
    return [
        ("get", f"/api/purchase-orders/{ids['po']}", None),
        ("get", f"/api/invoices/{ids['invoice']}", None),
        ("get", f"/api/match-packs/{ids['pack']}", None),
        ("get", f"/api/match-packs/{ids['pack']}/events", None),
        ("post", f"/api/match-packs/{ids['pack']}/update", {"action": "cancel", "note": "x"}),
        ("post", f"/api/match-lines/{ids['line']}/disputes", {"note": "mine now"}),
        ("get", f"/api/payments/{ids['payment']}", None),
        ("get", f"/api/payments/{ids['payment']}/events", None),
        ("get", f"/api/payments/{ids['payment']}/as-of?at=2030-01-01T00:00:00%2B00:00", None),
        ("post", f"/api/payments/{ids['payment']}/update", {"action": "withdraw", "note": "x"}),
        ("get", f"/api/statements/{ids['statement']}", None),
        ("post", f"/api/statement-lines/{ids['soa_line']}/response", {"response": "disputed", "note": "x"}),
    ]


def _trail(world, ids):
    from models.core.db import owner_tenant_session

    with owner_tenant_session(world.tenant.ctx()) as s:
        cases = s.execute(
            text("select count(*) from cases where match_line_id = :l or soa_line_id = :s"),
            {"l": ids["line"], "s": ids["soa_line"]},
        ).scalar()
        response = s.execute(text("select response from soa_lines where id = :s"), {"s": ids["soa_line"]}).scalar()
    return {
        "pack": money_trail(world, ids["pack"]),
        "payment": money_trail(world, ids["payment"]),
        "cases": cases,
        "response": response,
    }


@pytest.mark.parametrize("who", ["vendor2", "b_owner", "b_vendor"])
def test_another_vendor_or_tenant_gets_404_on_every_route_and_changes_nothing(world, mine, who):
    client = world.clients[who]
    with unchanged(lambda: _trail(world, mine)):
        for method, url, body in _routes(mine):
            res = getattr(client, method)(url, **({"json": body} if body is not None else {}))
            vendor_only = "/disputes" in url or "/response" in url  # staff are refused by role first
            allowed = (403, 404) if vendor_only and not who.endswith("vendor") and who != "vendor2" else (404,)
            assert res.status_code in allowed, (who, method, url, res.text)
        # creating against another's records: the named record does not exist (422 naming it) or 403
        for url, body in (
            ("/api/goods-receipts", {"po_line_id": mine["po_line"], "number": "GR-X", "quantity": "1"}),
            ("/api/match-packs", {"vendor_id": mine["org"], "invoice_ids": [mine["invoice"]]}),
        ):
            res = client.post(url, json=body)
            assert res.status_code in (403, 422), (who, url, res.text)
        for url, body in (("hold", {"note": "x"}), ("release", {"note": "x"}), ("settlement", {"reference": "x"})):
            res = client.post(f"/api/payments/{mine['payment']}/{url}", json=body)
            assert res.status_code in (403, 404), (who, url, res.text)


def test_lists_hold_only_the_callers_own_rows(world, mine):
    with script_write_budgets():
        theirs = money.simple_pack(world, world.org2)
        their_pay = money.payment(world, theirs["invoice"])
    for route, key, own, other in (
        ("/api/invoices", "id", mine["invoice"], theirs["invoice"]["id"]),
        ("/api/match-packs", "id", mine["pack"], theirs["id"]),
        ("/api/payments", "id", mine["payment"], their_pay["id"]),
        ("/api/statements", "id", mine["statement"], None),
    ):
        one = {r[key] for r in ok(world.clients["vendor1"].get(route + "?limit=200"))["items"]}
        two = {r[key] for r in ok(world.clients["vendor2"].get(route + "?limit=200"))["items"]}
        staff = {r[key] for r in ok(world.clients["ops"].get(route + "?limit=200"))["items"]}
        assert own in one and own not in two and own in staff, route
        if other:
            assert other in two and other not in one and other in staff, route
        assert ok(world.clients["b_owner"].get(route))["items"] == [], route
        res = world.clients["vendor1"].get(f"{route}?vendor_id={world.org2}")
        assert res.status_code == 200 and res.json()["items"] == [], route


def test_staff_only_writes_and_tolerances_are_refused_to_vendors(world, mine):
    vendor = world.clients["vendor1"]
    with unchanged(lambda: _trail(world, mine)):
        for url, body in (
            ("/api/purchase-orders", {"vendor_id": mine["org"], "number": "PO-V", "currency": "INR", "lines": []}),
            (
                "/api/invoices",
                {
                    "vendor_id": mine["org"],
                    "number": "X",
                    "currency": "INR",
                    "issued_at": money.ISSUED,
                    "lines": [{"line_no": 1, "quantity": "1", "unit_price": "1"}],
                },
            ),
            (
                "/api/payments",
                {
                    "vendor_id": mine["org"],
                    "reference": "X",
                    "currency": "INR",
                    "allocations": [{"invoice_id": mine["invoice"], "amount": "1"}],
                },
            ),
            (
                "/api/statements",
                {
                    "vendor_id": mine["org"],
                    "reference": "X",
                    "currency": "INR",
                    "as_of": money.ISSUED,
                    "lines": [{"doc_type": "invoice", "doc_number": "1", "amount": "1"}],
                },
            ),
        ):
            res = vendor.post(url, json=body)
            assert res.status_code in (403, 422), (url, res.text)
            assert res.status_code != 201
        assert vendor.get("/api/match-tolerances").status_code == 403
        res = vendor.put("/api/match-tolerances", json={"exception_type": "price_variance", "absolute": "9"})
        assert res.status_code == 403, res.text


def _vendor_ctx(world, email: str):
    from engine.context import TenantContext
    from engine.rbac import Role
    from models.core.db import owner_session
    from models.core.identity import find_user_by_email

    with owner_session() as s:
        user = find_user_by_email(s, email)
    return TenantContext(tenant_id=world.tenant.tenant_id, user_id=user.id, role=Role.VENDOR)


def _count(ctx, table: str, where: str, ids) -> int:
    from models.core.db import tenant_session

    with tenant_session(ctx) as s:
        return s.execute(text(f"select count(*) from {table} where {where}"), ids).scalar()


def test_rls_hides_another_vendors_rows_of_every_new_table_without_any_code_filter(world, mine):
    two = _vendor_ctx(world, world.vendor_emails["vendor2"])
    one = _vendor_ctx(world, world.vendor_emails["vendor1"])
    for table, where in TABLES.items():
        assert _count(two, table, where, mine) == 0, table
        assert _count(one, table, where, mine) >= 1, table  # the policy is not simply closed


def test_rls_refuses_a_vendor_writing_another_vendors_rows(world, mine):
    two = _vendor_ctx(world, world.vendor_emails["vendor2"])
    from models.core.db import tenant_session

    with pytest.raises(DBAPIError, match="row-level security"), tenant_session(two) as s:
        s.execute(
            text(
                "insert into payment_invoices (id, tenant_id, payment_id, invoice_id, vendor_org_id, amount) "
                "values (:i, :t, :p, :v, :o, 1)"
            ),
            {
                "i": uuid.uuid4(),
                "t": world.tenant.tenant_id,
                "p": mine["payment"],
                "v": mine["invoice"],
                "o": mine["org"],
            },
        )


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        ("update invoices set total = 1 where id = :invoice", "invoices"),
        ("delete from invoices where id = :invoice", "invoices"),
        ("update invoice_lines set unit_price = 1 where invoice_id = :invoice", "invoice_lines"),
        ("update match_lines set variance = 0 where pack_id = :pack", "match_lines"),
        ("delete from payments where id = :payment", "payments"),
        ("delete from payment_events where entity_id = :payment", "payment_events"),
    ],
)
def test_the_original_invoice_and_history_cannot_be_changed_by_the_app_role(world, mine, statement, table):
    from models.core.db import tenant_session

    with pytest.raises(DBAPIError, match="permission denied"), tenant_session(world.tenant.ctx()) as s:
        s.execute(text(statement), mine)
