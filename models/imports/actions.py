"""The writes of the import pipeline: map an upload's columns (which starts its validation), start
the import, save a preset. Each checks the permissions, opens one tenant transaction, audits, moves
the status through the decision path and queues the job after commit."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.imports import registry
from engine.imports.machine import IMPORT_MACHINE, IMPORT_WRITE
from engine.imports.suggest import header_signature
from engine.imports.validate import MappingError, check_mapping
from engine.text import check_text
from models.core.db import tenant_session
from models.core.decisions import decide, lock_for_decision
from models.imports import imports
from models.imports.kinds import IMPORT, VALIDATE
from models.imports.queries import analysed, source
from models.imports.tables import Import
from models.imports.views import ImportView, PresetView
from models.jobs.queue import enqueue_after_commit
from models.jobs.repo import create_job, get_job

BUSY = frozenset({"validating", "importing"})


def _recover_stale(session: Session, ctx: TenantContext, row: Import) -> None:
    """An import whose job ended without settling it (cancelled, failed before its item ran) is
    failed now, as the system, so the person can map and try again instead of waiting forever."""
    if row.status not in BUSY or row.job_id is None:
        return
    job = get_job(session, ctx, row.job_id)
    if job.status in ("completed", "failed", "cancelled"):
        system = TenantContext.system(ctx.tenant_id, ctx.tenant_slug)
        decide(session, system, IMPORT_MACHINE, row, "fail", reason=f"its job {job.status} before the import finished")


def _refuse_final(row: Import) -> None:
    if row.status == "imported":
        when = row.imported_at.isoformat() if row.imported_at else "earlier"
        raise Conflict(
            f"this file was imported ({when}); an imported file is final: upload the file again to import it again",
            fields={"upload_id": "already imported"},
        )
    if row.status in BUSY:
        raise Conflict(f"the import is {row.status}: wait until it finishes", fields={"upload_id": row.status})


def _queue(session: Session, ctx: TenantContext, row: Import, kind: str) -> uuid.UUID:
    key = f"{kind}:{row.id}:{uuid.uuid4()}"  # one job per request; the machine forbids a second import
    job = create_job(session, ctx, kind, {"import_id": str(row.id)}, [(key, {"import_id": str(row.id)})])
    enqueue_after_commit(session, ctx.tenant_id, job.id)
    return job.id


def map_upload(
    ctx: TenantContext,
    upload_id: uuid.UUID | str,
    mapping: Mapping[str, str],
    *,
    preset: str | None = None,
    sheet: str | None = None,
) -> ImportView:
    """Record `{target_field: source_column}` (422 naming each bad field) and, for a workbook, the
    sheet it is for (default: the sheet chosen before, else the first), then validate in a worker."""
    ctx.require(IMPORT_WRITE)
    if preset is not None:
        preset = check_text(preset.strip(), "preset", max_length=100) or None
    with analysed(ctx, upload_id, sheet) as (found, analysis):
        try:
            clean = check_mapping(found.target, analysis.header, dict(mapping))
        except MappingError as error:
            raise ValidationFailed("the mapping does not fit this file and target", fields=error.fields) from None
    changes = {
        "mapping": clean,
        "columns": analysis.columns_json(),
        "header_signature": analysis.signature,
        "valid_rows_only": False,
        "error": None,
    }
    try:
        with tenant_session(ctx) as session:
            row = imports.for_upload(session, ctx, found.upload.id, lock=True)
            if row is None:
                row = imports.create(session, ctx, found.upload.id, found.target.name)
            _recover_stale(session, ctx, row)
            _refuse_final(row)
            lock_for_decision(session, IMPORT_MACHINE, row)
            imports.update(session, ctx, row, changes, action="import.mapping")
            decide(session, ctx, IMPORT_MACHINE, row, "map")
            if preset:
                imports.save_preset(session, ctx, found.target.presets_under, preset, clean, analysis.signature)
            decide(session, ctx, IMPORT_MACHINE, row, "validate")
            job_id = _queue(session, ctx, row, VALIDATE)
            imports.update(session, ctx, row, {"job_id": job_id}, action="import.job")
            return ImportView.of(row)
    except IntegrityError:
        raise Conflict("this upload is being mapped by someone else: reload", fields={"upload_id": "busy"}) from None


def map_with_preset(
    ctx: TenantContext, upload_id: uuid.UUID | str, name: str, *, sheet: str | None = None
) -> ImportView:
    """Map with a saved preset by name (the CLI's --map)."""
    found = source(ctx, upload_id)
    with tenant_session(ctx) as session:
        preset = imports.preset_by_name(session, ctx, found.target.presets_under, name)
        if preset is None:
            raise NotFound(f"no preset {name!r} for {found.target.name}", fields={"preset": "not found"})
        mapping = dict(preset.mapping)
    return map_upload(ctx, upload_id, mapping, sheet=sheet)


def start_import(ctx: TenantContext, upload_id: uuid.UUID | str, *, valid_rows_only: bool = False) -> ImportView:
    """Queue the import (202). Nothing is imported while problems remain, unless `valid_rows_only`."""
    ctx.require(IMPORT_WRITE)
    found = source(ctx, upload_id)
    with tenant_session(ctx) as session:
        row = imports.for_upload(session, ctx, found.upload.id, lock=True)
        if row is None:
            raise Conflict("map the columns first", fields={"upload_id": "not mapped"})
        _recover_stale(session, ctx, row)
        _refuse_final(row)
        if row.status == "invalid" and not valid_rows_only:
            raise Conflict(
                f"{row.issues_total} problems remain in {row.rows_invalid} rows:"
                " fix the file, or import the valid rows only",
                fields={"valid_rows_only": "problems remain"},
            )
        if row.status == "invalid" and row.rows_valid == 0:
            raise Conflict("no row is valid: there is nothing to import", fields={"upload_id": "no valid rows"})
        lock_for_decision(session, IMPORT_MACHINE, row)
        decide(session, ctx, IMPORT_MACHINE, row, "import")
        job_id = _queue(session, ctx, row, IMPORT)
        imports.update(session, ctx, row, {"job_id": job_id, "valid_rows_only": valid_rows_only}, action="import.job")
        return ImportView.of(row)


def save_preset(
    ctx: TenantContext, target_name: str, name: str, mapping: Mapping[str, str], header: list[str]
) -> PresetView:
    ctx.require(IMPORT_WRITE)
    target = registry.target(target_name)
    ctx.require(target.permission)
    clean_name = check_text(name.strip(), "name", max_length=100)
    if not clean_name:
        raise ValidationFailed("a preset needs a name", fields={"name": "required"})
    try:
        clean = check_mapping(target, header, dict(mapping))
    except MappingError as error:
        raise ValidationFailed("the mapping does not fit this target", fields=error.fields) from None
    with tenant_session(ctx) as session:
        row = imports.save_preset(session, ctx, target.name, clean_name, clean, header_signature(header))
        return PresetView.of(row)


def delete_preset(ctx: TenantContext, preset_id: uuid.UUID | str) -> PresetView:
    """Forget a saved mapping (audited). Files already mapped with it keep their mapping."""
    ctx.require(IMPORT_WRITE)
    with tenant_session(ctx) as session:
        row = imports.get_preset(session, ctx, uuid.UUID(str(preset_id)))
        target = registry.targets().get(row.target) if row else None
        if row is None or target is None or not ctx.can(target.permission):
            raise NotFound("no such preset", fields={"preset_id": "not found"})
        view = PresetView.of(row)
        imports.delete_preset(session, ctx, row)
        return view
