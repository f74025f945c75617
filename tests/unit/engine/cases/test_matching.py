"""The 3-way match with known answers: hand-made PO lines, receipts and invoice lines (two
invoices billing one PO line, one invoice billing two POs), every exception type, tolerances by
tenant and vendor, exact Decimal figures; the explanations; and the statement reconciliation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import polars as pl
import pytest

from engine.cases import ledger, matching
from engine.cases.machines import MATCH_MACHINE, PAYMENT_MACHINE
from engine.errors import ValidationFailed
from engine.rbac import Role


def _lines(*rows):
    keys = (
        "line_id",
        "invoice_id",
        "invoice_seq",
        "line_no",
        "currency",
        "po_line_id",
        "quantity",
        "unit_price",
        "tax_amount",
    )
    return pl.DataFrame([dict(zip(keys, r, strict=True)) for r in rows], schema=matching.INVOICE_LINES)


PO = pl.DataFrame(
    [
        {
            "po_line_id": "P1",
            "po_id": "PO1",
            "po_currency": "INR",
            "ordered_qty": D(20),
            "po_price": D("11.90"),
            "tax_rate": D("0.18"),
        },
        {
            "po_line_id": "P2",
            "po_id": "PO2",
            "po_currency": "INR",
            "ordered_qty": D(3),
            "po_price": D(100),
            "tax_rate": D("0.18"),
        },
        {
            "po_line_id": "P3",
            "po_id": "PO2",
            "po_currency": "INR",
            "ordered_qty": D(5),
            "po_price": D("2.5"),
            "tax_rate": D(0),
        },
    ],
    schema=matching.PO_LINES,
)
RECEIPTS = pl.DataFrame(
    [
        {"po_line_id": "P1", "received_qty": D(12)},
        {"po_line_id": "P1", "received_qty": D(2)},
        {"po_line_id": "P2", "received_qty": D(3)},
        {"po_line_id": "P3", "received_qty": D(5)},
    ],
    schema=matching.RECEIPTS,
)
LINES = _lines(
    ("a1", "A", 1, 1, "INR", "P1", D(10), D("12.40"), D("22.32")),  # price +0.50 > 0.0595 allowed
    ("a2", "A", 1, 2, "INR", None, D(1), D(5), D(0)),  # names no PO line
    ("a3", "A", 1, 3, "INR", "P3", D(5), D("2.5"), D(0)),  # exact (invoice A bills PO1 and PO2)
    ("b1", "B", 2, 1, "INR", "P1", D(6), D("11.90"), D("12.852")),  # 10 billed before, 14 received: 2 over
    ("b2", "B", 2, 2, "USD", "P2", D(3), D(100), D(60)),  # tax 60 vs 54 expected; USD vs INR
)


def _by_line(out: pl.DataFrame) -> dict[str, dict]:
    return {r["line_id"]: r for r in out.iter_rows(named=True)}


def test_known_answers_line_by_line():
    out = _by_line(matching.match(LINES, PO, RECEIPTS))
    a1, a2, a3, b1, b2 = (out[k] for k in ("a1", "a2", "a3", "b1", "b2"))
    assert (a1["price_diff"], a1["accepted_qty"], a1["qty_over"]) == (D("0.5"), D(10), D(0))
    assert (a1["expected_amount"], a1["invoiced_amount"], a1["variance"]) == (D("140.42"), D("146.32"), D("5.9"))
    assert [k for k, f in matching.FLAGS.items() if a1[f]] == [matching.PRICE]
    assert a2["exc_unmatched"] and a2["exceptions"] == 1 and a2["variance"] == D(5) and a2["expected_amount"] == 0
    assert a3["exceptions"] == 0 and a3["variance"] == 0
    assert (b1["billed_before"], b1["accepted_qty"], b1["qty_over"]) == (D(10), D(4), D(2))
    assert b1["exc_quantity"] and not b1["exc_price"] and b1["variance"] == D("28.084")
    assert b2["exc_tax"] and b2["exc_currency"] and b2["exceptions"] == 2 and b2["tax_over"] == D(6)
    assert out.keys() == {"a1", "a2", "a3", "b1", "b2"}


def test_quantities_are_cumulative_in_invoice_order_not_input_order():
    swapped = _lines(
        ("b1", "B", 1, 1, "INR", "P1", D(6), D("11.90"), D("12.852")),  # B now billed first
        ("a1", "A", 2, 1, "INR", "P1", D(10), D("11.90"), D("21.42")),
    )
    out = _by_line(matching.match(swapped, PO, RECEIPTS))
    assert (out["b1"]["accepted_qty"], out["b1"]["qty_over"]) == (D(6), D(0))
    assert (out["a1"]["billed_before"], out["a1"]["accepted_qty"], out["a1"]["qty_over"]) == (D(6), D(8), D(2))


def test_tolerances_decide_what_is_an_exception():
    loose = matching.resolve(
        [matching.Tolerance(matching.PRICE, True, D(0), D(5))],  # the tenant: 5 % of the PO price
        [
            matching.Tolerance(matching.QUANTITY, True, D(2), D(0)),  # the vendor: 2 units
            matching.Tolerance(matching.CURRENCY, False),
        ],
    )
    out = _by_line(matching.match(LINES, PO, RECEIPTS, loose))
    assert not out["a1"]["exc_price"]  # 0.50 ≤ 5 % of 11.90 = 0.595
    assert not out["b1"]["exc_quantity"]  # 2 over ≤ 2 allowed
    assert out["b2"]["exc_tax"] and not out["b2"]["exc_currency"]  # switched off
    assert out["a2"]["exc_unmatched"]
    strict = matching.resolve([matching.Tolerance(matching.PRICE, True, D(0), D(0))])
    assert _by_line(matching.match(LINES, PO, RECEIPTS, strict))["a1"]["exc_price"]


def test_every_line_is_explained_with_rule_tolerance_and_variance():
    out = _by_line(matching.match(LINES, PO, RECEIPTS))
    checks = matching.explain(
        {**out["a1"], "invoice_currency": "INR", "po_currency": "INR"}, matching.DEFAULT_TOLERANCES, "INR"
    )
    first = checks[0]
    assert (first.code, first.exception) == (matching.PRICE, True)
    assert first.tolerance == "0.01 per unit or 0.5 % of the PO unit price (the larger)"
    assert first.variance == "Invoiced 12.4 against the PO's 11.9: a difference of 0.5 per unit (allowed 0.0595)"
    assert [c.exception for c in checks] == [True, False, False, False]
    unmatched = matching.explain(out["a2"], matching.DEFAULT_TOLERANCES)
    assert [(c.code, c.exception) for c in unmatched] == [(matching.UNMATCHED, True)]
    assert matching.exception_codes(out["b2"]) == [matching.TAX, matching.CURRENCY]


def test_money_stays_exact_decimal():
    out = matching.match(LINES, PO, RECEIPTS)
    for name in ("variance", "expected_amount", "price_diff", "qty_over", "tax_over"):
        assert out.schema[name] == matching.MONEY


@pytest.mark.parametrize(
    ("code", "absolute", "percent", "field"),
    [
        ("nope", D(0), D(0), "exception_type"),
        (matching.PRICE, D(-1), D(0), "absolute"),
        (matching.PRICE, D(0), D(5000), "percent"),
        (matching.CURRENCY, D(1), D(0), "absolute"),
    ],
)
def test_bad_tolerances_are_refused_naming_the_field(code, absolute, percent, field):
    with pytest.raises(ValidationFailed) as err:
        matching.check_tolerance(code, True, absolute, percent)
    assert field in err.value.fields


def test_statement_reconciliation_known_answers():
    at = datetime(2026, 11, 1, tzinfo=UTC)
    entries = [
        ledger.LedgerEntry("invoice", "i1", "INV-2041", at, D("585.28")),
        ledger.LedgerEntry("invoice", "i2", "INV-2042", at, D(100)),
        ledger.LedgerEntry("payment", "p1", "PAY-7", at, D(-200)),
        ledger.LedgerEntry("invoice", "i3", "INV-2043", at, D(50)),
    ]
    lines = [
        ledger.StatementLine(1, "invoice", "inv 2041", D("585.28")),
        ledger.StatementLine(2, "invoice", "INV-2042", D(120)),
        ledger.StatementLine(3, "payment", "PAY-7", D(-150)),
        ledger.StatementLine(4, "credit_note", "CN-1", D(-20)),
    ]
    results, missing = ledger.reconcile(lines, entries)
    assert [(r.state, r.difference) for r in results] == [
        ("matched", D(0)),
        ("amount_differs", D(20)),
        ("amount_differs", D(50)),
        ("not_in_ledger", D(-20)),
    ]
    assert [m.number for m in missing] == ["INV-2043"]
    assert ledger.balance(e.amount for e in entries) == D("535.28")


def test_amounts_are_parsed_exactly_or_refused():
    assert ledger.parse_amount("1299.5000000001", "amount") == D("1299.5000000001")
    assert ledger.parse_amount("-5", "amount", signed=True) == D(-5)
    for bad in ("1e3", "1.00000000001", "-5", "", "12,5"):
        with pytest.raises(ValidationFailed):
            ledger.parse_amount(bad, "amount")


def test_payment_and_match_machines_follow_the_spec():
    assert set(PAYMENT_MACHINE.actions) >= {"approve", "reject", "withdraw", "cancel"}
    assert "hold" not in [t.action for t in PAYMENT_MACHINE.ui_candidates("submitted", Role.OWNER)]
    assert PAYMENT_MACHINE.transition_for("submitted", "approve").target == "approved"
    assert PAYMENT_MACHINE.transition_for("approved", "cancel").target == "cancelled"
    assert PAYMENT_MACHINE.transition_for("submitted", "withdraw").owner_only
    assert {t.action for t in MATCH_MACHINE.ui_candidates("open", Role.OWNER)} == {
        "confirm_match",
        "mark_mismatch",
        "request_evidence",
        "cancel",
    }
    assert MATCH_MACHINE.ui_candidates("open", Role.VENDOR) == []
