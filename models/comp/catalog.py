"""The input catalog: the tenant's vocabulary of per-employee inputs (repositories, (session, ctx))."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from engine.comp.spec import check_default, check_key, check_rules
from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from models.comp.inputs import InputDefinitionCreate
from models.comp.tables import InputDefinition
from models.core import repo
from models.core.pagination import Page, keyset_page
from models.core.text_search import every_word, search_words


def get_input(session: Session, ctx: TenantContext, input_id: uuid.UUID) -> InputDefinition:
    row = session.exec(
        select(InputDefinition).where(InputDefinition.tenant_id == ctx.tenant_id, InputDefinition.id == input_id)
    ).first()
    if row is None:
        raise NotFound("input not found")
    return row


def by_key(session: Session, ctx: TenantContext, key: str) -> InputDefinition | None:
    return session.exec(
        select(InputDefinition).where(InputDefinition.tenant_id == ctx.tenant_id, InputDefinition.key == key)
    ).first()


def require_key(session: Session, ctx: TenantContext, key: str, *, field: str = "key") -> InputDefinition:
    row = by_key(session, ctx, key)
    if row is None:
        raise ValidationFailed(
            f"'{key}' is not in the input catalog; add it there first", fields={field: "not in the input catalog"}
        )
    return row


def input_page(
    session: Session, ctx: TenantContext, *, q: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Page[InputDefinition]:
    query = select(InputDefinition).where(InputDefinition.tenant_id == ctx.tenant_id)
    if q:
        query = query.where(every_word(search_words(q), InputDefinition.key, InputDefinition.label))
    return keyset_page(session, query, col(InputDefinition.key), col(InputDefinition.id), limit=limit, cursor=cursor)


def all_inputs(session: Session, ctx: TenantContext) -> list[InputDefinition]:
    return list(
        session.exec(
            select(InputDefinition).where(InputDefinition.tenant_id == ctx.tenant_id).order_by(col(InputDefinition.key))
        ).all()
    )


def create_input(session: Session, ctx: TenantContext, data: InputDefinitionCreate) -> InputDefinition:
    problems: dict[str, str] = {}
    if reason := check_key(data.key):
        problems["key"] = reason
    if reason := check_default(data.dtype, data.default_value):
        problems["default_value"] = reason
    problems |= {f"validation.{k}": v for k, v in check_rules(data.dtype, data.validation).items()}
    if problems:
        raise ValidationFailed(f"invalid input: {', '.join(problems)}", fields=problems)
    if by_key(session, ctx, data.key) is not None:
        raise Conflict(f"the input catalog already has '{data.key}'", fields={"key": "taken"})
    row = InputDefinition(
        tenant_id=ctx.tenant_id,
        key=data.key,
        label=data.label,
        dtype=data.dtype,
        required=data.required,
        default_value=data.default_value,
        validation=dict(data.validation),
        description=data.description,
    )
    return repo.create(session, ctx, row, action="input_catalog.create", unique_field="key")
