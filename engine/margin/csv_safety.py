"""CSV exports that a spreadsheet cannot execute: formula-injection neutralisation.

A cell starting with = + - @ tab CR or LF (after optional spaces) is read as a formula by Excel,
LibreOffice and Sheets. Such text cells get a leading apostrophe (OWASP's advice), which shows the
text as typed. Numbers (int, Decimal) are written as numbers: "-5" from a Decimal is a value, not a
formula, and must stay numeric for the report's deltas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

import polars as pl

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _dangerous(text: str) -> bool:
    return text.lstrip(" ").startswith(TRIGGERS)


def neutralise(value: object) -> str:
    """One cell as safe CSV text. None → empty; numbers and dates verbatim; risky text gets a "'"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, float):
        raise TypeError("money in reports must be Decimal, not float")
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if _dangerous(text) else text


def neutralise_expr(column: str) -> pl.Expr:
    """The same rule for a String column of a Polars frame (text cells only)."""
    risky = pl.col(column).str.replace(r"^ +", "").str.contains(r"^[=+\-@\t\r\n]")
    return pl.when(risky).then(pl.lit("'") + pl.col(column)).otherwise(pl.col(column)).alias(column)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document with every cell neutralised (header included)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue()
