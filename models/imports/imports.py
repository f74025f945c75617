"""Repositories of imports, their issues and presets: `(session, ctx)` functions that compose in
the caller's unit of work. Writes are audited (models.core.mutations); the status moves only
through models.core.decisions.decide with IMPORT_MACHINE."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import NotFound, ValidationFailed
from engine.imports.targets import RowIssue
from models.core import mutations
from models.core.base import utcnow
from models.core.bulk import insert_rows, table_of
from models.core.pagination import Page, clamp_limit, decode_cursor, encode_cursor
from models.imports.tables import Import, ImportIssue, ImportPreset

MAX_VALUE = 500  # characters of an offending value kept in the report


def for_upload(session: Session, ctx: TenantContext, upload_id: uuid.UUID, *, lock: bool = False) -> Import | None:
    query = select(Import).where(Import.tenant_id == ctx.tenant_id, Import.upload_id == upload_id)
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def get(session: Session, ctx: TenantContext, import_id: uuid.UUID | str, *, lock: bool = False) -> Import:
    query = select(Import).where(Import.tenant_id == ctx.tenant_id, Import.id == uuid.UUID(str(import_id)))
    if lock:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise NotFound("import not found")
    return row


def create(session: Session, ctx: TenantContext, upload_id: uuid.UUID, target: str) -> Import:
    row = Import(tenant_id=ctx.tenant_id, upload_id=upload_id, target=target, created_by=ctx.user_id)
    return mutations.create(session, ctx, row, action="import.create")


def update(session: Session, ctx: TenantContext, row: Import, changes: dict[str, Any], *, action: str) -> Import:
    return mutations.update(session, ctx, row, {**changes, "updated_at": utcnow()}, action=action)


def _issue_row(ctx: TenantContext, import_id: uuid.UUID, seq: int, issue: RowIssue) -> dict[str, Any]:
    value = issue.value if len(issue.value) <= MAX_VALUE else issue.value[:MAX_VALUE] + "…"
    return {
        "id": uuid.uuid4(),
        "tenant_id": ctx.tenant_id,
        "import_id": import_id,
        "seq": seq,
        "row": issue.row,
        "column": issue.column,
        "value": value.replace("\x00", ""),
        "message": issue.message,
        "hint": issue.hint,
    }


def replace_issues(session: Session, ctx: TenantContext, row: Import, issues: Sequence[RowIssue]) -> None:
    """The import's report is the last check's (the pipeline keeps the first 10,000; all are counted)."""
    session.execute(
        delete(ImportIssue).where(col(ImportIssue.tenant_id) == ctx.tenant_id, col(ImportIssue.import_id) == row.id)
    )
    kept = sorted(issues, key=lambda i: (i.row, i.column))
    rows = [_issue_row(ctx, row.id, seq, issue) for seq, issue in enumerate(kept, start=1)]
    for start in range(0, len(rows), 2000):
        insert_rows(session, table_of(ImportIssue), rows[start : start + 2000])


def issue_page(
    session: Session, ctx: TenantContext, import_id: uuid.UUID, *, limit: int | None, cursor: str | None
) -> Page[ImportIssue]:
    """Issues in file order (seq), keyset-paged."""
    size = clamp_limit(limit)
    after = decode_cursor(cursor, 1)
    query = select(ImportIssue).where(ImportIssue.tenant_id == ctx.tenant_id, ImportIssue.import_id == import_id)
    if after:
        try:
            query = query.where(col(ImportIssue.seq) > int(after[0]))
        except (TypeError, ValueError):
            raise ValidationFailed("cursor is not valid", fields={"cursor": "invalid"}) from None
    rows = list(session.exec(query.order_by(col(ImportIssue.seq)).limit(size + 1)).all())
    more = len(rows) > size
    rows = rows[:size]
    return Page(items=rows, next_cursor=encode_cursor([rows[-1].seq]) if more and rows else None)


def all_issues(session: Session, ctx: TenantContext, import_id: uuid.UUID) -> list[ImportIssue]:
    query = select(ImportIssue).where(ImportIssue.tenant_id == ctx.tenant_id, ImportIssue.import_id == import_id)
    return list(session.exec(query.order_by(col(ImportIssue.seq))).all())


def issue_count(session: Session, ctx: TenantContext, import_id: uuid.UUID) -> int:
    query = select(func.count()).where(ImportIssue.tenant_id == ctx.tenant_id, ImportIssue.import_id == import_id)
    return int(session.exec(query).one())


# --- presets -----------------------------------------------------------------------------------


def presets(session: Session, ctx: TenantContext, target: str) -> list[ImportPreset]:
    query = select(ImportPreset).where(ImportPreset.tenant_id == ctx.tenant_id, ImportPreset.target == target)
    return list(session.exec(query.order_by(col(ImportPreset.name))).all())


def presets_for(session: Session, ctx: TenantContext, targets: Sequence[str]) -> list[ImportPreset]:
    """The presets of several targets (the presets page: every target the role may import into)."""
    query = select(ImportPreset).where(ImportPreset.tenant_id == ctx.tenant_id, col(ImportPreset.target).in_(targets))
    return list(session.exec(query.order_by(col(ImportPreset.target), col(ImportPreset.name))).all())


def get_preset(session: Session, ctx: TenantContext, preset_id: uuid.UUID) -> ImportPreset | None:
    query = select(ImportPreset).where(ImportPreset.tenant_id == ctx.tenant_id, ImportPreset.id == preset_id)
    return session.exec(query.with_for_update()).first()


def delete_preset(session: Session, ctx: TenantContext, preset: ImportPreset) -> None:
    mutations.delete(session, ctx, preset, action="import_preset.delete")


def preset_by_name(session: Session, ctx: TenantContext, target: str, name: str) -> ImportPreset | None:
    return next((p for p in presets(session, ctx, target) if p.name == name), None)


def preset_for_header(session: Session, ctx: TenantContext, target: str, signature: str) -> ImportPreset | None:
    """The most recently saved preset whose header signature matches (applied automatically)."""
    query = select(ImportPreset).where(
        ImportPreset.tenant_id == ctx.tenant_id,
        ImportPreset.target == target,
        ImportPreset.header_signature == signature,
    )
    return session.exec(query.order_by(col(ImportPreset.updated_at).desc())).first()


def save_preset(
    session: Session, ctx: TenantContext, target: str, name: str, mapping: dict[str, str], signature: str
) -> ImportPreset:
    existing = session.exec(
        select(ImportPreset)
        .where(ImportPreset.tenant_id == ctx.tenant_id, ImportPreset.target == target, ImportPreset.name == name)
        .with_for_update()
    ).first()
    if existing is not None:
        changes = {"mapping": dict(mapping), "header_signature": signature, "updated_at": utcnow()}
        return mutations.update(session, ctx, existing, changes, action="import_preset.update")
    row = ImportPreset(
        tenant_id=ctx.tenant_id,
        target=target,
        name=name,
        mapping=dict(mapping),
        header_signature=signature,
        created_by=ctx.user_id,
    )
    return mutations.create(session, ctx, row, action="import_preset.create")
