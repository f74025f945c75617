"""What a column holds (date, decimal, integer, currency, code, text) and what a cell means.

One set of parsers serves three uses: detecting column types for the mapping screen, the preview's
type warnings, and the validation report's fix hints. Formats are strict on purpose (ISO dates,
`.` as decimal separator, no thousands separators): a value is never reinterpreted silently, and
each refusal says how to write it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from engine.imports.targets import FieldKind

ColumnKind = Literal["empty", "integer", "decimal", "date", "instant", "currency", "code", "text"]

PREVIEW_ROWS = 100
MAX_SCALE = 10  # Decimal(38,10)
MAX_INTEGER_DIGITS = 28

INTEGER_RE = re.compile(r"^-?\d+$")
DECIMAL_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
COMMA_DECIMAL_RE = re.compile(r"^-?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+$")
THOUSANDS_RE = re.compile(r"^-?\d{1,3}(?:[,' ]\d{3})+(?:\.\d+)?$")
CURRENCY_SIGN_RE = re.compile(r"^(?:[$€£¥]|[A-Z]{3}\s?)\s?-?[\d.,]+$|^-?[\d.,]+\s?(?:[$€£¥]|[A-Z]{3})$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OTHER_DATE_RE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
CURRENCY_RE = re.compile(r"^[A-Za-z]{3}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./:#-]{0,63}$")


@dataclass(frozen=True)
class CellProblem:
    message: str
    hint: str = ""


def _decimal_problem(text: str) -> CellProblem:
    if COMMA_DECIMAL_RE.match(text):
        fixed = text.replace(".", "").replace(",", ".")
        return CellProblem(f"{text} uses a comma as decimal separator", f"write {fixed} (a point before the decimals)")
    if THOUSANDS_RE.match(text):
        fixed = re.sub(r"[,' ]", "", text)
        return CellProblem(f"{text} has thousands separators", f"write {fixed}")
    if CURRENCY_SIGN_RE.match(text):
        return CellProblem(f"{text} includes a currency", "write the amount alone; the currency has its own column")
    return CellProblem(f"{text!r} is not a number", "write a number such as 1234.50")


def parse_decimal(text: str) -> Decimal | CellProblem:
    if not DECIMAL_RE.match(text):
        return _decimal_problem(text)
    whole, _, decimals = text.lstrip("-").partition(".")
    if len(decimals) > MAX_SCALE:
        return CellProblem(f"{text} has more than {MAX_SCALE} decimals", f"round it to {MAX_SCALE} decimals")
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        return CellProblem(f"{text} is too large", f"at most {MAX_INTEGER_DIGITS} digits before the point")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        return CellProblem(f"{text!r} is not a number")


def parse_integer(text: str) -> int | CellProblem:
    if INTEGER_RE.match(text) and len(text.lstrip("-")) <= 18:
        return int(text)
    if DECIMAL_RE.match(text) and Decimal(text) == Decimal(text).to_integral_value():
        return CellProblem(f"{text} is not a whole number", f"write {Decimal(text).to_integral_value()}")
    if INTEGER_RE.match(text):
        return CellProblem(f"{text} is too large for a whole number")
    return CellProblem(f"{text!r} is not a whole number", "write digits only, such as 12")


def parse_date(text: str) -> date | CellProblem:
    if ISO_DATE_RE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return CellProblem(f"{text} is not a calendar day", "check the month and the day")
    if OTHER_DATE_RE.match(text):
        return CellProblem(f"{text} is not an ISO date", "write dates as YYYY-MM-DD, e.g. 2024-03-31")
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
        return CellProblem(f"{text} has a time", f"write the day only: {text[:10]}")
    return CellProblem(f"{text!r} is not a date", "write dates as YYYY-MM-DD, e.g. 2024-03-31")


def parse_instant(text: str) -> datetime | CellProblem:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return CellProblem(f"{text!r} is not a time", "write RFC 3339 with a zone, e.g. 2024-03-31T14:05:00Z")
    if value.tzinfo is None or not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
        return CellProblem(f"{text} has no time zone", "add the zone, e.g. 2024-03-31T14:05:00Z or +01:00")
    return value.astimezone(UTC)


def parse_currency(text: str) -> str | CellProblem:
    if CURRENCY_RE.match(text):
        return text.upper()
    return CellProblem(f"{text!r} is not a currency code", "write the ISO 4217 code, e.g. EUR or USD")


def parse_code(text: str, max_length: int | None = None) -> str | CellProblem:
    if max_length is not None and len(text) > max_length:
        return CellProblem(f"the code is {len(text)} characters long", f"at most {max_length}")
    if any(c.isspace() for c in text.strip()) and len(text.strip()) > 64:
        return CellProblem("this looks like text, not a code")
    return text.strip()


def parse_text(text: str, max_length: int | None = None) -> str | CellProblem:
    if max_length is not None and len(text) > max_length:
        return CellProblem(f"the text is {len(text)} characters long", f"shorten it to {max_length}")
    return text


def parse_cell(
    kind: FieldKind, text: str, max_length: int | None = None
) -> Decimal | int | date | datetime | str | CellProblem:
    """One non-empty cell typed for a target field's kind, or the problem and its fix."""
    text = text.strip() if kind != "text" else text
    if kind in ("decimal", "money"):
        return parse_decimal(text)
    if kind == "integer":
        return parse_integer(text)
    if kind == "date":
        return parse_date(text)
    if kind == "instant":
        return parse_instant(text)
    if kind == "currency":
        return parse_currency(text)
    if kind == "code":
        return parse_code(text, max_length)
    return parse_text(text, max_length)


