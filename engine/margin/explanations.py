"""The lost-margin explanation (MAP/MRP) of many alerts at once, in Polars: what a scan needs for
its thousands of new alerts. `engine.margin.impact.explain` stays the reference (and what attach
and "why?" use); `lost_margin_explanations` returns, per alert, exactly its `as_dict()`: the same
term texts, values, total and rendered line, character for character (tests/unit/engine/margin/
test_explanations.py compares the two). Decimal text follows Python's `str(Decimal)` of a scale-10
value (plain, or "5.000E-7" below 10⁻⁶) and `fmt` (no trailing zeros, at least two decimals).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from engine.margin.frames import MONEY
from engine.margin.impact import EvidenceRow, explain_lost_margin

FORMULA = "Σ qty × (floor − price)"  # explain_lost_margin's formula
_SCALE = 10


def decimal_text(expr: pl.Expr) -> pl.Expr:
    """`str(Decimal)` of scale-10 values: Polars' plain text, or scientific below 10⁻⁶ (fewer than 5
    coefficient digits), e.g. 0 → "0E-10", 0.0000005 → "5.000E-7"."""
    plain = expr.cast(pl.String)
    digits = plain.str.strip_prefix("-").str.replace(".", "", literal=True).str.strip_chars_start("0")
    digits = pl.when(digits == "").then(pl.lit("0")).otherwise(digits)
    size = digits.str.len_chars().cast(pl.Int32)
    sign = pl.when(plain.str.starts_with("-")).then(pl.lit("-")).otherwise(pl.lit(""))
    fraction = pl.when(size > 1).then(pl.lit(".") + digits.str.slice(1)).otherwise(pl.lit(""))
    scientific = pl.concat_str(sign, digits.str.slice(0, 1), fraction, pl.lit("E"), (size - 1 - _SCALE).cast(pl.String))
    return pl.when(size > 4).then(plain).otherwise(scientific)  # Decimal prints plain from 10⁻⁶ up


def fmt_text(expr: pl.Expr) -> pl.Expr:
    """`impact.fmt` of Decimal values: plain notation, trailing zeros dropped, at least two decimals."""
    parts = expr.cast(pl.String).str.split_exact(".", 1)
    whole, fraction = parts.struct.field("field_0"), parts.struct.field("field_1").fill_null("")
    return pl.concat_str(whole, pl.lit("."), fraction.str.strip_chars_end("0").str.pad_end(2, "0"))


def _terms(rows: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    gap = pl.col("floor") - pl.col("price")
    value = pl.col("qty").cast(MONEY) * gap
    # Decimal signs a zero product by its factors (0 × −1 = −0E-10); a column's zero has no sign
    signed_zero = (value == 0) & ((pl.col("qty") < 0) != (gap < 0))
    return (
        rows.sort([*keys, "evidence_id"])
        .with_columns(value.alias("value"), signed_zero.alias("signed_zero"))
        .select(
            *keys,
            "evidence_id",
            "value",
            pl.col("qty").cast(pl.String).alias("qty_text"),
            decimal_text(pl.col("floor")).alias("floor_text"),
            decimal_text(pl.col("price")).alias("price_text"),
            pl.when("signed_zero").then(pl.lit("-0E-10")).otherwise(decimal_text(pl.col("value"))).alias("value_text"),
            pl.concat_str(
                pl.col("qty").cast(pl.String),
                pl.lit(" × ("),
                fmt_text(pl.col("floor")),
                pl.lit(" − "),
                fmt_text(pl.col("price")),
                pl.lit(")"),
            ).alias("text"),
        )
    )


def _rendered(max_terms: int) -> pl.Expr:
    count = pl.col("text").list.len()
    shown = pl.col("text").list.head(max_terms).list.join(" + ")
    more = pl.when(count > max_terms).then(pl.format(" + … ({} more)", count - max_terms)).otherwise(pl.lit(""))
    return pl.concat_str(pl.lit(f"{FORMULA} = "), shown, more, pl.lit(" = "), fmt_text(pl.col("total")))


def lost_margin_explanations(
    rows: pl.DataFrame, keys: Sequence[str], *, max_terms: int = 12
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """`explain(rule, rows).as_dict()` per group of `keys` (which include "rule": MAP or MRP) over
    `rows` (evidence_id, qty, floor, price; money Decimal(38,10)). A value beyond Decimal(38,10)
    (the scalar form computes in 80 digits) or a missing floor (the scalar form names the row)
    sends every group to the scalar form."""
    if rows.height == 0:
        return {}
    if rows["floor"].null_count():
        return _scalar(rows, keys, max_terms)
    try:
        return vectorized(rows, keys, max_terms=max_terms)
    except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):  # overflow of Decimal(38,10)
        return _scalar(rows, keys, max_terms)


def vectorized(
    rows: pl.DataFrame, keys: Sequence[str], *, max_terms: int = 12
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """`lost_margin_explanations` all in Polars: raises when a value overflows Decimal(38,10)."""
    grouped = (
        _terms(rows, keys)
        .group_by(keys, maintain_order=True)
        .agg(pl.all().exclude(keys), pl.col("value").sum().alias("total"))
        .with_columns(decimal_text(pl.col("total")).alias("total_text"), _rendered(max_terms).alias("rendered"))
    )
    rule = list(keys).index("rule")
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    names = [*keys, "evidence_id", "qty_text", "floor_text", "price_text", "value_text", "text"]
    for group in grouped.select(*names, "total_text", "rendered").iter_rows():
        key, (ids, qty, floor, price, value, text, total, rendered) = group[: len(keys)], group[len(keys) :]
        out[key] = {
            "rule": key[rule],
            "formula": FORMULA,
            "terms": [
                {"evidence_id": e, "values": {"qty": q, "floor": f, "price": p}, "value": v, "text": t}
                for e, q, f, p, v, t in zip(ids, qty, floor, price, value, text, strict=True)
            ],
            "total": total,
            "rendered": rendered,
        }
    return out


def _scalar(rows: pl.DataFrame, keys: Sequence[str], max_terms: int) -> dict[tuple[Any, ...], dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for key, group in rows.group_by(keys, maintain_order=True):
        rule = key[list(keys).index("rule")]
        evidence = [
            EvidenceRow(r["evidence_id"], r["qty"], r["price"], r["floor"]) for r in group.iter_rows(named=True)
        ]
        out[key] = explain_lost_margin(str(rule), evidence, max_terms=max_terms).as_dict()
    return out
