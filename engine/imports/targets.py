"""What a file can be imported into: a target's fields, and the hooks its module provides.

A module declares its targets in `engine/<module>/import_targets.py` (`TARGETS`) and the code that
checks references and merges rows in `models/<module>/import_loaders.py` (`LOADERS`, keyed by the
target's name). The pipeline (core) parses, maps and type-checks; the module only resolves its own
references (a dealer by name or code, a SKU by code) and merges the valid rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

# How a cell is parsed and typed. money/decimal -> Decimal (never float); date -> a calendar day
# (ISO 8601); instant -> RFC 3339 in UTC; code -> trimmed text compared case-insensitively;
# currency -> ISO 4217 code.
FieldKind = Literal["text", "code", "decimal", "money", "integer", "date", "instant", "currency"]


@dataclass(frozen=True)
class TargetField:
    name: str  # the target's own field name, e.g. "dealer"
    label: str  # what a person reads, e.g. "Dealer"
    kind: FieldKind
    required: bool = True
    # header names seen in real exports, matched (with the label) by the column suggester
    aliases: tuple[str, ...] = ()
    max_length: int | None = None


@dataclass(frozen=True)
class ImportTarget:
    name: str  # "margin.sales"
    label: str  # "Sale rows"
    module: str  # "margin"
    permission: str  # who may upload to and import into this target
    fields: tuple[TargetField, ...]
    description: str = ""
    # where its mapping presets are kept (default: the target's name); a target whose fields depend
    # on the upload (a module's `target_for`, models/imports/loaders.py) keeps them per variant
    preset_key: str = ""

    @property
    def presets_under(self) -> str:
        return self.preset_key or self.name

    def field(self, name: str) -> TargetField:
        for target_field in self.fields:
            if target_field.name == name:
                return target_field
        raise KeyError(f"{self.name} has no field {name!r}")


@dataclass(frozen=True)
class RowIssue:
    """One problem with one cell, as the validation report shows it."""

    row: int  # the line number in the source file (the header is line 1)
    column: str  # the source column's header (or the target field's label when unmapped)
    value: str
    message: str  # what is wrong, e.g. "dealer 'Metro Pharma' not found"
    hint: str = ""  # how to fix it, e.g. "did you mean 'Metro Pharma Retail'?"


@dataclass(frozen=True)
class MergeCounts:
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    extra: dict[str, int] = field(default_factory=dict)


class Loader(Protocol):
    """A module's side of a target (models/<module>/import_loaders.py).

    `frame` is a Polars DataFrame with one column per target field, already typed by the pipeline
    (Decimal(38,10) for money/decimal, Date, Datetime(UTC), Int64, Utf8), plus `__row` (Int64, the
    source line number). Both run inside the pipeline's transaction (`session`, tenant-scoped).
    """

    def check(self, session: Any, ctx: Any, frame: Any) -> list[RowIssue]:
        """Reference problems (unknown dealer, SKU, ...) for the rows of `frame`; writes nothing."""
        ...

    def merge(self, session: Any, ctx: Any, frame: Any, *, upload_id: Any) -> MergeCounts:
        """Write the (valid) rows of `frame`; the caller commits once for the whole import."""
        ...


class TargetVariants(Protocol):
    """Optional on a Loader: a target whose fields depend on the upload (its `meta`), e.g. one field
    per input of the plan the employee data is for. Returns the target to map, type and check this
    upload against (same name); raises a DomainError (422 naming `meta`) when the meta is unusable."""

    def target_for(self, ctx: Any, target: ImportTarget, meta: dict[str, Any]) -> ImportTarget: ...


class ReferencesVersion(Protocol):
    """Optional on a Loader: a short text that changes whenever anything its `check` reads from the
    database changes (the tenant's dealers, SKUs, ...). With it, the import job reuses the validate
    job's check of the same file and mapping instead of checking the file again."""

    def references_version(self, session: Any, ctx: Any) -> str: ...
