"""Price books, price rules, the overlap report and price resolution (one, or many at once).

Rules are turned into engine.pricing.PriceRule (ids as text, kind and currency from the book) and
resolved by the pure engine. API resolutions are audited (`price.resolve`) with the query and the
outcome; the margin scanner's batch resolutions record one summary event per batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import polars as pl
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.pricing import (
    Overlap,
    PriceQuery,
    Resolution,
    find_overlaps,
    overlaps_with,
    resolve,
    resolve_frame,
    rules_frame,
)
from engine.pricing import PriceRule as EngineRule
from models.catalog.inputs import PriceBookCreate, PriceRuleCreate
from models.catalog.tables import Channel, Organization, PriceBook, PriceRule, Sku
from models.core import audit
from models.core.base import utcnow
from models.core.pagination import Page, keyset_page, parse_instant
from models.core.repo import create, get_in_tenant, reference

# books


def list_books(
    session: Session,
    ctx: TenantContext,
    *,
    kind: str | None = None,
    currency: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[PriceBook]:
    query = select(PriceBook).where(PriceBook.tenant_id == ctx.tenant_id)
    if kind:
        query = query.where(PriceBook.kind == kind)
    if currency:
        query = query.where(PriceBook.currency == currency)
    return keyset_page(session, query, PriceBook.name, PriceBook.id, limit=limit, cursor=cursor)


def get_book(session: Session, ctx: TenantContext, book_id: uuid.UUID | str) -> PriceBook:
    return get_in_tenant(session, ctx, PriceBook, book_id, "price book")


def create_book(
    session: Session, ctx: TenantContext, data: PriceBookCreate, *, book_id: uuid.UUID | None = None
) -> PriceBook:
    if data.scope_channel_id:
        reference(session, ctx, Channel, data.scope_channel_id, "scope_channel_id", "channel")
    if data.scope_org_id:
        reference(session, ctx, Organization, data.scope_org_id, "scope_org_id", "organization")
    row = PriceBook(id=book_id or uuid.uuid4(), tenant_id=ctx.tenant_id, **data.model_dump())
    return create(
        session, ctx, row, action="price_book.create", unique_field="name", message="a price book with this name exists"
    )


def book_currencies(session: Session, ctx: TenantContext, kind: str) -> list[str]:
    """The currency of each of this tenant's price books of `kind` (one entry per book)."""
    return list(
        session.exec(
            select(PriceBook.currency).where(PriceBook.tenant_id == ctx.tenant_id, PriceBook.kind == kind)
        ).all()
    )


# rules


def to_engine(rule: PriceRule, book: PriceBook) -> EngineRule:
    return EngineRule(
        id=str(rule.id),
        sku_id=str(rule.sku_id),
        amount=rule.amount,
        currency=book.currency,
        effective_from=rule.effective_from,
        effective_to=rule.effective_to,
        org_id=str(rule.org_id) if rule.org_id else None,
        channel_id=str(rule.channel_id) if rule.channel_id else None,
        priority=rule.priority,
        kind=book.kind,
        price_book_id=str(book.id),
    )


def get_rule(session: Session, ctx: TenantContext, rule_id: uuid.UUID | str) -> PriceRule:
    return get_in_tenant(session, ctx, PriceRule, rule_id, "price rule")


