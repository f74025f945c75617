"""The batch report CSV (`models.margin.enforcement.report_csv`): money cells carry exactly two
decimals (exact Decimal quantize, half-even, never float), everything else as before (header,
one line per alert, formula-safe cells)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from models.core.db import tenant_session
from models.margin import enforcement
from tests.integration.margin.enforcement.conftest import make_batch

MONEY_COLUMNS = ("floor", "price_before", "price_after", "impact")
TWO_PLACES = re.compile(r"^-?\d+\.\d{2}$")


def _rows(body: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body)))


def test_money_cells_have_two_decimals_and_match_the_report(fresh):
    ctx = fresh.ctx()
    batch_id = make_batch(fresh, "request_price_correction", {"rules": ["map_breach"]}, start=False)
    with tenant_session(ctx) as s:
        _, body = enforcement.report_csv(s, ctx, batch_id)
        report = enforcement.report(s, ctx, batch_id)
    header = next(csv.reader(io.StringIO(body)))
    assert tuple(header) == enforcement.CSV_HEADER
    rows = _rows(body)
    lines = [line for item in report["items"] for line in item["alerts"]]
    assert len(rows) == len(lines) == 6
    for row, line in zip(rows, lines, strict=True):
        for column in MONEY_COLUMNS:
            value = line[column]
            if value is None:
                assert row[column] == ""
                continue
            assert TWO_PLACES.match(row[column]), (column, row[column])
            assert Decimal(row[column]) == Decimal(value).quantize(Decimal("0.01"))
        assert "0000000" not in ",".join(row.values())


def test_money_rounding_is_exact_half_even_and_keeps_big_values(fresh):
    ctx = fresh.ctx()
    batch_id = make_batch(fresh, "request_price_correction", {"rules": ["map_breach"]}, start=False)
    with tenant_session(ctx) as s:
        real = enforcement.report(s, ctx, batch_id)
    line = real["items"][0]["alerts"][0]
    big = Decimal("1234567890123456789012345678.1250000000")  # 28 integer digits: numeric(38, 10)'s maximum
    crafted = {
        **real,
        "items": [
            {
                **real["items"][0],
                "alerts": [
                    {
                        **line,
                        "floor": Decimal("1299.0050000000"),
                        "price_before": Decimal("2.6750000000"),
                        "price_after": None,
                        "impact": big,
                    },
                    {
                        **line,
                        "floor": Decimal("-0.0050000000"),
                        "price_before": Decimal("0.0150000000"),
                        "price_after": Decimal("10"),
                        "impact": Decimal("250.0000000000"),
                    },
                ],
            }
        ],
    }
    _, body = enforcement.report_csv_text(crafted)  # the real report with crafted amounts
    rows = _rows(body)
    assert [tuple(r[c] for c in MONEY_COLUMNS) for r in rows] == [
        ("1299.00", "2.68", "", "1234567890123456789012345678.12"),
        ("0.00", "0.02", "10.00", "250.00"),
    ]
