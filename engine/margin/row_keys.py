"""The row key of an imported observation, computed in the worker instead of by PostgreSQL.

A row's id is `md5(concat_ws('|', quote_nullable(v1), …, quote_nullable(tenant_id)))::uuid` over
its typed values, instants in UTC (models/margin/import_loaders.py). The SQL form is what every row
imported so far was keyed with; this module yields the same bytes from the Polars frame, so a
re-import keeps deduping against rows imported by any earlier version
(tests/integration/margin/test_row_keys.py compares the two on generated rows). Why: at 1M rows the
text forms and md5s were ~2 s of the merge's single PostgreSQL backend while the worker's core
idled.

Only the types whose PostgreSQL text form is known exactly here are keyed: uuid (canonical text),
numeric of a fixed scale (a Polars Decimal of that scale), integer, varchar(n) (values of at most n
characters) and timestamptz (whole seconds, years 1–9999). For anything else `row_ids` returns None
and the merge keys the rows in SQL, as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

UUID_TEXT = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


@dataclass(frozen=True)
class KeyField:
    """One keyed column and its PostgreSQL type: kind is uuid, numeric, integer, varchar or instant;
    `size` is the numeric's scale or the varchar's length."""

    column: str
    kind: str
    size: int | None = None


def _quoted(text: pl.Expr) -> pl.Expr:
    """quote_nullable: NULL, or the text in single quotes with quotes doubled (a text holding a
    backslash takes the E'' form, backslashes doubled)."""
    doubled = text.str.replace_all("'", "''", literal=True)
    escaped = doubled.str.replace_all("\\", "\\\\", literal=True)
    plain = pl.concat_str([pl.lit("'"), doubled, pl.lit("'")])
    with_backslash = pl.concat_str([pl.lit("E'"), escaped, pl.lit("'")])
    quoted = pl.when(text.str.contains("\\", literal=True)).then(with_backslash).otherwise(plain)
    return quoted.fill_null(pl.lit("NULL"))


def _text(frame: pl.DataFrame, field: KeyField) -> pl.Expr | None:
    """The column's PostgreSQL text form, or None when this module cannot be sure of it."""
    series, c = frame.get_column(field.column), pl.col(field.column)
    if series.null_count() == series.len():
        return pl.repeat(None, frame.height, dtype=pl.String)  # NULL reads the same whatever its type
    dtype = series.dtype
    values = series.drop_nulls()
    if field.kind == "uuid":
        ok = dtype == pl.String and bool(values.str.contains(UUID_TEXT).all())
        return c if ok else None
    if field.kind == "numeric":
        ok = isinstance(dtype, pl.Decimal) and dtype.scale == field.size
        return c.cast(pl.String) if ok else None
    if field.kind == "integer":
        return c.cast(pl.String) if dtype.is_integer() else None
    if field.kind == "varchar":
        ok = dtype == pl.String and field.size is not None and bool((values.str.len_chars() <= field.size).all())
        return c if ok else None
    if field.kind == "instant":
        if not (isinstance(dtype, pl.Datetime) and dtype.time_zone is not None):
            return None
        utc = values.dt.convert_time_zone("UTC")
        whole = bool((utc.dt.microsecond() == 0).all()) and bool(utc.dt.year().is_between(1, 9999).all())
        return c.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S+00") if whole else None
    return None


def row_ids(frame: pl.DataFrame, fields: Sequence[KeyField], tenant_id: str) -> pl.Series | None:
    """The md5 key of every row of `frame` (32 hex digits, which PostgreSQL reads as a uuid), from
    the `fields` in key order and the tenant; None if a field's text form is not known exactly."""
    texts = [_text(frame, f) for f in fields]
    if not texts or any(t is None for t in texts):
        return None
    parts = [_quoted(t) for t in texts if t is not None]
    tenant = pl.lit("'" + tenant_id + "'")
    joined = frame.select(pl.concat_str([*parts, tenant], separator="|").alias("key")).to_series()
    return pl.Series("id", [hashlib.md5(t.encode(), usedforsecurity=False).hexdigest() for t in joined])
