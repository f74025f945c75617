"""Scale-10 exact decimal arithmetic: the single definition of the numeric semantics.

The reference engine calls these helpers for every operation; the vectorized engine must agree with
them digit for digit. Every result is rounded half-even to 10 decimals and must have at most 28 digits
before the point (Postgres numeric(38,10)).
"""

from __future__ import annotations

import decimal
import re
from decimal import ROUND_HALF_EVEN, Decimal

from engine.formula.errors import RowError

SCALE = 10
INT_DIGITS = 28
QUANTUM = Decimal(1).scaleb(-SCALE)
CENT = Decimal("0.01")
LIMIT = Decimal(10) ** INT_DIGITS  # smallest magnitude that overflows
MAX_VALUE = LIMIT - QUANTUM
ZERO = Decimal(0).quantize(QUANTUM)
ONE = Decimal(1).quantize(QUANTUM)
HUNDRED = Decimal(100).quantize(QUANTUM)

# 100 digits hold any exact product of two 38-digit numbers; a quotient at 100 digits cannot produce a
# false half-way tie at the 10th decimal (denominators have < 39 digits), so one quantize is exact.
CTX = decimal.Context(
    prec=100,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

MSG_DIV_ZERO = "division by zero"
MSG_MOD_ZERO = "remainder of a division by zero"
MSG_OVERFLOW = "overflow (more than 28 digits before the decimal point)"
MSG_PCT_ZERO = "pct_change with a previous value of 0"
MSG_TOTAL_OVERFLOW = "overflow in total() (more than 28 digits before the decimal point)"

_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def fix(x: Decimal) -> Decimal:
    """Round to scale 10 half-even, reject overflow, and normalise -0 to 0."""
    q = x.quantize(QUANTUM, context=CTX)
    if q >= LIMIT or q <= -LIMIT:
        raise RowError(MSG_OVERFLOW)
    if not q:
        return ZERO
    return q


def add(a: Decimal, b: Decimal) -> Decimal:
    return fix(CTX.add(a, b))


def sub(a: Decimal, b: Decimal) -> Decimal:
    return fix(CTX.subtract(a, b))


def mul(a: Decimal, b: Decimal) -> Decimal:
    return fix(CTX.multiply(a, b))


def div(a: Decimal, b: Decimal) -> Decimal:
    if not b:
        raise RowError(MSG_DIV_ZERO)
    return fix(CTX.divide(a, b))


def mod(a: Decimal, b: Decimal) -> Decimal:
    """Remainder with the sign of the dividend (truncated division), as Decimal's % does."""
    if not b:
        raise RowError(MSG_MOD_ZERO)
    return fix(CTX.remainder(a, b))


def neg(a: Decimal) -> Decimal:
    return fix(CTX.minus(a))


def power(a: Decimal, n: int) -> Decimal:
    """a^n as n left-to-right multiplications, each rounded; negative n is 1 / a^|n|."""
    if n == 0:
        return ONE
    r = a
    for _ in range(abs(n) - 1):
        r = mul(r, a)
    return div(ONE, r) if n < 0 else r


def round2(x: Decimal) -> Decimal:
    return fix(x.quantize(CENT, context=CTX))


def pct(x: Decimal) -> Decimal:
    return div(x, HUNDRED)


def pct_change(cur: Decimal, prev: Decimal) -> Decimal:
    if not prev:
        raise RowError(MSG_PCT_ZERO)
    return div(sub(cur, prev), prev)


def parse_plain(text: str) -> Decimal | None:
    """Parse a plain decimal ("-12.5", ".5"; no exponent, no spaces) to scale 10, or None if invalid.

    Extra decimals round half-even (as Polars' string cast does); overflow returns None.
    """
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    try:
        return fix(Decimal(text))
    except RowError:
        return None


def to_text(x: Decimal) -> str:
    """Canonical text of a scale-10 value: exactly 10 decimals, never exponent notation."""
    return format(x, "f")
