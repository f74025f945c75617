"""A stored file read as a header and a stream of rows: CSV (UTF-8, with or without BOM) or XLSX.

Nothing is guessed or repaired: a file that is not UTF-8 is refused with the byte and line that
prove it (never decoded with replacement characters), and each malformed shape (NUL bytes, an
unmatched quote, an oversized field, duplicate or blank headers, too many columns) is a
`ReadError` naming the line and column, so the person can fix the file. Rows are produced one at a
time: a 250 MB file is never held in memory.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Literal, NamedTuple

FileKind = Literal["csv", "xlsx"]

MAX_COLUMNS = 500
# one physical line may be longer than csv's field limit (131072 characters: kept at its default),
# so an oversized field is reported by csv with its line; a line past this is refused unread
MAX_LINE_BYTES = 16 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_DELIMITERS = (",", ";", "\t")


class ReadError(ValueError):
    """The file cannot be read as a table; `line` (1 = header) and `column` say where; `field` is
    the request field to blame (the file, or the sheet a person asked for)."""

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None, field: str = "file"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.field = field


class Row(NamedTuple):
    line: int  # the source line (CSV) or sheet row (XLSX) where the row starts; the header is 1
    cells: tuple[str, ...]


@dataclass(frozen=True)
class LineBlock:
    """Consecutive CSV lines that hold one row each and nothing to unquote (no `"`, no stray CR):
    the fast path splits them with Polars instead of the csv module, with the same result."""

    lines: list[str]  # the physical lines, line ending removed, blank rows dropped
    numbers: list[int]  # each line's number in the file (the header is 1)


Batch = LineBlock | list[Row]


@dataclass
class SourceTable:
    kind: FileKind
    header: tuple[str, ...]
    rows: Iterator[Row]
    delimiter: str = ","
    sheets: tuple[str, ...] = ()  # a workbook's sheet names, in order (a CSV has none)
    sheet: str = ""  # the sheet read (the first unless one was asked for)
    # the rows as batches (LineBlocks where the file allows it); use either this or `rows`
    batched: Callable[[int, int], Iterator[Batch]] | None = None

    def batches(self, batch_rows: int, block_bytes: int | None = None) -> Iterator[Batch]:
        """The rows in batches of at most `batch_rows` (a CSV's plain stretches as LineBlocks, read
        `block_bytes` at a time)."""
        if self.batched is not None:
            yield from self.batched(batch_rows, block_bytes or BLOCK_BYTES)
            return
        while batch := list(itertools.islice(self.rows, batch_rows)):
            yield batch


def sniff_kind(path: Path) -> FileKind:
    with path.open("rb") as handle:
        return "xlsx" if handle.read(4) == _ZIP_MAGIC else "csv"


@contextmanager
def open_table(path: Path, kind: FileKind | None = None, *, sheet: str | None = None) -> Iterator[SourceTable]:
    """The file's header (checked) and its rows, read lazily while the context is open. `sheet`
    names a workbook's sheet (default: the first); a CSV has no sheets."""
    kind = kind or sniff_kind(path)
    if kind == "xlsx":
        with _open_xlsx(path, sheet) as table:
            yield table
        return
    if sheet:
        raise ReadError("a CSV file has no sheets: leave the sheet out", field="sheet")
    with path.open("rb") as handle:
        yield _csv_table(handle)


# --- CSV ---------------------------------------------------------------------------------------


def _not_utf8(raw: bytes, error: UnicodeDecodeError, line: int) -> ReadError:
    byte = raw[error.start]
    guess = ""
    try:
        raw.decode("cp1252")
        guess = " (it looks like Windows-1252 / cp1252)"
    except UnicodeDecodeError:
        pass
    return ReadError(
        f"the file is not UTF-8 (byte 0x{byte:02x} at line {line}){guess}: save it as CSV UTF-8",
        line=line,
    )


