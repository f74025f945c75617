"""The reader refuses every malformed file with a message naming the line (and column), never crashes."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from engine.imports.reader import MAX_COLUMNS, ReadError, Row, open_table


def write(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(path: Path) -> tuple[tuple[str, ...], list[Row]]:
    with open_table(path) as table:
        return table.header, list(table.rows)


def refusal(path: Path) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read_all(path)
    return caught.value


def test_utf8_with_and_without_bom_read_the_same(tmp_path):
    body = 'Dealer,Price\r\nMüller Apotheke,12.50\r\n\r\n"Quoted, name","3"\n'.encode()
    plain = read_all(write(tmp_path, body, "a.csv"))
    bom = read_all(write(tmp_path, b"\xef\xbb\xbf" + body, "b.csv"))
    assert (
        plain
        == bom
        == (
            ("Dealer", "Price"),
            [Row(2, ("Müller Apotheke", "12.50")), Row(4, ("Quoted, name", "3"))],
        )
    )


def test_semicolon_files_are_read_with_their_separator(tmp_path):
    header, rows = read_all(write(tmp_path, b"Dealer;Price\nA;1.234,50\n"))
    assert (header, rows) == (("Dealer", "Price"), [Row(2, ("A", "1.234,50"))])


def test_a_multiline_quoted_field_reports_the_line_where_its_row_starts(tmp_path):
    _, rows = read_all(write(tmp_path, b'a,b\n"x\ny",1\nz,2\n'))
    assert rows == [Row(2, ("x\ny", "1")), Row(4, ("z", "2"))]


def test_cp1252_is_refused_naming_byte_line_and_encoding(tmp_path):
    lines = ["Dealer,Note"] + [f"D{i},ok" for i in range(10)] + ["D11,price \u2013 net"]
    error = refusal(write(tmp_path, ("\n".join(lines) + "\n").encode("cp1252")))
    assert error.message == (
        "the file is not UTF-8 (byte 0x96 at line 12) (it looks like Windows-1252 / cp1252): save it as CSV UTF-8"
    )
    assert error.line == 12


def test_utf16_is_refused(tmp_path):
    assert refusal(write(tmp_path, "a,b\n1,2\n".encode("utf-16"))).message == "the file is UTF-16: save it as CSV UTF-8"


def test_nul_bytes_are_refused_with_their_line(tmp_path):
    error = refusal(write(tmp_path, b"a,b\n1,2\n3,\x004\n"))
    assert (error.line, error.message.split(":")[0]) == (3, "line 3 contains a NUL byte (at byte 3)")


def test_an_unmatched_quote_names_the_line_where_the_field_opened(tmp_path):
    error = refusal(write(tmp_path, b'a,b\n1,2\n"3,4\n5,6\n'))
    assert error.line == 3
    assert "never closed" in error.message


def test_text_after_a_closing_quote_is_refused(tmp_path):
    error = refusal(write(tmp_path, b'a,b\n"x"y,2\n'))
    assert error.line == 2
    assert "double every quote" in error.message


def test_a_10_mb_field_is_refused_by_the_default_field_limit(tmp_path):
    assert csv.field_size_limit() == 131072  # the reader never raises it
    error = refusal(write(tmp_path, b"a,b\n1," + b"x" * (10 * 1024 * 1024) + b"\n"))
    assert (error.line, error.message) == (
        2,
        "line 2: a field is longer than 131072 characters (an unmatched quote makes the rest of the file one field)",
    )


def test_duplicate_headers_are_refused_naming_both_columns(tmp_path):
    error = refusal(write(tmp_path, b"Dealer,Price,dealer\n1,2,3\n"))
    assert (error.message, error.column) == ("column 'dealer' appears twice (columns 1 and 3): rename one", "dealer")


def test_blank_headers_are_refused_naming_the_column(tmp_path):
    error = refusal(write(tmp_path, b"Dealer, ,Price\n1,2,3\n"))
    assert (error.message, error.column) == ("column 2 has no header: name every column", "2")


def test_a_header_of_a_million_columns_is_refused_before_it_is_split(tmp_path):
    error = refusal(write(tmp_path, b",".join(b"c%d" % i for i in range(1_000_000)) + b"\n1\n"))
    assert error.message == f"the header has 1000000 columns; at most {MAX_COLUMNS} are read"


def test_an_empty_file_is_refused(tmp_path):
    assert refusal(write(tmp_path, b"")).message == "the file is empty"


def test_xlsx_rows_read_as_csv_text(tmp_path):
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Dealer", "Price", "Day", "Qty", None])
    sheet.append(["@SUM(1)", 12.5, datetime(2024, 3, 4), 3])
    sheet.append([None, None, None, None])
    sheet.append(["B", 0.1, date(2024, 3, 5), 4])
    path = tmp_path / "f.xlsx"
    book.save(path)
    header, rows = read_all(path)
    assert header == ("Dealer", "Price", "Day", "Qty")
    assert rows == [Row(2, ("@SUM(1)", "12.5", "2024-03-04", "3")), Row(4, ("B", "0.1", "2024-03-05", "4"))]


def test_a_broken_xlsx_is_refused(tmp_path):
    error = refusal(write(tmp_path, b"PK\x03\x04not really a zip", "f.xlsx"))
    assert error.message.startswith("the file is not a readable XLSX workbook")


def test_rows_of_only_spaces_are_skipped_like_blank_lines(tmp_path):
    body = b"Dealer,Price\r\n  ,\t\r\nA, 1\r\n,\r\n \r\n , 2\r\n"
    header, rows = read_all(write(tmp_path, body))
    assert header == ("Dealer", "Price")
    assert rows == [Row(3, ("A", " 1")), Row(6, (" ", " 2"))]
