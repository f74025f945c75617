"""The import pipeline's job kinds: "imports.validate" and "imports.import" (one item = one import).

Both read the stored file through the uploads module, check it (models/imports/pipeline.py) and
move the import's status through the decision path as the system. `imports.import` verifies and
records the file's SHA-256, takes the validate job's result when nothing that check read has
changed (models/imports/checked_cache.py) or checks the file again, then merges the rows through
the target's loader inside the item's transaction: the rows, the counts, the audit events, the status and the item's
done mark commit together or not at all. A problem with the file or the loader fails the import
(status `failed`, the reason kept) and the item is done: the person sees why, nothing is written.
"""

from __future__ import annotations

import logging
import time
from typing import Any, NamedTuple

from sqlmodel import Session

from engine.context import TenantContext
from engine.errors import DomainError
from engine.imports import registry
from engine.imports.machine import IMPORT_MACHINE
from engine.imports.reader import ReadError
from engine.imports.validate import MappingError
from engine.jobs import Done, ItemOutcome, Skipped
from models.core.base import utcnow
from models.core.decisions import decide
from models.imports import checked_cache, imports, pipeline
from models.imports.loaders import loader_for, resolve_target
from models.imports.tables import Import
from models.jobs.kinds import ItemContext, JobKind, register
from models.uploads.queries import get_upload, local_copy

VALIDATE = "imports.validate"
IMPORT = "imports.import"
_log = logging.getLogger(__name__)
_EXPECTED = (ReadError, MappingError, DomainError)


def _fail(session: Session, ctx: TenantContext, row: Import, message: str) -> ItemOutcome:
    imports.update(session, ctx, row, {"error": message[:2000]}, action="import.error")
    decide(session, ctx, IMPORT_MACHINE, row, "fail", reason=message[:500])
    return Done({"status": "failed", "error": message})


class Checking(NamedTuple):
    checked: pipeline.Checked
    sha256: str
    key: str | None  # the check's cache key (None: the loader's references cannot be versioned)
    reused: bool  # the validate job's check was taken, the file was not read again


def _check(ic: ItemContext, row: Import, *, reuse: bool) -> Checking | str:
    """The checked file, or the message that fails the import. `reuse`: take the validate job's
    result when nothing it read has changed (models/imports/checked_cache.py)."""
    try:
        target = registry.target(row.target)  # a worker without the target's module fails the import, says why
        loader = loader_for(row.target)
        upload = get_upload(ic.ctx, row.upload_id)
        target = resolve_target(ic.ctx, target, upload.meta)
        with ic.session.begin_nested(), local_copy(ic.ctx, row.upload_id) as path:
            digest = pipeline.file_sha256(path)
            if digest != upload.sha256:
                return "the stored file no longer matches the hash recorded at upload"
            sheet = (row.columns or {}).get("sheet")  # the sheet chosen at mapping (a workbook's)
            mapping = dict(row.mapping)
            version = getattr(loader, "references_version", None)
            key = None
            if version is not None:
                key = checked_cache.check_key(digest, target, mapping, sheet, version(ic.session, ic.ctx))
            kept = checked_cache.take(row.id, key) if reuse and key is not None else None
            if kept is not None:
                return Checking(kept, digest, key, reused=True)
            checked = pipeline.check_file(ic.session, ic.ctx, path, target, mapping, loader, sheet=sheet)
            return Checking(checked, digest, key, reused=False)
    except _EXPECTED as error:
        return str(getattr(error, "message", error))
    except Exception as error:  # a loader's bug must fail the import visibly, not leave it validating
        _log.exception("import %s: check failed", row.id)
        return f"the file could not be checked ({type(error).__name__})"


def _counts(checked: pipeline.Checked) -> dict[str, Any]:
    return {
        "rows_total": checked.rows_total,
        "rows_valid": checked.rows_valid,
        "rows_invalid": checked.rows_invalid,
        "issues_total": checked.issues_total,
    }


def _start(ic: ItemContext, status: str, *, reuse: bool) -> tuple[Import, Checking] | ItemOutcome:
    """The locked import in `status` with its file checked and the report replaced, or the outcome."""
    row = imports.get(ic.session, ic.ctx, ic.item.payload["import_id"], lock=True)
    if row.status != status:
        return Skipped(f"import is {row.status}")
    result = _check(ic, row, reuse=reuse)
    if isinstance(result, str):
        return _fail(ic.session, ic.ctx, row, result)
    imports.replace_issues(ic.session, ic.ctx, row, result.checked.issues)
    return row, result


def _settle(session: Session, ctx: TenantContext, row: Import, checked: pipeline.Checked, action: str) -> ItemOutcome:
    imports.update(session, ctx, row, {**_counts(checked), "error": None}, action="import.checked")
    decide(session, ctx, IMPORT_MACHINE, row, action)
    return Done({"status": row.status, **_counts(checked)})


def validate_item(ic: ItemContext) -> ItemOutcome:
    started = _start(ic, "validating", reuse=False)
    if not isinstance(started, tuple):
        return started
    row, checking = started
    checked = checking.checked
    if checking.key is not None:
        checked_cache.keep(row.id, checking.key, checked)
    return _settle(ic.session, ic.ctx, row, checked, "reject" if checked.issues_total else "pass")


def import_item(ic: ItemContext) -> ItemOutcome:
    clock = time.perf_counter()
    started = _start(ic, "importing", reuse=True)
    if not isinstance(started, tuple):
        return started
    session, ctx = ic.session, ic.ctx
    row, checking = started
    checked = checking.checked
    checked_cache.drop(row.id)  # taken (or stale): the import settles below, either way
    if checked.issues_total and not row.valid_rows_only:
        return _settle(session, ctx, row, checked, "reject")
    seconds = {"check": round(time.perf_counter() - clock, 3)}
    clock = time.perf_counter()
    try:
        with session.begin_nested():
            merged = loader_for(row.target).merge(session, ctx, checked.frame, upload_id=row.upload_id)
    except Exception as error:
        _log.exception("import %s: merge failed", row.id)
        message = str(getattr(error, "message", "")) or f"the rows could not be merged ({type(error).__name__})"
        return _fail(session, ctx, row, message)
    changes = {
        **_counts(checked),
        "inserted": merged.inserted,
        "updated": merged.updated,
        "skipped": merged.skipped + checked.rows_invalid,
        "merge_extra": dict(merged.extra),
        "sha256": checking.sha256,
        "imported_at": utcnow(),
        "error": None,
    }
    seconds["merge"] = round(time.perf_counter() - clock, 3)
    imports.update(session, ctx, row, changes, action="import.merged")
    decide(session, ctx, IMPORT_MACHINE, row, "complete")
    counts = {k: v for k, v in changes.items() if isinstance(v, int)}
    # the item's result: where time went, and whether the validate job's check was reused
    return Done({"status": row.status, **counts, "seconds": seconds, "check": "reused" if checking.reused else "read"})


# one item reads a whole file (a 250 MB file is ~2.5M rows): longer than the default 15 s lease, so
# its items are claimed with a lease that outlasts it (a dead worker's import is taken over after it)
FILE_LEASE_SECONDS = 600.0
VALIDATE_KIND = register(JobKind(VALIDATE, validate_item, chunk_size=1, min_lease_seconds=FILE_LEASE_SECONDS))
IMPORT_KIND = register(JobKind(IMPORT, import_item, chunk_size=1, min_lease_seconds=FILE_LEASE_SECONDS))