def _decoded_lines(handle: BinaryIO, line: int = 0) -> Iterator[str]:
    """Physical lines decoded strictly as UTF-8 (BOM dropped); refusals name the line. `line`: the
    lines before the handle's position (the fast path hands the rest of a file over mid-way)."""
    while True:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        line += 1
        if len(raw) > MAX_LINE_BYTES:
            raise ReadError(
                f"line {line} is longer than {MAX_LINE_BYTES // (1024 * 1024)} MB: is this a CSV file?",
                line=line,
            )
        if line == 1:
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise ReadError("the file is UTF-16: save it as CSV UTF-8", line=1)
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if b"\x00" in raw:
            position = raw.index(b"\x00") + 1
            raise ReadError(
                f"line {line} contains a NUL byte (at byte {position}): the file looks binary or UTF-16;"
                " save it as CSV UTF-8",
                line=line,
            )
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _not_utf8(raw, error, line) from None


def _delimiter(header_line: str) -> tuple[str, int]:
    """The separator the header uses most outside quotes (`;` in most European exports), and how often."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return (best if counts[best] else ","), counts[best]


def check_header(cells: list[str], line: int = 1) -> tuple[str, ...]:
    """Trimmed header names; blank, duplicate or too many columns are refused by position."""
    while cells and not cells[-1].strip():
        cells = cells[:-1]  # trailing empty cells (spreadsheets pad the first row)
    if not cells:
        raise ReadError("the file has no header row: the first line must name the columns", line=line)
    if len(cells) > MAX_COLUMNS:
        raise ReadError(f"the header has {len(cells)} columns; at most {MAX_COLUMNS} are read", line=line)
    names = [c.strip() for c in cells]
    seen: dict[str, int] = {}
    for index, name in enumerate(names, start=1):
        if not name:
            raise ReadError(f"column {index} has no header: name every column", line=line, column=str(index))
        key = name.casefold()
        if key in seen:
            raise ReadError(
                f"column {name!r} appears twice (columns {seen[key]} and {index}): rename one",
                line=line,
                column=name,
            )
        seen[key] = index
    return tuple(names)


def _csv_error(error: csv.Error, start: int, end: int) -> ReadError:
    text = str(error)
    if "field larger than field limit" in text:
        limit = csv.field_size_limit()
        return ReadError(
            f"line {start}: a field is longer than {limit} characters"
            " (an unmatched quote makes the rest of the file one field)",
            line=start,
        )
    if "unexpected end of data" in text or "EOF" in text:
        return ReadError(
            f"line {start}: a quoted field is never closed (an unmatched quote): check the quotes",
            line=start,
        )
    if "expected after" in text:
        return ReadError(
            f"line {end}: text follows a closing quote ({text}): double every quote inside a quoted field",
            line=end,
        )
    return ReadError(f"line {start}: the CSV cannot be read ({text})", line=start)


def _csv_table(handle: BinaryIO) -> SourceTable:
    lines = _decoded_lines(handle)
    first = next(lines, None)
    if first is None:
        raise ReadError("the file is empty", line=1)
    delimiter, separators = _delimiter(first)
    if separators >= MAX_COLUMNS:  # refused before csv builds a list of a million names
        raise ReadError(f"the header has {separators + 1} columns; at most {MAX_COLUMNS} are read", line=1)

    reader = csv.reader(itertools.chain((first,), lines), delimiter=delimiter, strict=True)
    try:
        header = check_header(next(reader))
    except csv.Error as error:
        raise _csv_error(error, 1, reader.line_num) from None
    table = SourceTable("csv", header, _csv_rows(reader), delimiter)
    if reader.line_num == 1:  # a one-line header: what follows can be read in blocks
        table.batched = partial(_csv_batches, handle, delimiter, handle.tell())
    return table


BLOCK_BYTES = 8 * 1024 * 1024


def _plain_block(raw: bytes) -> list[str] | None:
    """The block's lines when every one is a row the csv module would split exactly like
    `str.split` (valid UTF-8, no quote, no NUL, CR only before LF, no oversized field); else None."""
    if b'"' in raw or b"\x00" in raw or raw.count(b"\r") != raw.count(b"\r\n"):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if "\r" in text:
        lines = [line.removesuffix("\r") for line in lines]
    if max(map(len, lines), default=0) > csv.field_size_limit():
        return None  # the csv module's refusal (and its message) for a field this long
    return lines


def _csv_batches(handle: BinaryIO, delimiter: str, offset: int, batch_rows: int, block_bytes: int) -> Iterator[Batch]:
    """The data rows after a one-line header: plain blocks of lines as LineBlocks; from the first
    block that is not plain (a quote, an encoding problem, ...) to the end, the csv module's rows,
    so quoted fields across lines and every refusal are exactly the row-by-row reader's."""
    handle.seek(offset)
    line = 1
    while True:
        start = handle.tell()
        raw = handle.read(block_bytes)
        if not raw:
            return
        if not raw.endswith(b"\n"):
            raw += handle.readline(MAX_LINE_BYTES + 1)  # the block ends at a line's end
        lines = _plain_block(raw)
        if lines is None:
            handle.seek(start)
            reader = csv.reader(_decoded_lines(handle, line), delimiter=delimiter, strict=True)
            rows = _csv_rows(reader, line)
            while batch := list(itertools.islice(rows, batch_rows)):
                yield batch
            return
        kept = [(n, text) for n, text in enumerate(lines, start=line + 1) if text.replace(delimiter, "").strip()]
        for at in range(0, len(kept), batch_rows):
            part = kept[at : at + batch_rows]
            yield LineBlock([text for _, text in part], [n for n, _ in part])
        line += len(lines)


