"""CSV exports that a spreadsheet cannot execute: formula-injection neutralisation.

A spreadsheet reads a cell as a formula when it starts with = + - @ (or tab, CR, LF). Attackers
dress those up, so a text cell is risky when:
- after any run of invisible characters (whitespace of every kind: no-break, ideographic, line and
  paragraph separators; control and format characters such as zero-width spaces and BOMs) it starts
  with a trigger or a look-alike of one (full-width ＝＋－＠, small and super/subscript forms,
  minus sign and dashes); or its invisible lead holds a control character (tab, CR, LF, …);
- the same holds after any field or line separator inside it (`x;=1+1`: a spreadsheet whose list
  separator is `;` — most of Europe — splits that into `x` and the formula `=1+1`).
Risky text cells get a leading apostrophe (OWASP's advice; the text shows as typed), and one more
just before every trigger that a separator inside them exposes (`x;'=1+1`): every text cell is
written inside double quotes, so a reader that honours CSV quoting never splits it, but one that
splits on another separator (or whose quoting went astray on a stray quote) would start a new cell
or row there. Numbers
(int, Decimal) and dates are written bare: "-5" from a Decimal is a value, not a formula, and must
stay numeric for the report's deltas.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache

import polars as pl

# = + - @, every character whose NFKC form starts with one of them (tests/unit checks the list is
# complete for this Python's Unicode), and dash/minus look-alikes that NFKC leaves alone.
LOOKALIKE_TRIGGERS = (
    "=+-@"
    "\uff1d\uff0b\uff0d\uff20"  # full-width ＝＋－＠
    "\ufe66\ufe62\ufe63\ufe6b"  # small ﹦﹢﹣﹫
    "\u207c\u207a\u207b\u208c\u208a\u208b"  # ⁼⁺⁻ ₌₊₋
    "\u2a75\u2a76"  # ⩵ ⩶ (NFKC: == and ===)
    "\ufb29"  # Hebrew alternative plus sign
    "\u2212\u2010\u2011\u2012\u2013\u2014\u2015\ufe58\u2795\u2796\u2e3a\u2e3b"  # − ‐ ‑ ‒ – — ― ﹘ ➕ ➖ ⸺ ⸻
)
SEPARATORS = ",;\t\r\n"
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})
# Planes 2-13 hold only ideographs and unassigned points, 15-16 private use: no invisible character
# lives there (a unit test checks every code point), so the table is built from these ranges only.
INVISIBLE_PLANES = (range(0x0, 0x20000), range(0xE0000, 0xE1000))


def invisible_codepoints(ranges: Iterable[range] = INVISIBLE_PLANES) -> list[int]:
    return [cp for r in ranges for cp in r if unicodedata.category(chr(cp)) in INVISIBLE_CATEGORIES]


def _escape(codepoint: int) -> str:
    """One code point in a character class, written the same for Python's re and Rust's regex."""
    return f"\\U{codepoint:08X}"


def _char_class(codepoints: Iterable[int]) -> str:
    ordered = sorted(set(codepoints))
    parts, start = [], None
    for i, cp in enumerate(ordered):
        if start is None:
            start = cp
        if i + 1 == len(ordered) or ordered[i + 1] != cp + 1:
            parts.append(_escape(start) if start == cp else f"{_escape(start)}-{_escape(cp)}")
            start = None
    return "[" + "".join(parts) + "]"


@cache
def risky_pattern() -> str:
    """The rule as one regular expression (built once from this Python's Unicode tables)."""
    invisible = _char_class(invisible_codepoints())
    control = _char_class([*range(0x00, 0x20), *range(0x7F, 0xA0)])
    triggers = _char_class(ord(c) for c in LOOKALIKE_TRIGGERS)
    separators = _char_class(ord(c) for c in SEPARATORS)
    return f"^{invisible}*{control}|(?:^|{separators}){invisible}*{triggers}"


@cache
def exposed_pattern() -> str:
    """A trigger that a separator inside the text exposes (group 1: the separator and the invisible
    characters after it; group 2: the trigger). A reader splitting on another separator, or one
    whose quoting went astray, starts a new cell or row right there, so the apostrophe goes just
    before that trigger too."""
    invisible = _char_class(invisible_codepoints())
    triggers = _char_class(ord(c) for c in LOOKALIKE_TRIGGERS)
    separators = _char_class(ord(c) for c in SEPARATORS)
    return f"({separators}{invisible}*)({triggers})"


@cache
def _compiled() -> re.Pattern[str]:
    return re.compile(risky_pattern())


@cache
def _exposed() -> re.Pattern[str]:
    return re.compile(exposed_pattern())


def is_risky(text: str) -> bool:
    return _compiled().search(text) is not None


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
    return "'" + _exposed().sub(r"\1'\2", text) if is_risky(text) else text


def neutralise_expr(column: str) -> pl.Expr:
    """The same rule for a String column of a Polars frame (text cells only)."""
    risky = pl.col(column).str.contains(risky_pattern())
    guarded = pl.lit("'") + pl.col(column).str.replace_all(exposed_pattern(), "${1}'${2}")
    return pl.when(risky).then(guarded).otherwise(pl.col(column)).alias(column)


def _field(value: object) -> str:
    cell = neutralise(value)
    if value is None or isinstance(value, bool | int | Decimal | datetime | date):
        return cell
    return '"' + cell.replace('"', '""') + '"'


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document (RFC 4180, CRLF) with every cell neutralised, text cells quoted."""
    lines = [",".join(_field(h) for h in header)]
    lines += [",".join(_field(v) for v in row) for row in rows]
    return "".join(line + "\r\n" for line in lines)
