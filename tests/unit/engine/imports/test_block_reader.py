"""The CSV fast path (plain stretches of a file split with Polars, engine.imports.reader.LineBlock)
gives exactly what the row-by-row csv reader gives: the same typed frame, the same issues with the
same line numbers, the same refusals — whatever mix of plain lines, quoted fields across lines,
blank lines, CRLF and ragged rows the file holds, and wherever the blocks are cut."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.imports.reader import LineBlock, ReadError, open_table
from engine.imports.validate import type_rows, type_table
from tests.support.import_targets import SALES

HEADER = "Dealer,SKU,Price,Qty,Date,Cur"
MAPPING = {"dealer": "Dealer", "sku": "SKU", "unit_price": "Price", "qty": "Qty", "sold_on": "Date", "currency": "Cur"}

plain = st.sampled_from(["Metro", "DLR-1", "AUR-D3", "12.50", "1.234,50", "7", "-3", "2024-03-04", "INR", "", " x "])
quoted = st.sampled_from(['"Metro, Pharma"', '"two\nlines"', '"say ""hi"""', '"a\r\nb"'])
cell = st.one_of(plain, plain, plain, quoted)
row = st.lists(cell, min_size=0, max_size=8).map(",".join)


def both(path: Path, batch_rows: int, block_bytes: int) -> tuple[tuple, tuple]:
    """(fast path, row-by-row) results: frame and issues, or the refusal's message and line."""

    def run(fast: bool):
        try:
            with open_table(path) as table:
                batches = (
                    type_table(SALES, table, MAPPING, batch_rows, block_bytes)
                    if fast
                    else type_rows(SALES, table.header, MAPPING, table.rows, batch_rows)
                )
                done = list(batches)
        except ReadError as error:
            return ("refused", error.message, error.line)
        frame = pl.concat([b.frame for b in done]) if done else None
        issues = [i for b in done for i in b.issues]
        return (frame.to_dicts() if frame is not None else [], issues, sum(b.rows for b in done))

    return run(True), run(False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, min_size=0, max_size=40), crlf=st.booleans(), block=st.integers(16, 400))
def test_the_fast_path_equals_the_row_by_row_reader(tmp_path, rows, crlf, block):
    newline = "\r\n" if crlf else "\n"
    path = tmp_path / "f.csv"
    path.write_bytes((newline.join([HEADER, *rows]) + newline).encode())
    fast, slow = both(path, batch_rows=7, block_bytes=block)  # many small blocks
    assert fast == slow


def test_a_plain_file_is_read_in_line_blocks_with_its_line_numbers(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(f"{HEADER}\nMetro,AUR-D3,12.50,3,2024-03-04,INR\n\n,,,,,\nCity,AUR-D3,1.00,1,2024-03-05,inr\n")
    with open_table(path) as table:
        (batch,) = list(table.batches(100))
    assert isinstance(batch, LineBlock)
    assert batch.numbers == [2, 5]  # blank lines (and delimiter-only ones) are skipped, as csv does


@pytest.mark.parametrize(
    ("tail", "line"),
    [
        (b"Metro,AUR,1.00,1,2024-03-04,INR\nBad \x96 byte,AUR,1.00,1,2024-03-04,INR\n", 4),
        (b"Metro,AUR,1.00,1,2024-03-04,INR\nNUL\x00,AUR,1.00,1,2024-03-04,INR\n", 4),
        (b'Metro,AUR,1.00,1,2024-03-04,INR\n"never closed,AUR,1.00\n', 4),
    ],
)
def test_refusals_name_the_same_line_after_plain_blocks(tmp_path, tail, line):
    path = tmp_path / "f.csv"
    path.write_bytes(f"{HEADER}\nFirst,AUR,1.00,1,2024-03-04,INR\n".encode() + tail)
    fast, slow = both(path, batch_rows=2, block_bytes=40)
    assert fast == slow and fast[0] == "refused" and fast[2] == line
