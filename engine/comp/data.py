"""Employee input rows (typed in a test-vector form, or read from an uploaded sample) to the typed
frame the formula engines run on.

A row is a mapping of input key → value (text, a JSON integer or boolean; never a float). Empty
values take the plan input's default (text inputs without one are empty text); anything else is
read exactly as the formula engine reads DATA.csv (engine.formula.table.read_csv: one parser), then
checked against the catalog's validation rules and transformed. A bad value is a `SampleError`
naming the row (counted from 1) and the input.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from engine.comp.spec import InputSpec, parse_value
from engine.formula import decimals as dec
from engine.formula.errors import InputDataError, RowError
from engine.formula.result import DECIMAL
from engine.formula.table import read_csv
from engine.formula.validator import CompiledPlan

MAX_VECTOR_ROWS = 50  # test vectors: every row gets its calculation tape
MAX_SAMPLE_ROWS = 2_000  # impact preview sample (each mover's tape of a plan with total() reads every row)
REF = "employee_ref"


class SampleError(ValueError):
    """A row's value cannot be used: `row` counts from 1, `column` is the input key (or employee_ref)."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"input '{column}'")
        super().__init__((", ".join(where) + ": " if where else "") + message)
        self.message = message
        self.row = row
        self.column = column

    @property
    def field(self) -> str:
        """The 422 `fields` key: rows.<n>.<column>."""
        parts = ["rows"] + ([str(self.row)] if self.row is not None else []) + ([self.column] if self.column else [])
        return ".".join(parts)


def _text(value: Any, row: int, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return dec.to_text(value) if value.is_finite() else str(value)
    raise SampleError(
        'write numbers as text ("1234.50") or whole JSON numbers, never decimals in JSON', row=row, column=key
    )


def _cells(inputs: Sequence[InputSpec], rows: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    table: list[list[str]] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, 1):
        ref = _text(row.get(REF), n, REF)
        ref = ref.strip() if ref is not None else ""
        ref = ref or str(n)
        if ref in seen:
            raise SampleError(f"employee_ref '{ref}' is also row {seen[ref]}", row=n, column=REF)
        seen[ref] = n
        cells = [ref]
        for inp in inputs:
            value = _text(row.get(inp.key), n, inp.key)
            if value is None or value.strip() == "":
                if inp.default is not None:
                    value = inp.default
                elif inp.dtype == "text":
                    value = ""
                else:
                    raise SampleError(f"no value, and the plan gives '{inp.key}' no default", row=n, column=inp.key)
            cells.append(value if inp.dtype == "text" else value.strip())
        table.append(cells)
    return table


def _read(inputs: Sequence[InputSpec], table: list[list[str]], compiled: CompiledPlan) -> pl.DataFrame:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([REF, *(i.key for i in inputs)])
    writer.writerows(table)
    try:
        return read_csv(buf.getvalue().encode("utf-8"), compiled)
    except InputDataError as exc:
        prefix = []
        if exc.row is not None:
            prefix.append(f"row {exc.row} (line {exc.row + 1} of the file)")
        if exc.column is not None:
            prefix.append(f"column '{exc.column}'")
        message = str(exc).removeprefix(", ".join(prefix) + ": ") if prefix else str(exc)
        raise SampleError(message, row=exc.row, column=exc.column) from None


def _check_rules(inp: InputSpec, series: pl.Series) -> None:
    rules = inp.rules or {}
    values = series.to_list()
    low = parse_value(inp.dtype, rules["min"]) if "min" in rules else None
    high = parse_value(inp.dtype, rules["max"]) if "max" in rules else None
    for n, value in enumerate(values, 1):
        if value is None:
            continue
        if low is not None and value < low:
            raise SampleError(f"{_shown(value)} is below the minimum {rules['min']}", row=n, column=inp.key)
        if high is not None and value > high:
            raise SampleError(f"{_shown(value)} is above the maximum {rules['max']}", row=n, column=inp.key)
        if "choices" in rules and value not in rules["choices"]:
            raise SampleError(f"'{value}' is not one of: {', '.join(rules['choices'])}", row=n, column=inp.key)
        if "max_length" in rules and len(value) > rules["max_length"]:
            raise SampleError(f"is longer than {rules['max_length']} characters", row=n, column=inp.key)


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        text = dec.to_text(value)
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _transform(inp: InputSpec, series: pl.Series) -> pl.Series:
    t = inp.transform
    if t == "none":
        return series
    if inp.dtype == "text":
        ops = {"trim": series.str.strip_chars(), "lower": series.str.to_lowercase(), "upper": series.str.to_uppercase()}
        return ops[t]
    fn = {
        "percent_to_ratio": dec.pct,
        "ratio_to_percent": lambda x: dec.mul(x, dec.HUNDRED),
        "abs": lambda x: dec.fix(abs(x)),
        "negate": dec.neg,
        "round2": dec.round2,
    }[t]
    out = []
    for n, value in enumerate(series.to_list(), 1):
        try:
            out.append(None if value is None else fn(value))
        except RowError as exc:
            raise SampleError(f"transform '{t}' failed: {exc.message}", row=n, column=inp.key) from None
    return pl.Series(series.name, out, dtype=DECIMAL)


def sample_frame(
    inputs: Sequence[InputSpec], rows: Sequence[Mapping[str, Any]], compiled: CompiledPlan
) -> pl.DataFrame:
    """The typed frame of `rows` for a plan whose inputs are `inputs` (defaults, rules, transforms)."""
    frame = _read(inputs, _cells(inputs, rows), compiled)
    columns = []
    for inp in inputs:
        series = frame[inp.key]
        _check_rules(inp, series)
        columns.append(_transform(inp, series))
    return frame.with_columns(columns) if columns else frame


def rows_from_table(
    header: Sequence[str], cells: Sequence[Sequence[str]], inputs: Sequence[InputSpec], ref_column: str = REF
) -> list[dict[str, str | None]]:
    """Rows of a file (header + cells) as input-key mappings: each input read from its source
    column (its key by default). A missing column is fine for an input with a default; the
    employee_ref column is required."""
    index = {name: i for i, name in enumerate(header)}
    if ref_column not in index:
        raise SampleError(f"the file has no '{ref_column}' column (the employee reference)")
    missing = [i.column for i in inputs if i.column not in index and i.default is None]
    if missing:
        raise SampleError(f"the file lacks the column(s): {', '.join(missing)}")
    rows: list[dict[str, str | None]] = []
    for line in cells:
        row: dict[str, str | None] = {REF: line[index[ref_column]] if index[ref_column] < len(line) else None}
        for inp in inputs:
            at = index.get(inp.column)
            row[inp.key] = line[at] if at is not None and at < len(line) else None
        rows.append(row)
    return rows
