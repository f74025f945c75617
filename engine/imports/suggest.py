"""Which source column most likely feeds each target field, with a confidence from 0 to 1.

The name score is rapidfuzz's best match of the normalised header against the field's name, label
and aliases (camelCase, snake_case and punctuation all become words). The shape score checks the
column's values against the field's kind (a date field wants dates, money wants decimals, a
currency field wants ISO codes). Fields then get columns in order of confidence, each column at
most once (a greedy assignment: with a handful of fields it matches the optimum in practice).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from engine.imports.targets import FieldKind, ImportTarget, TargetField
from engine.imports.types import ColumnInfo, ColumnKind

NAME_WEIGHT = 0.8
SHAPE_WEIGHT = 0.2
MIN_SCORE = 0.6  # below this a field gets no suggestion: a wrong guess costs more than none
_NOISE = frozenset({"the", "of", "nr", "no", "num", "number", "id", "code", "name", "txt"})

# how well a column's detected kind fits a field's kind (missing pairs: 0.0)
_SHAPE: dict[FieldKind, dict[ColumnKind, float]] = {
    "money": {"decimal": 1.0, "integer": 0.9, "empty": 0.5},
    "decimal": {"decimal": 1.0, "integer": 0.9, "empty": 0.5},
    "integer": {"integer": 1.0, "decimal": 0.4, "empty": 0.5},
    "date": {"date": 1.0, "instant": 0.6, "empty": 0.5},
    "instant": {"instant": 1.0, "date": 0.6, "empty": 0.5},
    "currency": {"currency": 1.0, "code": 0.5, "empty": 0.5},
    "code": {"code": 1.0, "integer": 0.9, "currency": 0.6, "text": 0.5, "empty": 0.5, "decimal": 0.3},
    "text": {"text": 1.0, "code": 0.8, "currency": 0.4, "empty": 0.5, "integer": 0.3, "decimal": 0.2},
}


@dataclass(frozen=True)
class Suggestion:
    target: str  # the target field's name
    column: str  # the source header
    score: float  # 0..1

    def as_dict(self) -> dict[str, object]:
        return {"target": self.target, "column": self.column, "score": self.score}


def normalise(text: str) -> str:
    """'SalesAmountEUR' / 'sales_amount (EUR)' / 'Sales-Amount' → 'sales amount eur'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", text)
    text = re.sub(r"[^0-9a-zA-Z]+", " ", text).lower()
    return " ".join(text.split())


def _core(text: str) -> str:
    words = [w for w in text.split() if w not in _NOISE]
    return " ".join(words) or text


def name_score(header: str, target_field: TargetField) -> float:
    """0..1: the header against the field's name, label and aliases, the best of them."""
    column = normalise(header)
    if not column:
        return 0.0
    best = 0.0
    for candidate in (target_field.name, target_field.label, *target_field.aliases):
        wanted = normalise(candidate)
        if not wanted:
            continue
        if column == wanted:
            return 1.0
        score = max(
            fuzz.ratio(column, wanted),
            fuzz.token_sort_ratio(column, wanted),
            0.95 * fuzz.token_set_ratio(_core(column), _core(wanted)),
        )
        best = max(best, score / 100)
    return best


def shape_score(column: ColumnInfo | None, kind: FieldKind) -> float:
    if column is None:
        return 0.5  # nothing known about the values: neither for nor against
    return _SHAPE.get(kind, {}).get(column.kind, 0.0)


def score(header: str, column: ColumnInfo | None, target_field: TargetField) -> float:
    """The weighted sum; values that cannot be the field's kind (names in a date field) veto it."""
    shape = shape_score(column, target_field.kind)
    if shape == 0.0:
        return 0.0
    return round(NAME_WEIGHT * name_score(header, target_field) + SHAPE_WEIGHT * shape, 3)


def suggest(
    target: ImportTarget, header: Sequence[str], columns: Sequence[ColumnInfo] | None = None
) -> list[Suggestion]:
    """One column per field (never a column twice), best pairs first; fields without a good match omitted."""
    info = {c.name: c for c in columns or ()}
    pairs = sorted(
        (
            (score(name, info.get(name), f), index, position, f.name, name)
            for index, f in enumerate(target.fields)
            for position, name in enumerate(header)
        ),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    taken_fields: set[str] = set()
    taken_columns: set[str] = set()
    chosen: dict[str, Suggestion] = {}
    for value, _, _, field_name, column in pairs:
        if value < MIN_SCORE:
            break
        if field_name in taken_fields or column in taken_columns:
            continue
        taken_fields.add(field_name)
        taken_columns.add(column)
        chosen[field_name] = Suggestion(field_name, column, value)
    return [chosen[f.name] for f in target.fields if f.name in chosen]


def header_signature(header: Sequence[str]) -> str:
    """The same for two files whose headers differ only in order, case or punctuation (presets)."""
    return "|".join(sorted(normalise(h) for h in header))
