"""A stored file checked against its mapping: read, typed, references checked by the target's loader.

Used by both job kinds (models/imports/kinds.py): `imports.validate` keeps the report, and
`imports.import` runs the same check again on the file whose hash it records before merging, so
what is merged is exactly what was checked. Reading stops at the first unreadable line (a
`ReadError` fails the import with its message); cell problems never stop it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from engine.context import TenantContext
from engine.imports.reader import open_table
from engine.imports.suggest import header_signature
from engine.imports.targets import ImportTarget, Loader, RowIssue
from engine.imports.types import Preview, preview
from engine.imports.validate import ROW, empty_frame, type_table

MAX_KEPT = 10_000  # issues kept for the report; `issues_total` counts them all


@dataclass(frozen=True)
class Analysis:
    header: tuple[str, ...]
    signature: str
    preview: Preview
    delimiter: str
    kind: str
    sheets: tuple[str, ...] = ()
    sheet: str = ""

    def columns_json(self) -> dict[str, Any]:
        """What the import row keeps of the file's shape; `sheet` is read again by both jobs."""
        return {
            "header": list(self.header),
            "kinds": {c.name: c.kind for c in self.preview.columns},
            "delimiter": self.delimiter,
            "format": self.kind,
            "sheet": self.sheet or None,
        }


def analyse(path: Path, sheet: str | None = None) -> Analysis:
    """The header and the first 100 rows with detected kinds (reads only what the preview needs)."""
    with open_table(path, sheet=sheet) as table:
        shown = preview(table.header, ((r.line, r.cells) for r in table.rows))
        signature = header_signature(table.header)
        return Analysis(table.header, signature, shown, table.delimiter, table.kind, table.sheets, table.sheet)


@dataclass
class Checked:
    frame: pl.DataFrame  # rows without any issue, typed
    issues: list[RowIssue] = field(default_factory=list)  # the first MAX_KEPT, in file order
    rows_total: int = 0
    rows_invalid: int = 0
    issues_total: int = 0

    @property
    def rows_valid(self) -> int:
        return self.frame.height

    def add(self, issues: list[RowIssue]) -> None:
        """Count every issue, keep the first MAX_KEPT (a file of 1M bad rows stays small in memory)."""
        self.issues_total += len(issues)
        self.rows_invalid += len({i.row for i in issues})
        room = MAX_KEPT - len(self.issues)
        if room > 0:
            self.issues.extend(issues[:room])


def check_file(
    session: Any,
    ctx: TenantContext,
    path: Path,
    target: ImportTarget,
    mapping: dict[str, str],
    loader: Loader,
    *,
    sheet: str | None = None,
) -> Checked:
    """Type every row, then let the loader find reference problems in the rows that typed cleanly."""
    frames: list[pl.DataFrame] = []
    checked = Checked(empty_frame(target, mapping))
    with open_table(path, sheet=sheet) as table:
        for batch in type_table(target, table, mapping):
            frames.append(batch.frame)
            checked.add(batch.issues)
            checked.rows_total += batch.rows
    frame = pl.concat(frames) if frames else checked.frame
    references = loader.check(session, ctx, frame) if frame.height else []
    if references:
        checked.add(references)
        frame = frame.filter(~pl.col(ROW).is_in(sorted({i.row for i in references})))
    checked.frame = frame
    checked.issues.sort(key=lambda i: (i.row, i.column))
    return checked


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
