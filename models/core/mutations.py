"""Audited create/update/delete: the only way repositories change rows.

Each call writes the row and its audit event in the caller's transaction, so a change and its
record commit or roll back together. Status columns are refused here: they change only through
the decision path (models.core.decisions.decide).
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, cast

from sqlmodel import Session, SQLModel

from engine.context import TenantContext
from engine.jsonable import to_jsonable
from models.core import audit

T = TypeVar("T", bound=SQLModel)

STATUS_COLUMNS = frozenset({"status"})


class _HasId(Protocol):
    id: Any


def row_id(row: SQLModel) -> Any:
    """The id the audit event points at: every table declares one, SQLModel itself does not."""
    return cast(_HasId, row).id


def snapshot(row: SQLModel) -> dict[str, Any]:
    return to_jsonable(row.model_dump())


def entity_name(row: SQLModel) -> str:
    return str(getattr(row, "__tablename__", type(row).__name__))


def create(session: Session, ctx: TenantContext, row: T, *, action: str | None = None) -> T:
    if hasattr(row, "tenant_id"):
        row.tenant_id = ctx.tenant_id  # never taken from input
    session.add(row)
    session.flush()
    name = entity_name(row)
    audit.record(
        session, ctx, action=action or f"{name}.create", entity=name, entity_id=row_id(row), after=snapshot(row)
    )
    return row


def update(session: Session, ctx: TenantContext, row: T, changes: dict[str, Any], *, action: str | None = None) -> T:
    forbidden = STATUS_COLUMNS & changes.keys()
    if forbidden:
        raise ValueError(f"{sorted(forbidden)} change only through the decision path")
    before = snapshot(row)
    for key, value in changes.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    after = snapshot(row)
    diff_before = {k: before.get(k) for k in changes}
    diff_after = {k: after.get(k) for k in changes}
    name = entity_name(row)
    audit.record(
        session,
        ctx,
        action=action or f"{name}.update",
        entity=name,
        entity_id=row_id(row),
        before=diff_before,
        after=diff_after,
    )
    return row


def delete(session: Session, ctx: TenantContext, row: SQLModel, *, action: str | None = None) -> None:
    name = entity_name(row)
    before = snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(session, ctx, action=action or f"{name}.delete", entity=name, entity_id=row_id(row), before=before)
