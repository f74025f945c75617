"""Reference checks of an import, set-based: a column's distinct values are resolved once each, never
row by row, and an unknown one gets a "did you mean" hint from the tenant's own names and codes.

Pure: the caller (models/margin/import_loaders.py) loads the tenant's dealers, SKUs and channels
into `RefIndex`es; everything here works on Polars frames and those indexes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl
from rapidfuzz import fuzz, process, utils

from engine.imports.targets import RowIssue

SUGGEST_CUTOFF = 75  # rapidfuzz WRatio (0..100): below it, no hint rather than a wrong one
MAX_SUGGESTED = 1000  # distinct unknown values that get a hint; beyond that, the message alone
WHOLE_ROW = "(row)"

_SPACES = re.compile(r"\s+")


def normalize(value: str) -> str:
    """How a code or name is compared: trimmed, inner spaces collapsed, case-folded."""
    return _SPACES.sub(" ", value.strip()).casefold()


@dataclass(frozen=True)
class Ref:
    id: str
    code: str
    name: str


class RefIndex:
    """One kind of reference of one tenant (dealers, SKUs, ...): found by code, or by name when
    `by_name` (a name two rows share is ambiguous: the code is asked for)."""

    def __init__(self, noun: str, refs: Iterable[Ref], *, by_name: bool = True) -> None:
        self.noun = noun
        self.by_name = by_name
        self._code: dict[str, str] = {}
        self._name: dict[str, list[Ref]] = {}
        self._choices: list[str] = []
        for ref in refs:
            self._code[normalize(ref.code)] = ref.id
            self._choices.append(ref.code)
            if by_name:
                self._name.setdefault(normalize(ref.name), []).append(ref)
                self._choices.append(ref.name)

    def find(self, value: str) -> str | None:
        key = normalize(value)
        if key in self._code:
            return self._code[key]
        named = self._name.get(key, [])
        return named[0].id if len(named) == 1 else None

    def ambiguous(self, value: str) -> list[Ref]:
        named = self._name.get(normalize(value), [])
        return named if len(named) > 1 and normalize(value) not in self._code else []

    def suggest(self, value: str) -> str | None:
        """The closest name or code of this tenant, when close enough to be worth saying."""
        if not self._choices:
            return None
        found = process.extractOne(
            value, self._choices, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=SUGGEST_CUTOFF
        )
        return None if found is None else str(found[0])

    def problem(self, value: str) -> tuple[str, str]:
        """(message, hint) for a value `find` did not resolve."""
        twins = self.ambiguous(value)
        if twins:
            codes = ", ".join(sorted(r.code for r in twins))
            return f"{self.noun} name '{value}' is shared by {len(twins)} organizations", f"write the code ({codes})"
        guess = self.suggest(value)
        return f"{self.noun} '{value}' not found", (f"did you mean '{guess}'?" if guess else "")


def resolve(frame: pl.DataFrame, column: str, index: RefIndex) -> pl.Series:
    """The id for every row's value of `column` (null when blank or unknown), one lookup per distinct value."""
    values = frame.get_column(column).cast(pl.String)
    mapping = {v: index.find(v) for v in values.drop_nulls().unique().to_list()}
    return values.replace_strict(mapping, default=None, return_dtype=pl.String).alias(f"{column}_id")


def reference_issues(frame: pl.DataFrame, column: str, index: RefIndex) -> list[RowIssue]:
    """One issue per row whose `column` names nothing of the tenant's; hints computed once per value."""
    ids = resolve(frame, column, index)
    bad = frame.select("__row", pl.col(column).cast(pl.String)).filter(pl.col(column).is_not_null() & ids.is_null())
    if bad.height == 0:
        return []
    explained: dict[str, tuple[str, str]] = {}
    for n, value in enumerate(bad.get_column(column).unique(maintain_order=True).to_list()):
        message, hint = index.problem(value) if n < MAX_SUGGESTED else (f"{index.noun} '{value}' not found", "")
        explained[value] = (message, hint)
    return [
        RowIssue(row=row, column=column, value=value, message=explained[value][0], hint=explained[value][1])
        for row, value in bad.iter_rows()
    ]


def duplicate_issues(frame: pl.DataFrame, fields: Sequence[str]) -> list[RowIssue]:
    """Rows equal in every field to an earlier row of the file (the first one stays valid)."""
    if frame.height < 2:
        return []
    keyed = frame.select("__row", pl.struct(list(fields)).alias("__key"))
    keyed = keyed.filter(pl.col("__key").is_duplicated())  # one hashing pass; the rest only for twins
    if keyed.height == 0:
        return []
    firsts = keyed.group_by("__key", maintain_order=True).agg(pl.col("__row").min().alias("__first"))
    dupes = keyed.join(firsts, on="__key", nulls_equal=True).filter(pl.col("__row") != pl.col("__first"))
    return [
        RowIssue(
            row=row,
            column=WHOLE_ROW,
            value="",
            message=f"the same row as row {first}",
            hint="remove one of the two rows (an import adds every row it is given)",
        )
        for row, first in dupes.select("__row", "__first").sort("__row").iter_rows()
    ]


def rule_issues(frame: pl.DataFrame, condition: pl.Expr, column: str, message: str, hint: str = "") -> list[RowIssue]:
    """One issue per row where `condition` holds (a negative quantity, a row without any price, ...)."""
    bad = frame.filter(condition).select("__row", pl.col(column).cast(pl.String))
    return [
        RowIssue(row=row, column=column, value=value or "", message=message, hint=hint)
        for row, value in bad.iter_rows()
    ]
