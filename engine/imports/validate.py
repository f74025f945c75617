"""Mapped cells typed into a Polars frame (Decimal(38,10), Date, Datetime UTC, Int64, String).

The common case is typed in bulk (one regular expression and one cast per column and batch); only
the cells that fail go through the per-cell parsers of `engine.imports.types`, which write the
report's message and fix hint. Text is stored exactly as written, formula triggers included (every
export neutralises them: engine/csv_safety.py). Money never passes through float.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import polars as pl

from engine.imports.reader import LineBlock, Row, SourceTable
from engine.imports.targets import ImportTarget, RowIssue, TargetField
from engine.imports.types import MAX_INTEGER_DIGITS, MAX_SCALE, CellProblem, parse_cell
from engine.text import control_error

ROW = "__row"
BATCH_ROWS = 100_000
DECIMAL_PATTERN = rf"^-?\d{{1,{MAX_INTEGER_DIGITS}}}(?:\.\d{{1,{MAX_SCALE}}})?$"
INTEGER_PATTERN = r"^-?\d{1,18}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
CURRENCY_PATTERN = r"^[A-Za-z]{3}$"
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
DECIMAL = pl.Decimal(38, 10)


class MappingError(ValueError):
    """The mapping cannot be used; `fields` names each offending target field (or column)."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def check_mapping(target: ImportTarget, header: Iterable[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """`{target_field: source_column}` checked against the target and the file; raises naming fields."""
    columns = set(header)
    problems: dict[str, str] = {}
    names = {f.name for f in target.fields}
    used: dict[str, str] = {}
    for name, column in mapping.items():
        if name not in names:
            problems[name] = f"{target.name} has no field {name!r} (fields: {', '.join(sorted(names))})"
        elif column not in columns:
            problems[name] = f"the file has no column {column!r}"
        elif column in used:
            problems[name] = f"column {column!r} is already mapped to {used[column]!r}"
        else:
            used[column] = name
    for f in target.fields:
        if f.required and f.name not in mapping and f.name not in problems:
            problems[f.name] = f"{f.label} is required: choose the column that holds it"
    if problems:
        raise MappingError(problems)
    return dict(mapping)


@dataclass
class TypedBatch:
    frame: pl.DataFrame  # one column per mapped field (typed) plus __row; only rows without issues
    issues: list[RowIssue] = field(default_factory=list)
    rows: int = 0  # rows read in this batch


def _polars_type(target_field: TargetField) -> pl.DataType:
    kind = target_field.kind
    if kind in ("money", "decimal"):
        return DECIMAL
    if kind == "integer":
        return pl.Int64()
    if kind == "date":
        return pl.Date()
    if kind == "instant":
        return pl.Datetime("us", "UTC")
    return pl.String()


def empty_frame(target: ImportTarget, mapping: Mapping[str, str]) -> pl.DataFrame:
    """No rows, the typed frame's columns: __row and every target field (Loader contract)."""
    schema = {f.name: _polars_type(f) for f in target.fields}
    return pl.DataFrame(schema={ROW: pl.Int64(), **schema})


def _typed_expr(target_field: TargetField) -> tuple[pl.Expr, pl.Expr]:
    """(the typed value, whether a non-empty cell is valid) for one field's raw String column."""
    name, kind = target_field.name, target_field.kind
    raw = pl.col(name)
    text = raw if kind == "text" else raw.str.strip_chars()
    if kind in ("money", "decimal"):
        ok = text.str.contains(DECIMAL_PATTERN)
        return pl.when(ok).then(text).otherwise(None).cast(DECIMAL), ok
    if kind == "integer":
        ok = text.str.contains(INTEGER_PATTERN)
        return pl.when(ok).then(text).otherwise(None).cast(pl.Int64), ok
    if kind == "date":
        value = (
            pl.when(text.str.contains(DATE_PATTERN)).then(text).otherwise(None).str.to_date("%Y-%m-%d", strict=False)
        )
        return value, value.is_not_null()
    if kind == "currency":
        ok = text.str.contains(CURRENCY_PATTERN)
        return text.str.to_uppercase(), ok
    ok = ~text.str.contains(CONTROL_PATTERN)
    if target_field.max_length is not None:
        ok = ok & (text.str.len_chars() <= target_field.max_length)
    return text, ok


def _cell_problem(target_field: TargetField, value: str) -> CellProblem:
    if control_error(value):
        return CellProblem("the cell contains a control character", "remove it (it is invisible in most editors)")
    parsed = parse_cell(target_field.kind, value, target_field.max_length)
    return parsed if isinstance(parsed, CellProblem) else CellProblem(f"{value!r} is not valid here")


