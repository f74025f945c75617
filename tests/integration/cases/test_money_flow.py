"""The money side end to end over REST: purchase orders, receipts and invoices make a match pack
whose exceptions are explained to both parties; the vendor disputes a line (a linked case in
review) and the invoice's payment goes on hold until the case closes; payments are approved and
settled; a statement of account is reconciled against the ledger and the vendor confirms or
disputes its lines."""

from __future__ import annotations

from decimal import Decimal

from tests.integration.cases import money
from tests.integration.cases.money import ok


def test_a_pack_explains_each_exception_to_staff_and_to_the_vendor(world):
    made = money.simple_pack(world)
    assert made["status"] == "open" and made["exception_lines"] == 1 and made["line_count"] == 1
    assert Decimal(made["variance"]) == Decimal("23.6")  # 40 × 0.50 more, and 18 % tax on it
    for who in ("ops", "vendor1"):
        detail = ok(world.clients[who].get(f"/api/match-packs/{made['id']}"))
        (line,) = detail["lines"]
        assert line["exceptions"] == ["price_variance"]
        price = line["checks"][0]
        assert price["code"] == "price_variance" and price["exception"] is True
        assert "0.01 per unit or 0.5 % of the PO unit price" in price["tolerance"]
        assert "a difference of 0.5 per unit (allowed 0.0595)" in price["variance"]
        assert price["rule"].startswith("The invoiced unit price may differ")
    assert ok(world.clients["vendor1"].get(f"/api/match-packs/{made['id']}"))["lines"][0]["can_dispute"] is True
    assert ok(world.clients["ops"].get(f"/api/match-packs/{made['id']}"))["lines"][0]["can_dispute"] is False
    inv = ok(world.clients["ops"].get(f"/api/invoices/{made['invoice']['id']}"))["invoice"]
    assert (inv["state"], inv["match_pack_id"], inv["exceptions"]) == ("open", made["id"], 1)


def test_the_vendor_disputes_a_line_which_opens_a_linked_case_and_holds_the_payment(world):
    made = money.simple_pack(world)
    pay = money.payment(world, made["invoice"])
    assert pay["status"] == "submitted"
    line = ok(world.clients["vendor1"].get(f"/api/match-packs/{made['id']}"))["lines"][0]
    opened = ok(
        world.clients["vendor1"].post(
            f"/api/match-lines/{line['id']}/disputes", json={"note": "The March price list says 12.40."}
        ),
        201,
    )
    assert opened["status"] == "in_review"
    case = ok(world.clients["ops"].get(f"/api/cases/{opened['case_id']}"))
    assert case["case"]["case_type"] == "invoice_dispute"
    assert any("March price list" in t["body"] for t in case["timeline"])
    # the pack shows the dispute; confirming is refused while it is active
    detail = ok(world.clients["ops"].get(f"/api/match-packs/{made['id']}"))
    assert detail["lines"][0]["dispute"]["id"] == opened["case_id"]
    res = world.clients["ops"].post(
        f"/api/match-packs/{made['id']}/update", json={"action": "confirm_match", "note": "ok"}
    )
    assert res.status_code == 409, res.text
    # disputing the same line again is refused
    res = world.clients["vendor1"].post(f"/api/match-lines/{line['id']}/disputes", json={"note": "again"})
    assert res.status_code == 409, res.text
    # the payment of the invoice is on hold, held by that case
    held = ok(world.clients["ops"].get(f"/api/payments/{pay['id']}"))
    assert held["payment"]["status"] == "on_hold" and held["payment"]["auto_hold"] is True
    assert [c["id"] for c in held["holding_cases"]] == [opened["case_id"]]
    res = world.clients["ops"].post(f"/api/payments/{pay['id']}/release", json={"note": "pay it"})
    assert res.status_code == 409, res.text
    # staff approve the case: the payment is released; the pack can be confirmed (with a note)
    ok(world.clients["ops"].post(f"/api/cases/{opened['case_id']}/update", json={"action": "approve"}))
    assert ok(world.clients["ops"].get(f"/api/payments/{pay['id']}"))["payment"]["status"] == "submitted"
    res = world.clients["ops"].post(f"/api/match-packs/{made['id']}/update", json={"action": "confirm_match"})
    assert res.status_code == 422 and res.json()["error"]["fields"] == {"reason": "required"}, res.text
    ok(
        world.clients["ops"].post(
            f"/api/match-packs/{made['id']}/update", json={"action": "confirm_match", "note": "agreed"}
        )
    )
    inv = ok(world.clients["vendor1"].get(f"/api/invoices/{made['invoice']['id']}"))["invoice"]
    assert inv["state"] == "matched"
    events = ok(world.clients["ops"].get(f"/api/payments/{pay['id']}/events"))["items"]
    assert [(e["action"], e["to_status"]) for e in events] == [("hold", "on_hold"), ("release", "submitted")]
    assert {e["actor_role"] for e in events} == {"owner"}  # the system's moves


