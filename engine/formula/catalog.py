"""Function catalog v1: the only functions a formula may call, with arity and one doc line each.

The version string goes into every plan's snapshot hash, so a change of any function's meaning must
bump it (and add a new entry rather than silently redefining an old one).
"""

from __future__ import annotations

from dataclasses import dataclass

CATALOG_VERSION = "pharos-formula-functions/1"


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    signature: str
    min_args: int
    max_args: int | None  # None: any number >= min_args
    doc: str


FUNCTIONS: dict[str, FunctionSpec] = {
    f.name: f
    for f in (
        FunctionSpec("min", "min(a, b, …)", 2, None, "The smallest of two or more numbers."),
        FunctionSpec("max", "max(a, b, …)", 2, None, "The largest of two or more numbers."),
        FunctionSpec(
            "round2",
            "round2(x)",
            1,
            1,
            "x rounded half-even to 2 decimals: round2(2.345) = 2.34, round2(2.355) = 2.36.",
        ),
        FunctionSpec(
            "clip", "clip(x, lo, hi)", 3, 3, "min(max(x, lo), hi): x kept inside [lo, hi] (hi wins if lo > hi)."
        ),
        FunctionSpec(
            "cap_floor",
            "cap_floor(x, cap, floor)",
            3,
            3,
            "min(max(x, floor), cap): x kept inside [floor, cap] (cap wins if floor > cap).",
        ),
        FunctionSpec("hurdle", "hurdle(perf, rate)", 2, 2, "0 if perf < rate, else perf."),
        FunctionSpec("pct", "pct(x)", 1, 1, "x / 100, so pct(12.5) = 0.125."),
        FunctionSpec("pct_change", "pct_change(cur, prev)", 2, 2, "(cur - prev) / prev; a row error when prev is 0."),
        FunctionSpec(
            "total",
            "total(expr)",
            1,
            1,
            "Sum of expr over every employee row of the run without a row error so far; same value on every row.",
        ),
    )
}

KEYWORDS = frozenset({"if", "then", "else", "date"})


def describe() -> list[tuple[str, str]]:
    """(signature, doc) for every function, in catalog order; for docs and UIs."""
    return [(f.signature, f.doc) for f in FUNCTIONS.values()]
