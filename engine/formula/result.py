"""The outcome of a run, identical in shape for both engines so one writer serves both."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

DECIMAL = pl.Decimal(38, 10)


@dataclass(frozen=True)
class RunResult:
    """employee_ref, one Decimal(38,10) column per step in display order (null where the row failed), error."""

    frame: pl.DataFrame
    engine: str
    guarded: bool = False  # vectorized only: the batch needed the per-row overflow guards

    @property
    def error_count(self) -> int:
        return int(self.frame["error"].is_not_null().sum())

    def error_rows(self) -> pl.DataFrame:
        return self.frame.filter(pl.col("error").is_not_null()).select("employee_ref", "error")


def result_schema(display: tuple[str, ...]) -> dict[str, pl.DataType]:
    return {"employee_ref": pl.String(), **{name: DECIMAL for name in display}, "error": pl.String()}
