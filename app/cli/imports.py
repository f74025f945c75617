"""`pharos import FILE --target margin.sales [--map PRESET] [--sheet NAME] --tenant SLUG [--valid-rows-only]`.

The same path as the pages and the API: the file is stored through the uploads module, mapped
(a saved preset, or the suggestions when every required field has one), validated and imported by
the import job kinds, run here to the end (a running worker may help). Exit 0 when imported,
1 when problems remain (the first ones are printed; the full report is on the upload's page).
"""

from __future__ import annotations

import argparse
import mimetypes
import sys
from pathlib import Path

from app.cli.errors import CliError

CHUNK = 1024 * 1024
SHOWN_ISSUES = 20


def _tenant_context(slug: str):
    from sqlmodel import select

    from engine.context import TenantContext
    from models.core.db import owner_session
    from models.core.tables import Tenant

    with owner_session() as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == slug)).first()
        if tenant is None:
            raise CliError(f"no tenant with slug '{slug}'")
        return TenantContext.system(tenant.id, tenant.slug)


def _store(ctx, path: Path, target: str):
    from models.uploads.actions import OneShot

    upload = OneShot(ctx)
    try:
        upload.check_target(target)
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                upload.write(chunk)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return upload.commit(target=target, filename=path.name, content_type=kind, meta={})
    except BaseException:
        upload.discard()
        raise


def _mapping(ctx, upload_id, preset: str | None, sheet: str | None):
    from models.imports import actions, queries

    if preset:
        return actions.map_with_preset(ctx, upload_id, preset, sheet=sheet)
    view = queries.suggestions(ctx, upload_id, sheet)
    mapping = {s["target"]: s["column"] for s in view.suggestions}
    for s in view.suggestions:
        print(f"  {s['target']:<20} ← {s['column']}  ({s['score']:.2f})")
    missing = [f["label"] for f in view.fields if f["required"] and f["name"] not in mapping]
    if missing:
        raise CliError(f"no column found for {', '.join(missing)}: save a preset on the mapping page and use --map")
    return actions.map_upload(ctx, upload_id, mapping, sheet=sheet)


def _run(ctx, job_id) -> None:
    from models.jobs.runner import run_job_sync

    run_job_sync(ctx.tenant_id, job_id)


def _show_issues(ctx, upload_id) -> None:
    from models.imports import queries

    view, page = queries.report_page(ctx, upload_id, limit=SHOWN_ISSUES)
    total = view.counts["issues_total"] if view else 0
    print(f"{total} problem(s):", file=sys.stderr)
    for issue in page.items:
        hint = f" — {issue.hint}" if issue.hint else ""
        print(f"  line {issue.row}, {issue.column or 'row'}: {issue.message}{hint}", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from app.cli.admin import bootstrap_env
    from models.imports import actions, queries

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    bootstrap_env(args)
    ctx = _tenant_context(args.tenant)
    stored = _store(ctx, path, args.target)
    print(f"stored {stored.filename} ({stored.size_received:,} bytes) as upload {stored.id}")
    mapped = _mapping(ctx, stored.id, args.map, args.sheet)
    _run(ctx, mapped.job_id)
    checked = queries.import_status(ctx, stored.id)
    if checked is None or checked.status == "failed":
        raise CliError(f"the file could not be checked: {checked.error if checked else 'no import'}", status=1)
    counts = checked.counts
    print(f"checked {counts['rows_total']} rows: {counts['rows_valid']} valid, {counts['rows_invalid']} with problems")
    if checked.status == "invalid":
        _show_issues(ctx, stored.id)
        if not args.valid_rows_only:
            raise CliError("nothing imported: fix the file, or pass --valid-rows-only", status=1)
    started = actions.start_import(ctx, stored.id, valid_rows_only=args.valid_rows_only)
    _run(ctx, started.job_id)
    done = queries.import_status(ctx, stored.id)
    if done is None or done.status != "imported":
        raise CliError(f"the import did not finish: {done.error if done else 'no import'}", status=1)
    counts = done.counts
    print(f"imported: {counts['inserted']} inserted, {counts['updated']} updated, {counts['skipped']} skipped")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("import", help="import a CSV or XLSX file into a target (e.g. margin.sales)")
    parser.add_argument("file", help="the CSV (UTF-8) or XLSX file")
    parser.add_argument("--target", required=True, help="what the rows are, e.g. margin.sales")
    parser.add_argument("--tenant", required=True, help="tenant slug")
    parser.add_argument("--sheet", default=None, help="the workbook's sheet to read (default: the first)")
    parser.add_argument("--map", metavar="PRESET", help="a saved mapping preset (default: the suggestions)")
    parser.add_argument("--valid-rows-only", action="store_true", help="import the valid rows when some have problems")
    parser.add_argument("--data-dir", help="data dir of the embedded services (default: $PHAROS_DATA_DIR or .pharos)")
    parser.set_defaults(func=cmd_import)
