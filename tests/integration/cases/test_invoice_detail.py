"""`GET /api/invoices/{id}` (and the staff page `/invoices/[id]` built from it): the invoice as
received, its lines, its reconciliation record, the payments that pay it, every match pack with a
line of it and the cases about it; the vendor reads its own, another vendor or tenant gets 404."""

from __future__ import annotations

import asyncio
import secrets
from decimal import Decimal

import tests.integration.core.test_websocket_sweep as sweep
from tests.integration.cases import money
from tests.integration.cases.conftest import PASSWORD
from tests.integration.cases.money import ok


def _disputed(world) -> dict:
    made = money.simple_pack(world)
    pay = money.payment(world, made["invoice"])
    line = ok(world.clients["vendor1"].get(f"/api/match-packs/{made['id']}"))["lines"][0]
    opened = ok(
        world.clients["vendor1"].post(f"/api/match-lines/{line['id']}/disputes", json={"note": "Price list says so."}),
        201,
    )
    return {"pack": made, "invoice": made["invoice"], "payment": pay, "case": opened["case_id"]}


def test_the_invoice_with_its_reconciliation_payments_packs_and_cases(world):
    d = _disputed(world)
    got = ok(world.clients["ops"].get(f"/api/invoices/{d['invoice']['id']}"))
    assert got["invoice"]["number"] == d["invoice"]["number"]
    assert [(ln["line_no"], ln["quantity"], ln["unit_price"]) for ln in got["lines"]] == [
        (1, "40.0000000000", "12.4000000000")
    ]
    rec = got["reconciliation"]
    assert (rec["match_pack_id"], rec["exceptions"]) == (d["pack"]["id"], 1)
    assert rec["state"] == got["invoice"]["state"] != "unmatched"
    assert [p["id"] for p in got["packs"]] == [d["pack"]["id"]]
    paid = [(p["payment_id"], Decimal(p["amount"])) for p in got["payments"]]
    assert paid == [(d["payment"]["id"], Decimal(d["invoice"]["total"]))]
    assert [(c["id"], c["status"]) for c in got["cases"]] == [(d["case"], "in_review")]
    assert ok(world.clients["vendor1"].get(f"/api/invoices/{d['invoice']['id']}"))["cases"] == got["cases"]


def test_an_unmatched_invoice_has_no_reconciliation_pack_or_case(world):
    order = money.po(world)
    inv = money.invoice(world, [(order["lines"][0]["id"], "48", "11.90", "85.68")])
    got = ok(world.clients["ops"].get(f"/api/invoices/{inv['id']}"))
    assert (got["packs"], got["cases"], got["payments"]) == ([], [], [])
    assert got["reconciliation"] is None or got["reconciliation"]["state"] == "unmatched"


def test_another_vendor_or_tenant_gets_404(world):
    d = _disputed(world)
    for who in ("vendor2", "b_owner", "b_vendor"):
        assert world.clients[who].get(f"/api/invoices/{d['invoice']['id']}").status_code == 404, who


async def _page(email: str, invoice_id: str):
    from app.web.cases.money_invoice import InvoiceState
    from models.core import sessions

    sweep._handlers()
    token, _, _ = await asyncio.to_thread(sessions.login, email, PASSWORD, f"10.6.{secrets.randbelow(250)}.1")
    root = sweep._root_with_cookie(f"pharos_session={token}", f"/invoices/{invoice_id}")
    page = sweep._substate(root, InvoiceState)
    await sweep._run(InvoiceState.event_handlers["load"].fn, page, {})
    return page.found, page.invoice.number, [p.href for p in page.packs], [c.href for c in page.cases], page.actions


def test_the_staff_invoice_page_links_its_packs_and_cases(world):
    sweep._handlers()
    d = _disputed(world)
    found, number, packs, cases, actions = sweep._in_own_loop(_page(world.tenant.owner_email, d["invoice"]["id"]))
    assert (found, number, actions) == (True, d["invoice"]["number"], [])
    assert packs == [f"/match-packs/{d['pack']['id']}"] and cases == [f"/cases/{d['case']}"]
    found, *_ = sweep._in_own_loop(_page(world.vendor_emails["vendor2"], d["invoice"]["id"]))
    assert found is False