def list_rules(
    session: Session,
    ctx: TenantContext,
    *,
    price_book_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    org_id: uuid.UUID | None = None,
    channel_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[PriceRule]:
    query = select(PriceRule).where(PriceRule.tenant_id == ctx.tenant_id)
    for column, value in (
        (PriceRule.price_book_id, price_book_id),
        (PriceRule.sku_id, sku_id),
        (PriceRule.org_id, org_id),
        (PriceRule.channel_id, channel_id),
    ):
        if value:
            query = query.where(column == value)
    return keyset_page(
        session, query, PriceRule.effective_from, PriceRule.id, limit=limit, cursor=cursor, parse=parse_instant
    )


def load_rules(
    session: Session,
    ctx: TenantContext,
    *,
    sku_ids: Iterable[uuid.UUID] | None = None,
    kinds: Iterable[str] | None = None,
) -> list[EngineRule]:
    """This tenant's rules (optionally for some SKUs / book kinds) as engine rules."""
    query = select(PriceRule, PriceBook).where(
        PriceRule.tenant_id == ctx.tenant_id,
        PriceBook.tenant_id == ctx.tenant_id,
        PriceBook.id == PriceRule.price_book_id,
    )
    if sku_ids is not None:
        query = query.where(col(PriceRule.sku_id).in_(list(sku_ids)))
    if kinds is not None:
        query = query.where(col(PriceBook.kind).in_(list(kinds)))
    return [to_engine(rule, book) for rule, book in session.exec(query).all()]


@dataclass(frozen=True)
class CreatedRule:
    rule: PriceRule
    book: PriceBook
    overlaps: list[Overlap]


def create_rule(
    session: Session, ctx: TenantContext, data: PriceRuleCreate, *, rule_id: uuid.UUID | None = None
) -> CreatedRule:
    """Validate, save (audited) and report overlaps with existing rules at the same step."""
    book = reference(session, ctx, PriceBook, data.price_book_id, "price_book_id", "price book")
    reference(session, ctx, Sku, data.sku_id, "sku_id", "SKU")
    org_id, channel_id = data.org_id, data.channel_id
    if org_id:
        reference(session, ctx, Organization, org_id, "org_id", "organization")
    if channel_id:
        reference(session, ctx, Channel, channel_id, "channel_id", "channel")
    if book.scope_org_id:
        if org_id and org_id != book.scope_org_id:
            raise ValidationFailed("org_id is outside the price book's scope", fields={"org_id": "outside book scope"})
        org_id = book.scope_org_id
    if book.scope_channel_id:
        if channel_id and channel_id != book.scope_channel_id:
            raise ValidationFailed(
                "channel_id is outside the price book's scope", fields={"channel_id": "outside book scope"}
            )
        channel_id = book.scope_channel_id
    row = PriceRule(
        id=rule_id or uuid.uuid4(),
        tenant_id=ctx.tenant_id,
        price_book_id=book.id,
        sku_id=data.sku_id,
        org_id=org_id,
        channel_id=channel_id,
        amount=data.amount,  # type: ignore[arg-type]
        effective_from=data.effective_from,
        effective_to=data.effective_to,
        priority=data.priority,
        note=data.note,
        created_by=ctx.actor_label,
    )
    candidate = to_engine(row, book)  # validates amount, window and currency before anything is written
    row.amount = candidate.amount
    create(session, ctx, row, action="price_rule.create", unique_field="id")
    peers = [r for r in load_rules(session, ctx, sku_ids=[data.sku_id], kinds=[book.kind]) if r.id != candidate.id]
    return CreatedRule(row, book, overlaps_with(candidate, peers))


def conflicts(
    session: Session, ctx: TenantContext, *, kind: str | None = None, sku_id: uuid.UUID | None = None
) -> list[Overlap]:
    rules = load_rules(session, ctx, sku_ids=[sku_id] if sku_id else None, kinds=[kind] if kind else None)
    return find_overlaps(rules)


# resolution


def resolve_price(
    session: Session,
    ctx: TenantContext,
    *,
    sku_id: uuid.UUID | str,
    currency: str,
    kind: str = "list",
    org_id: uuid.UUID | str | None = None,
    channel_id: uuid.UUID | str | None = None,
    at: datetime | None = None,
    record: bool = True,
) -> Resolution:
    """One explained resolution; recorded in the audit chain as `price.resolve` unless record=False."""
    sku = get_in_tenant(session, ctx, Sku, sku_id, "SKU")
    org = get_in_tenant(session, ctx, Organization, org_id, "organization") if org_id else None
    channel = get_in_tenant(session, ctx, Channel, channel_id, "channel") if channel_id else None
    query = PriceQuery(
        sku_id=str(sku.id),
        at=at or utcnow(),
        currency=currency,
        kind=kind,
        org_id=str(org.id) if org else None,
        channel_id=str(channel.id) if channel else None,
    )
    result = resolve(query, load_rules(session, ctx, sku_ids=[sku.id], kinds=[kind]))
    if record:
        body = result.to_dict()
        audit.record(
            session,
            ctx,
            action="price.resolve",
            entity="skus",
            entity_id=sku.id,
            after={
                "query": body["query"],
                "price": body["price"],
                "rule_id": body["rule_id"],
                "level": body["level"],
                "decided_by": body["decided_by"],
            },
        )
    return result


def resolve_many(
    session: Session, ctx: TenantContext, queries: pl.DataFrame, *, record: bool = False, purpose: str = ""
) -> pl.DataFrame:
    """Vectorized resolution for batch work (e.g. margin's breach scan).

    `queries` has the engine's QUERY_SCHEMA columns (ids as text, `at` timezone-aware) plus any
    pass-through columns; the result adds price / rule_id / price_book_id / level. Only this
    tenant's rules are read. With record=True one `price.resolve_batch` audit event is written.
    """
    if "sku_id" not in queries.columns or "kind" not in queries.columns:
        raise ValidationFailed("queries need sku_id and kind columns", fields={"queries": "missing columns"})
    sku_ids = []
    for value in queries.get_column("sku_id").drop_nulls().unique().to_list():
        try:
            sku_ids.append(uuid.UUID(str(value)))
        except ValueError:
            continue  # an unknown id simply resolves to no price
    kinds = queries.get_column("kind").drop_nulls().unique().to_list()
    rules = rules_frame(load_rules(session, ctx, sku_ids=sku_ids, kinds=kinds))
    result = resolve_frame(queries, rules)
    if record:
        audit.record(
            session,
            ctx,
            action="price.resolve_batch",
            entity="price_rules",
            entity_id="batch",
            after={
                "purpose": purpose,
                "queries": result.height,
                "priced": result.height - result.get_column("price").null_count(),
            },
        )
    return result