def _csv_rows(reader: Any, before: int = 0) -> Iterator[Row]:
    """Rows with the line each starts on; blank lines (and rows of only spaces) skipped. Kept lean:
    it runs per row of 1M (a row whose first cell has text is kept without looking further).
    `before`: lines of the file before the reader's first one."""
    start = before + reader.line_num + 1
    try:
        for cells in reader:
            if (cells and cells[0].strip()) or any(c.strip() for c in cells):
                yield Row(start, tuple(cells))
            start = before + reader.line_num + 1
    except csv.Error as error:
        raise _csv_error(error, start, before + reader.line_num) from None


# --- XLSX --------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """An XLSX cell as the text a CSV export would hold (dates ISO, numbers plain, no float noise)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f") if value == value else ""
    return str(value)


@contextmanager
def _open_xlsx(path: Path, wanted: str | None) -> Iterator[SourceTable]:
    from openpyxl import load_workbook  # noqa: PLC0415 - only XLSX uploads pay for the import

    # a handle, not the path: storage keys have no .xlsx suffix, which openpyxl would refuse
    with path.open("rb") as handle:
        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds (zip, XML, its own) for a broken file
            raise ReadError(f"the file is not a readable XLSX workbook ({type(error).__name__})") from None
        try:
            names = tuple(book.sheetnames)
            if not names:
                raise ReadError("the workbook has no sheet")
            if wanted is not None and wanted not in names:
                shown = ", ".join(repr(n) for n in names[:20])
                raise ReadError(f"the workbook has no sheet {wanted!r} (its sheets: {shown})", field="sheet")
            name = wanted if wanted is not None else names[0]
            values = book[name].iter_rows(values_only=True)
            first = _next_row(values, 1)
            if first is None:
                raise ReadError(f"the sheet {name!r} is empty", line=1)
            if len(first) > MAX_COLUMNS * 4 and any(v is not None for v in first[MAX_COLUMNS * 4 :]):
                raise ReadError(f"the header has {len(first)} columns; at most {MAX_COLUMNS} are read", line=1)
            header = check_header([cell_text(v) for v in first])
            yield SourceTable("xlsx", header, _xlsx_rows(values, len(header)), sheets=names, sheet=name)
        finally:
            book.close()


def _next_row(values: Iterator[tuple[object, ...]], line: int) -> tuple[object, ...] | None:
    try:
        return next(values, None)
    except Exception as error:  # a corrupt sheet part surfaces while rows are read
        raise ReadError(f"row {line} of the workbook cannot be read ({type(error).__name__})", line=line) from None


def _xlsx_rows(values: Iterator[tuple[object, ...]], width: int) -> Iterator[Row]:
    line = 1
    while (raw := _next_row(values, line + 1)) is not None:
        line += 1
        cells = [cell_text(v) for v in raw]
        while len(cells) > width and not cells[-1]:
            cells.pop()
        if not any(c.strip() for c in cells):
            continue
        if any("\x00" in c for c in cells):
            raise ReadError(f"row {line} contains a NUL character", line=line)
        yield Row(line, tuple(cells))
