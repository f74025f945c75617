"""Input data in and results out: CSV read with an explicit schema from the plan, CSV written exactly.

Both engines take the same typed frame (so they cannot disagree about parsing) and both results go
through the same writer (so equal values give equal bytes). Numbers never pass through float.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import IO

import polars as pl

from engine.formula.errors import InputDataError
from engine.formula.result import DECIMAL, RunResult
from engine.formula.validator import CompiledPlan

_DECIMAL_RE = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_INT_RE = r"^[+-]?[0-9]+$"
_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TRUE = ("true", "1")
_FALSE = ("false", "0")


def input_schema(compiled: CompiledPlan) -> dict[str, pl.DataType]:
    """The typed frame both engines expect: employee_ref, then every declared input."""
    kinds = {"decimal": DECIMAL, "int": DECIMAL, "bool": DECIMAL, "text": pl.String(), "date": pl.Date()}
    return {"employee_ref": pl.String(), **{k: kinds[d] for k, d in compiled.input_dtypes.items()}}


def read_csv(source: str | Path | bytes, compiled: CompiledPlan) -> pl.DataFrame:
    """Read DATA.csv as text, then convert each declared input column exactly; name the first bad cell.

    Rows are numbered from 1 after the header (InputDataError adds the file line). Extra columns are ignored.
    """
    data = Path(source).read_bytes() if not isinstance(source, bytes) else source
    try:
        raw = pl.read_csv(io.BytesIO(data), infer_schema=False, has_header=True)
    except Exception as exc:  # noqa: BLE001 - any reader failure is one user-facing message
        raise InputDataError(f"the file is not a readable CSV ({str(exc).splitlines()[0][:200]})") from None
    missing = [c for c in input_schema(compiled) if c not in raw.columns]
    if missing:
        raise InputDataError(f"the header lacks the column(s): {', '.join(missing)}")
    out = {"employee_ref": _employee_ref(raw["employee_ref"])}
    for key, dtype in compiled.input_dtypes.items():
        out[key] = _convert(raw[key], dtype, key)
    return pl.DataFrame(out, schema=input_schema(compiled))


def _fail(raw: pl.Series, bad: pl.Series, column: str, what: str) -> None:
    idx = bad.fill_null(True).arg_true()
    if len(idx):
        i = int(idx[0])
        cell = raw[i]
        shown = "an empty cell" if cell is None or cell == "" else f"'{cell[:60]}'"
        raise InputDataError(f"{shown} is not {what}", row=i + 1, column=column)


def _employee_ref(raw: pl.Series) -> pl.Series:
    _fail(raw, raw.is_null() | (raw == ""), "employee_ref", "an employee reference")
    dup = raw.is_duplicated()
    if dup.any():
        i = int(dup.arg_true()[0])
        raise InputDataError(f"employee_ref '{raw[i]}' appears more than once", row=i + 1, column="employee_ref")
    return raw


def _convert(raw: pl.Series, dtype: str, key: str) -> pl.Series:
    if dtype == "text":
        return raw.fill_null("")
    if dtype == "date":
        parsed = raw.str.to_date("%Y-%m-%d", strict=False)
        _fail(raw, ~raw.str.contains(_DATE_RE) | parsed.is_null(), key, "a date (YYYY-MM-DD)")
        return parsed
    if dtype == "bool":
        low = raw.str.to_lowercase()
        _fail(raw, ~low.is_in(_TRUE + _FALSE), key, "a boolean (true, false, 1 or 0)")
        return pl.select(
            pl.when(pl.lit(low).is_in(_TRUE)).then(pl.lit(1)).otherwise(pl.lit(0)).cast(DECIMAL)
        ).to_series()
    pattern, what = (_INT_RE, "a whole number") if dtype == "int" else (_DECIMAL_RE, "a decimal number")
    parsed = raw.cast(DECIMAL, strict=False)
    _fail(raw, ~raw.str.contains(pattern), key, what)
    _fail(raw, parsed.is_null(), key, f"{what} with at most 28 digits before the point")
    return parsed


def write_csv(result: RunResult, target: str | Path | IO[str] | IO[bytes]) -> None:
    """OUT.csv: employee_ref, steps in display order with exactly 10 decimals (empty if failed), error."""
    result.frame.write_csv(target)


def to_csv_bytes(result: RunResult) -> bytes:
    buf = io.BytesIO()
    write_csv(result, buf)
    return buf.getvalue()


def data_hash(frame: pl.DataFrame) -> str:
    """SHA-256 of the typed input frame written as CSV: stable across re-reads of equivalent files."""
    buf = io.BytesIO()
    frame.write_csv(buf)
    return hashlib.sha256(buf.getvalue()).hexdigest()
