"""Suggestions: names normalised, value shapes veto impossible columns, one column per field."""

from __future__ import annotations

from engine.imports.suggest import header_signature, normalise, suggest
from engine.imports.types import detect_column
from tests.support.import_targets import SALES


def columns(header, rows):
    return [detect_column(h, [(i + 2, r[c]) for i, r in enumerate(rows)]) for c, h in enumerate(header)]


def test_headers_are_normalised_whatever_their_case_style():
    assert [normalise(h) for h in ("SalesAmountEUR", "sales_amount (EUR)", "Sales-Amount", "Währung")] == [
        "sales amount eur",
        "sales amount eur",
        "sales amount",
        "wahrung",
    ]


def test_a_column_is_never_suggested_twice_and_scores_are_between_0_and_1():
    header = ["Price", "Price 2", "Date", "Customer", "Item"]
    rows = [["1.00", "2.00", "2024-01-01", "A Ltd", "X-1"], ["3.00", "4.00", "2024-01-02", "B Ltd", "X-2"]]
    got = suggest(SALES, header, columns(header, rows))
    assert len({s.column for s in got}) == len(got)
    assert all(0 < s.score <= 1 for s in got)
    assert {s.target: s.column for s in got}["unit_price"] == "Price"


def test_values_that_cannot_be_the_fields_kind_veto_the_column():
    header = ["Sale date", "Sold on"]
    rows = [["Metro Pharma", "2024-01-01"], ["City Medicos", "2024-01-02"]]
    got = {s.target: s.column for s in suggest(SALES, header, columns(header, rows))}
    assert got["sold_on"] == "Sold on"  # "Sale date" is the label, but its values are names


def test_the_header_signature_ignores_order_case_and_punctuation():
    assert header_signature(["Customer", "Item code", "Qty"]) == header_signature(["qty", "ITEM_CODE", "customer"])
    assert header_signature(["Customer", "Qty"]) != header_signature(["Customer", "Qty", "Price"])