def test_payments_approve_settle_and_an_as_of_view(world):
    made = money.simple_pack(world, variance=False)
    assert made["exception_lines"] == 0
    pay = money.payment(world, made["invoice"], amount="100.00")
    ok(world.clients["finance"].post(f"/api/payments/{pay['id']}/update", json={"action": "APPROVE"}))
    paid = ok(world.clients["finance"].post(f"/api/payments/{pay['id']}/settlement", json={"reference": "UTR-1"}))
    assert (paid["status"], paid["paid_reference"]) == ("paid", "UTR-1")
    created = pay["created_at"]
    assert (
        ok(world.clients["ops"].get(f"/api/payments/{pay['id']}/as-of", params={"at": created}))["status"]
        == "submitted"
    )
    inv = ok(world.clients["ops"].get(f"/api/invoices/{made['invoice']['id']}"))["invoice"]
    assert Decimal(inv["paid"]) == Decimal("100")
    # more than is left to pay on the invoice is refused, naming the line
    res = world.clients["ops"].post(
        "/api/payments",
        json={
            "vendor_id": str(world.org1),
            "reference": money.fresh("PAY"),
            "currency": "INR",
            "allocations": [{"invoice_id": made["invoice"]["id"], "amount": made["invoice"]["total"]}],
        },
    )
    assert res.status_code == 422 and "allocations[0].amount" in res.json()["error"]["fields"], res.text


def test_a_statement_is_reconciled_and_the_vendor_confirms_or_disputes_line_by_line(world):
    made = money.simple_pack(world, variance=False)
    inv = made["invoice"]
    pay = money.payment(world, inv, amount="200.00")
    ok(world.clients["ops"].post(f"/api/payments/{pay['id']}/update", json={"action": "approve"}))
    ok(
        world.clients["ops"].post(
            f"/api/payments/{pay['id']}/settlement", json={"reference": "UTR-2", "paid_at": "2026-11-01T00:00:00+00:00"}
        )
    )
    st = money.statement(
        world,
        [
            ("invoice", inv["number"].lower(), inv["total"]),
            ("payment", pay["reference"], "-150.00"),
            ("invoice", "INV-NOT-OURS", "99.00"),
        ],
    )
    detail = ok(world.clients["vendor1"].get(f"/api/statements/{st['id']}"))
    states = [(ln["recon_state"], Decimal(ln["difference"])) for ln in detail["lines"]]
    assert states == [("matched", 0), ("amount_differs", Decimal("50")), ("not_in_ledger", Decimal("99"))]
    # the ledger holds vendor 1's other invoices of this module too: they are what the statement lacks
    figures = detail["statement"]
    missing = sum((Decimal(m["amount"]) for m in detail["missing"]), Decimal(0))
    assert Decimal(figures["ledger_balance"]) == Decimal(inv["total"]) - 200 + missing
    assert Decimal(figures["difference"]) == Decimal(figures["vendor_balance"]) - Decimal(figures["ledger_balance"])
    assert inv["number"] not in {m["number"] for m in detail["missing"]}
    assert detail["statement"]["matched_count"] == 1
    line1, line2 = detail["lines"][0]["id"], detail["lines"][1]["id"]
    ok(world.clients["vendor1"].post(f"/api/statement-lines/{line1}/response", json={"response": "confirmed"}))
    res = world.clients["vendor1"].post(f"/api/statement-lines/{line2}/response", json={"response": "disputed"})
    assert res.status_code == 422 and res.json()["error"]["fields"] == {"note": "required"}, res.text
    disputed = ok(
        world.clients["vendor1"].post(
            f"/api/statement-lines/{line2}/response", json={"response": "disputed", "note": "we received 200"}
        )
    )
    assert disputed["response"] == "disputed" and disputed["dispute"]["status"] == "in_review"
    # staff cannot answer for the vendor; the other vendor cannot see the line
    assert (
        world.clients["ops"].post(f"/api/statement-lines/{line1}/response", json={"response": "confirmed"}).status_code
        == 403
    )
    assert (
        world.clients["vendor2"]
        .post(f"/api/statement-lines/{line1}/response", json={"response": "confirmed"})
        .status_code
        == 404
    )
