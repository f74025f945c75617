"""Column kinds, the preview's type warnings, and the validation report's messages and fix hints."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from engine.csv_safety import to_csv
from engine.imports.reader import Row
from engine.imports.targets import RowIssue
from engine.imports.types import detect_column, preview
from engine.imports.validate import MappingError, check_mapping, type_batch, type_rows
from tests.support.import_targets import SALES

HEADER = ("Dealer", "SKU", "Price", "Qty", "Date", "Cur")
MAPPING = {"dealer": "Dealer", "sku": "SKU", "unit_price": "Price", "qty": "Qty", "sold_on": "Date", "currency": "Cur"}


def lines(values: list[str]) -> list[tuple[int, str]]:
    return [(i + 2, v) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "22", "-3"], "integer"),
        (["1", "2.50", "-3.125"], "decimal"),
        (["2024-01-02", "2024-02-29"], "date"),
        (["2024-01-02T10:00:00Z", "2024-01-02T10:00:00+01:00"], "instant"),
        (["EUR", "USD", "inr"], "currency"),
        (["SKU-1", "A/7", "X_9"], "code"),
        (["Metro Pharma Retail", "City Medicos"], "text"),
        (["", " "], "empty"),
    ],
)
def test_column_kinds(values, kind):
    assert detect_column("c", lines(values)).kind == kind


def test_comma_decimals_are_a_decimal_column_with_the_fix_hint():
    info = detect_column("Price", lines(["1.234,50", "12,00"]))
    assert (info.kind, info.warnings) == (
        "decimal",
        (
            "line 2: 1.234,50 uses a comma as decimal separator (write 1234.50 (a point before the decimals))",
            "line 3: 12,00 uses a comma as decimal separator (write 12.00 (a point before the decimals))",
        ),
    )


def test_preview_keeps_100_rows_and_cites_source_lines():
    rows = [(i * 2, ("D", f"{i}.5" if i != 7 else "7/5")) for i in range(1, 150)]
    result = preview(("Dealer", "Price"), rows)
    assert len(result.rows) == 100
    assert [c.kind for c in result.columns] == ["code", "decimal"]
    assert result.columns[1].warnings == ("line 14: '7/5' is not a number (write a number such as 1234.50)",)


def test_mapping_errors_name_each_field():
    with pytest.raises(MappingError) as caught:
        check_mapping(SALES, HEADER, {"dealer": "Nope", "sku": "Dealer", "price": "Price", "qty": "Qty"})
    assert caught.value.fields == {
        "dealer": "the file has no column 'Nope'",
        "price": "tests.sales has no field 'price' (fields: channel, currency, dealer, qty, sku, sold_on, unit_price)",
        "unit_price": "Unit price is required: choose the column that holds it",
        "sold_on": "Sale date is required: choose the column that holds it",
    }


def test_a_column_mapped_twice_is_refused():
    with pytest.raises(MappingError) as caught:
        check_mapping(SALES, HEADER, {**MAPPING, "channel": "SKU"})
    assert caught.value.fields == {"channel": "column 'SKU' is already mapped to 'sku'"}


def test_cells_are_typed_and_bad_cells_get_hints():
    rows = [
        Row(2, ("D1", "S1", "12.50", "3", "2024-01-02", "inr")),
        Row(3, ("=cmd|'/c calc'!A1", "S2", "1.234,50", "2.0", "12/03/2024", "EURO")),
        Row(4, ("D2", " ", "0.12345678901", "1", "2024-02-30", "USD", "extra")),
        Row(5, ("+SUM(A1)", "S3", "7", "4", "2024-03-01", "")),
    ]
    batch = type_batch(SALES, HEADER, MAPPING, rows)
    assert batch.frame.rows() == [
        (2, "D1", "S1", Decimal("12.5"), 3, "INR", date(2024, 1, 2), None),  # channel: unmapped, null
        (5, "+SUM(A1)", "S3", Decimal(7), 4, None, date(2024, 3, 1), None),
    ]
    assert batch.issues == [
        RowIssue(3, "Cur", "EURO", "'EURO' is not a currency code", "write the ISO 4217 code, e.g. EUR or USD"),
        RowIssue(
            3, "Date", "12/03/2024", "12/03/2024 is not an ISO date", "write dates as YYYY-MM-DD, e.g. 2024-03-31"
        ),
        RowIssue(
            3,
            "Price",
            "1.234,50",
            "1.234,50 uses a comma as decimal separator",
            "write 1234.50 (a point before the decimals)",
        ),
        RowIssue(3, "Qty", "2.0", "2.0 is not a whole number", "write 2"),
        RowIssue(4, "", "", "the row has 7 cells, the header 6", "check the quotes and separators"),
        RowIssue(4, "Date", "2024-02-30", "2024-02-30 is not a calendar day", "check the month and the day"),
        RowIssue(4, "Price", "0.12345678901", "0.12345678901 has more than 10 decimals", "round it to 10 decimals"),
        RowIssue(4, "SKU", "", "SKU is empty", "fill in the SKU"),
    ]


def test_instants_are_utc_and_need_a_zone():
    from engine.imports.targets import ImportTarget, TargetField

    target = ImportTarget("t.x", "X", "t", "margin.write", (TargetField("at", "At", "instant"),))
    batch = type_batch(
        target, ("At",), {"at": "At"}, [Row(2, ("2024-01-02T10:00:00+01:00",)), Row(3, ("2024-01-02 10:00",))]
    )
    assert batch.frame.rows() == [(2, datetime(2024, 1, 2, 9, tzinfo=UTC))]
    assert batch.issues == [
        RowIssue(
            3,
            "At",
            "2024-01-02 10:00",
            "2024-01-02 10:00 has no time zone",
            "add the zone, e.g. 2024-03-31T14:05:00Z or +01:00",
        )
    ]


def test_batches_cover_every_row():
    rows = [Row(i, ("D", "S", "1", "1", "2024-01-01", "EUR")) for i in range(2, 27)]
    batches = list(type_rows(SALES, HEADER, MAPPING, rows, batch_rows=10))
    assert [b.rows for b in batches] == [10, 10, 5]
    assert sum(b.frame.height for b in batches) == 25


def test_formula_cells_are_stored_as_text_and_neutralised_on_export():
    issue = RowIssue(3, "Dealer", '=HYPERLINK("x")', "dealer '=HYPERLINK(\"x\")' not found")
    assert to_csv(["row", "value"], [[issue.row, issue.value]]) == '"row","value"\r\n3,"\'=HYPERLINK(""x"")"\r\n'
