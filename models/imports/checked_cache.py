"""The validate job's result, kept for the import job: a file checked once is not checked again.

`imports.validate` keeps the checked rows (Parquet) and the counts and issues (JSON) under the
data dir, named by the import. `imports.import` takes them only when everything the check read is
unchanged — the file's SHA-256 (hashed by both jobs), the mapping, the sheet, the target's fields,
this pipeline's version and the loader's references (`references_version`, an optional hook of a
Loader: engine.imports.targets.ReferencesVersion). Otherwise (another worker machine, a loader
without the hook, a dealer renamed in between) the import checks the file again, as it always
could: the cache only ever saves time, it never decides what is merged. Entries are removed when
the import ends; ones left by imports that never ran go after MAX_AGE.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

import polars as pl

from engine.imports.targets import ImportTarget, RowIssue
from models.core.settings import get_settings
from models.imports.pipeline import Checked

VERSION = "1"  # bump when typing or checking changes what a checked file holds
MAX_AGE = 2 * 24 * 3600.0  # seconds an entry of an import that never ran is kept


def _folder() -> Path:
    return Path(get_settings().data_dir).resolve() / "cache" / "imports"


def _paths(import_id: uuid.UUID) -> tuple[Path, Path]:
    base = _folder() / str(import_id)
    return base.with_suffix(".parquet"), base.with_suffix(".json")


def check_key(sha256: str, target: ImportTarget, mapping: dict[str, str], sheet: str | None, references: str) -> str:
    """Everything a check's result depends on, hashed: equal keys, equal results."""
    fields = [[f.name, f.kind, f.required, f.max_length] for f in target.fields]
    inputs = [VERSION, sha256, target.name, fields, sorted(mapping.items()), sheet or "", references]
    return hashlib.sha256(json.dumps(inputs, separators=(",", ":")).encode()).hexdigest()


def keep(import_id: uuid.UUID, key: str, checked: Checked) -> None:
    """Store `checked` for the import (written to temporary names, then renamed: never half a file)."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _prune(folder)
    rows, meta = _paths(import_id)
    suffix = f".{uuid.uuid4().hex}.tmp"
    checked.frame.write_parquet(rows.with_name(rows.name + suffix), compression="lz4", statistics=False)
    body = {
        "key": key,
        "rows_total": checked.rows_total,
        "rows_invalid": checked.rows_invalid,
        "issues_total": checked.issues_total,
        "issues": [asdict(issue) for issue in checked.issues],
    }
    meta.with_name(meta.name + suffix).write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    os.replace(rows.with_name(rows.name + suffix), rows)
    os.replace(meta.with_name(meta.name + suffix), meta)


def take(import_id: uuid.UUID, key: str) -> Checked | None:
    """The kept result when its key is `key`; None when there is none, it is stale or unreadable."""
    rows, meta = _paths(import_id)
    try:
        body: dict[str, Any] = json.loads(meta.read_text(encoding="utf-8"))
        if body.get("key") != key:
            return None
        frame = pl.read_parquet(rows)
    except (OSError, ValueError, pl.exceptions.PolarsError):
        return None
    return Checked(
        frame=frame,
        issues=[RowIssue(**issue) for issue in body["issues"]],
        rows_total=int(body["rows_total"]),
        rows_invalid=int(body["rows_invalid"]),
        issues_total=int(body["issues_total"]),
    )


def drop(import_id: uuid.UUID) -> None:
    for path in _paths(import_id):
        path.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    """Remove entries (and temporary files of a crashed write) older than MAX_AGE."""
    limit = time.time() - MAX_AGE
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
