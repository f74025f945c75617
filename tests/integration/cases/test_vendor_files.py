"""`POST /api/vendor-files/{kind}`: a vendor sends its invoices or statements as a CSV; the import
pipeline reads and types it, the cases module checks it; all or nothing, every problem named by
its line; recorded for the vendor's own organization only (another vendor's PO is unknown to it);
staff are refused; a foreign tenant sees nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.integration.cases import money
from tests.integration.cases.money import ok

# dates in the files, relative to today: an invoice day some weeks back, the next day, three days on,
# and a statement's as-of date four weeks after it
DAY = (datetime.now(UTC).date() - timedelta(days=35)).isoformat()
NEXT_DAY = (datetime.now(UTC).date() - timedelta(days=34)).isoformat()
LATER = (datetime.now(UTC).date() - timedelta(days=32)).isoformat()
STATEMENT_DAY = (datetime.now(UTC).date() - timedelta(days=7)).isoformat()


def _send(client, kind: str, body: str, name: str = "mine.csv"):
    return client.post(f"/api/vendor-files/{kind}", files={"file": (name, body.encode(), "text/csv")})


def _counts(world) -> tuple[int, ...]:
    from models.core.db import owner_tenant_session

    with owner_tenant_session(world.tenant.ctx()) as s:
        return tuple(
            s.execute(text(f"select count(*) from {t} where tenant_id = :t"), {"t": world.tenant.tenant_id}).scalar()
            for t in ("invoices", "invoice_lines", "soa_statements", "soa_lines", "audit_events")
        )


def test_a_vendor_sends_its_invoices_and_they_are_recorded_for_it(world):
    order = money.po(world, lines=(("48", "11.90", "0.18"), ("10", "5.00", "0")))
    a, b = f"INV-{uuid.uuid4().hex[:6]}", f"INV-{uuid.uuid4().hex[:6]}"
    csv = (
        "Invoice number,Invoice date,Currency,Line,Description,Quantity,Unit price,Tax,PO number,PO line\n"
        f"{a},{DAY},INR,1,Cartons,40,12.40,89.28,{order['number']},1\n"
        f"{a},{DAY},INR,2,Tape,10,5.00,0,{order['number']},2\n"
        f"{b},{LATER},INR,1,Freight,1,300,54,,\n"
    )
    res = _send(world.clients["vendor1"], "invoices", csv)
    assert res.status_code == 201, res.text
    assert res.json() == {"kind": "invoices", "rows": 3, "created": [a, b]}
    mine = ok(world.clients["vendor1"].get(f"/api/invoices?q={a}"))["items"]
    assert [(i["number"], i["total"], i["vendor_id"]) for i in mine] == [(a, "635.2800000000", str(world.org1))]
    detail = ok(world.clients["ops"].get(f"/api/invoices/{mine[0]['id']}"))
    assert [ln["po_line_id"] for ln in detail["lines"]] == [order["lines"][0]["id"], order["lines"][1]["id"]]
    assert world.clients["vendor2"].get(f"/api/invoices/{mine[0]['id']}").status_code == 404
    again = _send(world.clients["vendor1"], "invoices", csv)  # numbers now taken: refused whole
    assert again.status_code == 422 and set(again.json()["error"]["fields"]) == {"line 2", "line 3", "line 4"}


def test_invalid_rows_are_named_by_line_and_nothing_is_recorded(world):
    theirs = money.po(world, world.org2)  # BlueLine's PO: Apex cannot bill it
    n = f"INV-{uuid.uuid4().hex[:6]}"
    csv = (
        "invoice_number,issued_on,currency,line_no,quantity,unit_price,po_number,po_line\n"
        f"{n},{DAY},INR,1,40,12.40,,\n"
        f"{n},{NEXT_DAY},INR,2,5,1.00,,\n"
        f"{n},{DAY},INR,3,0,1.00,,\n"
        f"{n},{DAY},INR,4,1,1,5.00,\n"
        f"{n},{DAY},INR,5,1,1.00,{theirs['number']},1\n"
        f"{n},{DAY},INR,6,1,1;5,,\n"
    )
    before = _counts(world)
    res = _send(world.clients["vendor1"], "invoices", csv)
    assert res.status_code == 422, res.text
    fields = res.json()["error"]["fields"]
    assert sorted(fields) == ["line 3", "line 4", "line 5", "line 6", "line 7"]
    assert fields["line 3"].startswith("issued_on: differs from line 2")
    assert fields["line 4"] == "quantity: the quantity must be more than 0"
    assert fields["line 6"] == f"po_line: purchase order {theirs['number']} of yours has no line 1"
    assert fields["line 7"].startswith("unit_price:")
    assert _counts(world) == before


def test_a_vendor_sends_its_statement_and_it_is_reconciled(world):
    inv = money.simple_pack(world)["invoice"]
    ref = f"SOA-{uuid.uuid4().hex[:6]}"
    csv = (
        "Statement reference;As of;Currency;Document type;Document number;Amount\n"
        f"{ref};{STATEMENT_DAY};INR;invoice;{inv['number']};{inv['total']}\n"
        f"{ref};{STATEMENT_DAY};INR;invoice;NOT-OURS-1;10.00\n"
    )
    res = _send(world.clients["vendor1"], "statements", csv)
    assert res.status_code == 201 and res.json()["created"] == [ref], res.text
    [st] = [s for s in ok(world.clients["vendor1"].get("/api/statements"))["items"] if s["reference"] == ref]
    lines = ok(world.clients["ops"].get(f"/api/statements/{st['id']}"))["lines"]
    assert [ln["recon_state"] for ln in lines] == ["matched", "not_in_ledger"]
    bad = _send(world.clients["vendor1"], "statements", csv.replace(";invoice;NOT", ";receipt;NOT"))
    assert bad.status_code == 422 and list(bad.json()["error"]["fields"]) == ["line 3"]


def test_staff_and_bad_files_are_refused_with_nothing_written(world):
    before = _counts(world)
    csv = f"invoice_number,issued_on,currency,line_no,quantity,unit_price\nX-1,{DAY},INR,1,1,1\n"
    assert _send(world.clients["ops"], "invoices", csv).status_code == 403
    assert _send(world.clients["b_owner"], "invoices", csv).status_code == 403
    missing = _send(world.clients["vendor1"], "invoices", "invoice_number,currency\nX-1,INR\n")
    assert missing.status_code == 422 and {"issued_on", "line_no", "quantity", "unit_price"} <= set(
        missing.json()["error"]["fields"]
    )
    assert _send(world.clients["vendor1"], "invoices", csv, name="mine.txt").status_code == 422
    assert _send(world.clients["vendor1"], "payments", csv).status_code == 422
    assert _counts(world) == before
