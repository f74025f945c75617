"""The websocket sweep on the money side: every Reflex handler of the app, called by vendor 2
(signed in) with vendor 1's pack, match line, payment, invoice, statement and statement-line ids as
every argument, must not raise and must leave nothing of vendor 1 in the public state tree; the
portal's money pages show vendor 1 its own records; staff money pages give a vendor nothing."""

from __future__ import annotations

import asyncio
import secrets

import pytest

import tests.integration.core.test_websocket_sweep as sweep
from tests.integration.cases import money
from tests.integration.cases.money import ok
from tests.integration.cases.test_portal_sweep import _sweep_as
from tests.support.env import script_write_budgets


@pytest.fixture(scope="module")
def apex(world):
    sweep._handlers()
    with script_write_budgets():
        order = money.po(world, lines=(("48", "11.90", "0.18"),))
        line = order["lines"][0]["id"]
        money.receive(world, line, "48")
        body = {
            "vendor_id": str(world.org1),
            "number": "APEXSECRET-4471",
            "currency": "INR",
            "issued_at": money.ISSUED,
            "lines": [
                {
                    "line_no": 1,
                    "po_line_id": line,
                    "description": "Apex carton 7781",
                    "quantity": "40",
                    "unit_price": "12.40",
                    "tax_amount": "89.28",
                }
            ],
        }
        inv = ok(world.clients["ops"].post("/api/invoices", json=body), 201)
        pack = money.pack(world, [inv["id"]])
        pay = ok(
            world.clients["ops"].post(
                "/api/payments",
                json={
                    "vendor_id": str(world.org1),
                    "reference": "APEXPAY-5519",
                    "currency": "INR",
                    "allocations": [{"invoice_id": inv["id"], "amount": "10"}],
                },
            ),
            201,
        )
        st = money.statement(world, [("invoice", "APEXSECRET-4471", inv["total"])])
    detail = ok(world.clients["ops"].get(f"/api/match-packs/{pack['id']}"))
    soa = ok(world.clients["ops"].get(f"/api/statements/{st['id']}"))
    return {
        "pack": pack["id"],
        "line": detail["lines"][0]["id"],
        "payment": pay["id"],
        "invoice": inv["id"],
        "statement": st["id"],
        "soa_line": soa["lines"][0]["id"],
    }


def test_vendor_two_passing_vendor_ones_money_ids_learns_nothing(world, apex):
    hostile = [
        *apex.values(),
        f"/portal/match-packs/{apex['pack']}",
        f"/portal/payments/{apex['payment']}",
        f"/portal/statements/{apex['statement']}",
        None,
        "",
    ]
    secret = ["APEXSECRET-4471", "APEXPAY-5519", "Apex carton 7781", "Apex Packaging"]
    assert sweep._in_own_loop(_sweep_as(world.vendor_emails["vendor2"], hostile, secret)) == []
    # and nothing was written on vendor 1's records by the sweep
    detail = ok(world.clients["ops"].get(f"/api/match-packs/{apex['pack']}"))
    assert detail["lines"][0]["dispute"] is None and detail["pack"]["status"] == "open"
    assert ok(world.clients["ops"].get(f"/api/payments/{apex['payment']}"))["payment"]["status"] == "submitted"
    assert ok(world.clients["ops"].get(f"/api/statements/{apex['statement']}"))["lines"][0]["response"] == "pending"


async def _portal(email: str, ids: dict):
    from app.web.cases.money import PacksState, PaymentsState
    from app.web.cases.money_detail import PackState, PaymentState
    from app.web.portal.money import MyPacksState, MyPaymentsState
    from app.web.portal.money_pack import MyPackState
    from app.web.portal.money_statement import MyStatementState
    from models.core import sessions

    sweep._handlers()
    token, _, _ = await asyncio.to_thread(sessions.login, email, "correct-horse", f"10.6.{secrets.randbelow(250)}.1")
    cookie = f"pharos_session={token}"
    out: dict = {}
    root = sweep._root_with_cookie(cookie, "/portal/match-packs")
    for cls in (MyPacksState, MyPaymentsState, PacksState, PaymentsState):
        state = sweep._substate(root, cls)
        await sweep._run(cls.event_handlers["load"].fn, state, {})
        out[cls.__name__] = [r.id for r in state.rows]
    for cls, path in (
        (MyPackState, f"/portal/match-packs/{ids['pack']}"),
        (MyStatementState, f"/portal/statements/{ids['statement']}"),
        (PackState, f"/match-packs/{ids['pack']}"),
        (PaymentState, f"/payments/{ids['payment']}"),
    ):
        root.router = sweep._root_with_cookie(cookie, path).router
        state = sweep._substate(root, cls)
        await sweep._run(cls.event_handlers["load"].fn, state, {})
        out[cls.__name__] = state.found
    return out


def test_the_portal_shows_vendor_one_its_own_money_and_staff_pages_give_it_nothing(world, apex):
    one = sweep._in_own_loop(_portal(world.vendor_emails["vendor1"], apex))
    assert apex["pack"] in one["MyPacksState"] and apex["payment"] in one["MyPaymentsState"]
    assert one["MyPackState"] is True and one["MyStatementState"] is True
    assert one["PacksState"] == [] and one["PaymentsState"] == []  # staff lists refuse vendors
    assert one["PackState"] is False and one["PaymentState"] is False
    two = sweep._in_own_loop(_portal(world.vendor_emails["vendor2"], apex))
    assert apex["pack"] not in two["MyPacksState"] and apex["payment"] not in two["MyPaymentsState"]
    assert two["MyPackState"] is False and two["MyStatementState"] is False
