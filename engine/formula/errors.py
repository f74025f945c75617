"""Errors of the formula engine, kept apart from evaluation so every layer can raise and format them.

Plan authors read these messages, so each carries where (step, field, line, column) and what to fix.
Row errors are different: they are data, not exceptions of the run (see RowError).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in a plan, located as precisely as we know."""

    message: str
    step: str | None = None
    field: str | None = None  # "expr" or "condition"
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = []
        if self.step is not None:
            where.append(f"step '{self.step}'" + (f" ({self.field})" if self.field else ""))
        if self.line is not None:
            where.append(f"line {self.line}, column {self.column}")
        return (", ".join(where) + ": " if where else "") + self.message


class FormulaError(Exception):
    """Base of every error the engine raises on purpose."""


class ExpressionError(FormulaError):
    """A single expression failed to parse or validate (no step context yet)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def issue(self, step: str | None = None, field: str | None = None) -> Issue:
        return Issue(self.message, step, field, self.line, self.column)


class PlanError(FormulaError):
    """A plan is invalid; carries every issue found, not only the first."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class InputDataError(FormulaError):
    """Input data does not match the plan's input schema; names the row and column.

    `row` counts data rows from 1 (the header is line 1 of the file, so row N is line N + 1).
    """

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        where = []
        if row is not None:
            where.append(f"row {row} (line {row + 1} of the file)")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__((", ".join(where) + ": " if where else "") + message)
        self.row = row
        self.column = column


class RowError(Exception):
    """A row-level evaluation failure (division by zero, overflow); stops that row only."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