def _instants(target_field: TargetField, frame: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    values, oks = [], []
    for value in frame[target_field.name].to_list():
        parsed = parse_cell("instant", value) if value else None
        values.append(None if isinstance(parsed, CellProblem) else parsed)
        oks.append(not isinstance(parsed, CellProblem))
    return pl.Series(target_field.name, values, dtype=pl.Datetime("us", "UTC")), pl.Series(oks)


def _ragged(rows: list[Row], width: int) -> list[RowIssue]:
    return [
        RowIssue(
            row.line,
            "",
            "",
            f"the row has {len(row.cells)} cells, the header {width}",
            "check the quotes and separators",
        )
        for row in rows
        if len(row.cells) > width and any(c.strip() for c in row.cells[width:])
    ]


def _raw_frame(rows: list[Row], width: int, index: Mapping[str, int]) -> pl.DataFrame:
    """The mapped cells as String columns: one transposition (zip) instead of a pass per column."""
    padded = [r.cells if len(r.cells) >= width else r.cells + ("",) * (width - len(r.cells)) for r in rows]
    transposed = list(zip(*padded, strict=False)) if padded else [()] * width
    data: dict[str, Any] = {ROW: [r.line for r in rows]}
    data |= {name: transposed[i] for name, i in index.items()}
    return pl.DataFrame(data, schema={ROW: pl.Int64(), **dict.fromkeys(index, pl.String())})


def _cell_issues(f: TargetField, column: str, bad: pl.DataFrame) -> list[RowIssue]:
    issues = []
    for line, cell in zip(bad[ROW].to_list(), bad[f.name].to_list(), strict=True):
        problem = _cell_problem(f, cell)
        issues.append(RowIssue(line, column, cell, problem.message, problem.hint))
    return issues


def _line_frame(block: LineBlock, width: int, index: Mapping[str, int], delimiter: str) -> tuple[pl.DataFrame, list]:
    """A LineBlock's mapped cells as String columns (one Polars split, no Python per cell), and
    the ragged rows' issues (more cells than the header, the extra ones not blank)."""
    lines = pl.Series("line", block.lines, dtype=pl.String())
    cells = lines.str.split(delimiter)
    frame = pl.DataFrame({ROW: pl.Series(block.numbers, dtype=pl.Int64()), "__cells": cells})
    raw = frame.select(
        ROW,
        *(pl.col("__cells").list.get(i, null_on_oob=True).fill_null("").alias(name) for name, i in index.items()),
    )
    counts = cells.list.len()
    issues = []
    if (counts > width).any():
        long = frame.filter(counts > width)
        rows = [Row(line, tuple(c)) for line, c in zip(long[ROW].to_list(), long["__cells"].to_list(), strict=True)]
        issues = _ragged(rows, width)
    return raw, issues


def type_batch(
    target: ImportTarget,
    header: tuple[str, ...],
    mapping: Mapping[str, str],
    rows: list[Row] | LineBlock,
    delimiter: str = ",",
) -> TypedBatch:
    """Type one batch; every failing cell becomes a RowIssue and its row leaves the frame."""
    width = len(header)
    index = {name: header.index(column) for name, column in mapping.items()}
    if isinstance(rows, LineBlock):
        raw, issues = _line_frame(rows, width, index, delimiter)
        count = len(rows.lines)
    else:
        issues = _ragged(rows, width)
        raw = _raw_frame(rows, width, index)
        count = len(rows)
    fields = [f for f in target.fields if f.name in mapping]
    exprs: list[pl.Expr] = [pl.col(ROW)]
    for f in fields:
        empty = pl.col(f.name).str.strip_chars() == ""
        exprs.append(empty.alias(f"{f.name}__empty"))
        if f.kind != "instant":
            value, ok = _typed_expr(f)
            exprs += [pl.when(empty).then(None).otherwise(value).alias(f"{f.name}__value"), ok.alias(f"{f.name}__ok")]
    checked = raw.select(exprs)  # one pass over the batch for every field
    columns: list[pl.Series] = [raw[ROW]]
    for f in fields:
        empty = checked[f"{f.name}__empty"]
        if f.kind == "instant":
            typed, ok = _instants(f, raw)
            typed = typed.zip_with(~empty, pl.Series(f.name, [None] * len(raw), dtype=typed.dtype))
        else:
            typed, ok = checked[f"{f.name}__value"].alias(f.name), checked[f"{f.name}__ok"]
        bad = raw.filter(~empty & ~ok.fill_null(False))
        if bad.height:
            issues += _cell_issues(f, mapping[f.name], bad)
        if f.required and empty.any():
            issues += [
                RowIssue(line, mapping[f.name], "", f"{f.label} is empty", f"fill in the {f.label}")
                for line in raw.filter(empty)[ROW].to_list()
            ]
        columns.append(typed.alias(f.name))
    # one column per target field (the Loader contract): an unmapped optional field is all null
    columns += [
        pl.Series(f.name, [None] * len(raw), dtype=_polars_type(f)) for f in target.fields if f.name not in mapping
    ]
    frame = pl.DataFrame(columns).select(ROW, *(f.name for f in target.fields))
    if issues:
        frame = frame.filter(~pl.col(ROW).is_in(sorted({i.row for i in issues})))
    issues.sort(key=lambda i: (i.row, i.column))
    return TypedBatch(frame, issues, count)


def type_rows(
    target: ImportTarget,
    header: tuple[str, ...],
    mapping: Mapping[str, str],
    rows: Iterable[Row],
    batch_rows: int = BATCH_ROWS,
) -> Iterator[TypedBatch]:
    """The rows in typed batches of `batch_rows` (memory stays flat for a 250 MB file)."""
    check_mapping(target, header, mapping)
    iterator = iter(rows)
    while batch := list(islice(iterator, batch_rows)):
        yield type_batch(target, header, mapping, batch)


def type_table(
    target: ImportTarget,
    table: SourceTable,
    mapping: Mapping[str, str],
    batch_rows: int = BATCH_ROWS,
    block_bytes: int | None = None,
) -> Iterator[TypedBatch]:
    """A table's rows in typed batches: a CSV's plain stretches split in Polars (LineBlocks), the
    rest (quoted fields, XLSX) row by row — one result either way."""
    check_mapping(target, table.header, mapping)
    for batch in table.batches(batch_rows, block_bytes):
        yield type_batch(target, table.header, mapping, batch, table.delimiter)