# --- column detection --------------------------------------------------------------------------

_DETECTION_ORDER: tuple[tuple[ColumnKind, FieldKind], ...] = (
    ("integer", "integer"),
    ("decimal", "decimal"),
    ("date", "date"),
    ("instant", "instant"),
    ("currency", "currency"),
)
AGREEMENT = 0.9  # a column is of a kind when this share of its non-empty values parses as it


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    kind: ColumnKind
    filled: int  # non-empty values seen
    warnings: tuple[str, ...] = ()
    samples: tuple[str, ...] = ()


def _kind_of(text: str) -> ColumnKind:
    for kind, field_kind in _DETECTION_ORDER:
        if not isinstance(parse_cell(field_kind, text), CellProblem):
            return kind
    if COMMA_DECIMAL_RE.match(text) or THOUSANDS_RE.match(text):
        return "decimal"
    if OTHER_DATE_RE.match(text):
        return "date"
    return "code" if CODE_RE.match(text) else "text"


def _widen(counts: dict[ColumnKind, int]) -> ColumnKind:
    """The narrowest kind that covers enough values: integers are decimals, codes are text."""
    total = sum(counts.values())
    if not total:
        return "empty"
    numeric = counts.get("integer", 0) + counts.get("decimal", 0)
    if counts.get("integer", 0) >= AGREEMENT * total:
        return "integer"
    if numeric >= AGREEMENT * total:
        return "decimal"
    for kind in ("date", "instant", "currency"):
        if counts.get(kind, 0) >= AGREEMENT * total:
            return kind
    codes = numeric + counts.get("code", 0) + counts.get("currency", 0)
    return "code" if codes >= AGREEMENT * total else "text"


def detect_column(name: str, values: Iterable[tuple[int, str]]) -> ColumnInfo:
    """`values`: (source line, cell) pairs; warnings cite the file's own line numbers."""
    counts: dict[ColumnKind, int] = {}
    samples: list[str] = []
    examples: dict[ColumnKind, list[tuple[int, str]]] = {}
    for index, raw in values:
        text = raw.strip()
        if not text:
            continue
        kind = _kind_of(text)
        counts[kind] = counts.get(kind, 0) + 1
        examples.setdefault(kind, []).append((index, text))
        if len(samples) < 3 and text not in samples:
            samples.append(text)
    kind = _widen(counts)
    return ColumnInfo(name, kind, sum(counts.values()), _warnings(kind, examples), tuple(samples))


def _warnings(kind: ColumnKind, examples: dict[ColumnKind, list[tuple[int, str]]]) -> tuple[str, ...]:
    field_kind: FieldKind | None = {
        "integer": "integer",
        "decimal": "decimal",
        "date": "date",
        "instant": "instant",
        "currency": "currency",
    }.get(kind)  # type: ignore[assignment]
    if field_kind is None:
        return ()
    out: list[str] = []
    for values in examples.values():
        for line, text in values:
            problem = parse_cell(field_kind, text)
            if isinstance(problem, CellProblem):
                out.append(f"line {line}: {problem.message}" + (f" ({problem.hint})" if problem.hint else ""))
    total_bad = len(out)
    if total_bad > 5:
        out = [*out[:5], f"and {total_bad - 5} more"]
    return tuple(out)


@dataclass(frozen=True)
class Preview:
    columns: tuple[ColumnInfo, ...]
    rows: tuple[tuple[str, ...], ...]  # the first PREVIEW_ROWS rows, padded to the header's width
    lines: tuple[int, ...] = field(default=())  # each kept row's source line


def preview(header: Sequence[str], rows: Iterable[tuple[int, Sequence[str]]], limit: int = PREVIEW_ROWS) -> Preview:
    """The first `limit` rows and each column's detected kind with its type warnings."""
    kept: list[tuple[str, ...]] = []
    lines: list[int] = []
    for line, cells in rows:
        padded = tuple(cells[: len(header)]) + ("",) * max(0, len(header) - len(cells))
        kept.append(padded)
        lines.append(line)
        if len(kept) >= limit:
            break
    columns = tuple(
        detect_column(name, ((line, row[index]) for line, row in zip(lines, kept, strict=True)))
        for index, name in enumerate(header)
    )
    return Preview(columns, tuple(kept), tuple(lines))
