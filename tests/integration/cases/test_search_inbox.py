"""Vendor cases in the one search and the one inbox: staff find cases, invoices, payments, packs
and statements; a vendor finds only its own organization's; the inbox shows reviewers the cases in
review, the payments to approve and the packs to review."""

from __future__ import annotations

from tests.integration.cases import money
from tests.integration.cases.money import ok
from tests.support.env import script_write_budgets


def _hits(client, q: str) -> dict[str, list[str]]:
    found = ok(client.get("/api/search", params={"q": q, "limit": 20}))
    return {g["type"]: [h["id"] for h in g["hits"]] for g in found["groups"]}


def test_search_finds_money_records_for_staff_and_only_its_own_for_a_vendor(world):
    with script_write_budgets():
        made = money.simple_pack(world)
        pay = money.payment(world, made["invoice"])
        theirs = money.simple_pack(world, world.org2)
    number = made["invoice"]["number"]
    assert made["invoice"]["id"] in _hits(world.clients["ops"], number)["invoices"]
    assert made["invoice"]["id"] in _hits(world.clients["vendor1"], number).get("invoices", [])
    assert made["invoice"]["id"] not in _hits(world.clients["vendor2"], number).get("invoices", [])
    assert pay["id"] in _hits(world.clients["ops"], pay["reference"])["payments"]
    assert pay["id"] not in _hits(world.clients["vendor2"], pay["reference"]).get("payments", [])
    their_number = theirs["invoice"]["number"]
    assert theirs["invoice"]["id"] not in _hits(world.clients["vendor1"], their_number).get("invoices", [])
    case_id = world.new_case(subject="Searchable pallet damage 8812")
    assert case_id in _hits(world.clients["ops"], "pallet damage 8812")["cases"]
    assert case_id in _hits(world.clients["vendor1"], "pallet damage 8812")["cases"]
    assert case_id not in _hits(world.clients["vendor2"], "pallet damage 8812").get("cases", [])


def test_the_inbox_lists_what_waits_on_reviewers(world):
    with script_write_budgets():
        made = money.simple_pack(world)
        pay = money.payment(world, made["invoice"])
        case_id = world.in_review()
    inbox = ok(world.clients["ops"].get("/api/inbox"))
    ids = {(i["kind"], i["id"]) for i in inbox["items"]}
    assert ("payments", pay["id"]) in ids or inbox["counts"]["payments"] >= 1
    assert ("match_packs", made["id"]) in ids or inbox["counts"]["match_packs"] >= 1
    assert ("cases", case_id) in ids or inbox["counts"]["cases"] >= 1
    assert {"cases", "payments", "match_packs"} <= set(inbox["counts"])
    # a viewer may not approve: the groups are not there for it
    assert not {"cases", "payments", "match_packs"} & set(ok(world.clients["viewer"].get("/api/inbox"))["counts"])
