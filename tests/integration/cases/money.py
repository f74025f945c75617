"""Builders for the money tests: purchase orders, receipts, invoices, packs, payments and
statements made through REST as staff (ops), each with fresh numbers so tests never share rows."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

ISSUED = "2026-10-01T09:00:00+00:00"


def fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def ok(res, code: int = 200) -> Any:
    assert res.status_code == code, res.text
    return res.json()


def po(world, org=None, lines=(("48", "11.90", "0.18"),), currency: str = "INR") -> dict:
    body = {
        "vendor_id": str(org or world.org1),
        "number": fresh("PO"),
        "currency": currency,
        "lines": [
            {"line_no": i + 1, "description": f"item {i + 1}", "quantity": q, "unit_price": p, "tax_rate": t}
            for i, (q, p, t) in enumerate(lines)
        ],
    }
    return ok(world.clients["ops"].post("/api/purchase-orders", json=body), 201)


def receive(world, po_line_id: str, quantity: str) -> dict:
    body = {"po_line_id": po_line_id, "number": fresh("GR"), "quantity": quantity}
    return ok(world.clients["ops"].post("/api/goods-receipts", json=body), 201)


def invoice(world, lines, org=None, currency: str = "INR", issued: str = ISSUED) -> dict:
    """`lines`: (po_line_id or None, quantity, unit_price, tax_amount)."""
    body = {
        "vendor_id": str(org or world.org1),
        "number": fresh("INV"),
        "currency": currency,
        "issued_at": issued,
        "lines": [
            {"line_no": i + 1, "po_line_id": p, "quantity": q, "unit_price": u, "tax_amount": t}
            for i, (p, q, u, t) in enumerate(lines)
        ],
    }
    return ok(world.clients["ops"].post("/api/invoices", json=body), 201)


def pack(world, invoice_ids, org=None) -> dict:
    body = {"vendor_id": str(org or world.org1), "invoice_ids": [str(i) for i in invoice_ids]}
    return ok(world.clients["ops"].post("/api/match-packs", json=body), 201)


def simple_pack(world, org=None, *, variance: bool = True) -> dict:
    """A pack of one invoice with one line: priced 12.40 against the PO's 11.90 (a price
    exception) when `variance`, else exactly as ordered."""
    order = po(world, org)
    line = order["lines"][0]["id"]
    receive(world, line, "48")
    price = "12.40" if variance else "11.90"
    tax = "89.28" if variance else "85.68"
    inv = invoice(world, [(line, "40", price, tax)], org)
    return {**pack(world, [inv["id"]], org), "invoice": inv}


def payment(world, invoice: dict, amount: str | None = None, org=None) -> dict:
    body = {
        "vendor_id": str(org or invoice["vendor_id"]),
        "reference": fresh("PAY"),
        "currency": invoice["currency"],
        "allocations": [{"invoice_id": invoice["id"], "amount": amount or invoice["total"]}],
    }
    return ok(world.clients["ops"].post("/api/payments", json=body), 201)


def statement(world, lines, org=None, as_of: str = "2026-12-01T00:00:00+00:00") -> dict:
    """`lines`: (doc_type, doc_number, amount)."""
    body = {
        "vendor_id": str(org or world.org1),
        "reference": fresh("SOA"),
        "currency": "INR",
        "as_of": as_of,
        "lines": [{"doc_type": d, "doc_number": n, "amount": a} for d, n, a in lines],
    }
    return ok(world.clients["ops"].post("/api/statements", json=body), 201)


EVENT_TABLES = ("payment_events", "match_pack_events", "case_events", "audit_events", "outbox_events")


def money_trail(world, entity_id) -> dict[str, object]:
    """Status and every row a decision on a payment or a pack leaves, read as the owner."""
    from models.core.db import owner_tenant_session

    key = str(entity_id)
    with owner_tenant_session(world.tenant.ctx()) as s:
        counts = {
            t: s.execute(
                text(f"select count(*) from {t} where tenant_id = :t and entity_id::text = :e"),
                {"t": world.tenant.tenant_id, "e": key},
            ).scalar()
            for t in EVENT_TABLES
        }
        status = s.execute(
            text(
                "select status from payments where id::text = :e union all "
                "select status from match_packs where id::text = :e"
            ),
            {"e": key},
        ).scalar()
        recon = s.execute(
            text(
                "select string_agg(state, ',' order by invoice_id) from invoice_reconciliations "
                "where match_pack_id::text = :e"
            ),
            {"e": key},
        ).scalar()
    return {**counts, "status": status, "recon": recon}
