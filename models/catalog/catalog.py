"""Channels, products, SKUs and offerings."""

from __future__ import annotations

import uuid

from sqlalchemy import or_
from sqlmodel import Session, select

from engine.context import TenantContext
from models.catalog.inputs import (
    ChannelCreate,
    ChannelUpdate,
    OfferingCreate,
    ProductCreate,
    ProductUpdate,
    SkuCreate,
    SkuUpdate,
)
from models.catalog.tables import Channel, Offering, Organization, Product, Sku
from models.core.pagination import Page, keyset_page
from models.core.repo import create, get_in_tenant, reference, update


def _search(query, q: str | None, *columns):
    if not q:
        return query
    like = f"%{q.strip()}%"
    return query.where(or_(*(c.ilike(like) for c in columns)))


# channels


def list_channels(
    session: Session, ctx: TenantContext, *, q: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Page[Channel]:
    query = _search(select(Channel).where(Channel.tenant_id == ctx.tenant_id), q, Channel.name, Channel.code)
    return keyset_page(session, query, Channel.code, Channel.id, limit=limit, cursor=cursor)


def get_channel(session: Session, ctx: TenantContext, channel_id: uuid.UUID | str) -> Channel:
    return get_in_tenant(session, ctx, Channel, channel_id, "channel")


def create_channel(
    session: Session, ctx: TenantContext, data: ChannelCreate, *, channel_id: uuid.UUID | None = None
) -> Channel:
    row = Channel(
        id=channel_id or uuid.uuid4(), tenant_id=ctx.tenant_id, code=data.code, name=data.name, kind=data.kind
    )
    return create(session, ctx, row, action="channel.create")


def _action(entity: str, row: Channel | Sku, data: ChannelUpdate | SkuUpdate) -> str:
    """`<entity>.deactivate` / `.reactivate` when the edit flips is_active (the event still carries
    every changed key's before/after), else `<entity>.update`."""
    if data.is_active is not None and data.is_active != row.is_active:
        return f"{entity}.{'reactivate' if data.is_active else 'deactivate'}"
    return f"{entity}.update"


def update_channel(session: Session, ctx: TenantContext, channel_id: uuid.UUID | str, data: ChannelUpdate) -> Channel:
    channel = get_channel(session, ctx, channel_id)
    action = _action("channel", channel, data)
    return update(session, ctx, channel, data, action=action, required=("code", "name", "kind", "is_active"))


# products


def list_products(
    session: Session,
    ctx: TenantContext,
    *,
    q: str | None = None,
    manufacturer_org_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[Product]:
    query = select(Product).where(Product.tenant_id == ctx.tenant_id)
    if manufacturer_org_id:
        query = query.where(Product.manufacturer_org_id == manufacturer_org_id)
    query = _search(query, q, Product.name, Product.code)
    return keyset_page(session, query, Product.code, Product.id, limit=limit, cursor=cursor)


def get_product(session: Session, ctx: TenantContext, product_id: uuid.UUID | str) -> Product:
    return get_in_tenant(session, ctx, Product, product_id, "product")


def create_product(
    session: Session, ctx: TenantContext, data: ProductCreate, *, product_id: uuid.UUID | None = None
) -> Product:
    if data.manufacturer_org_id:
        reference(session, ctx, Organization, data.manufacturer_org_id, "manufacturer_org_id", "organization")
    row = Product(id=product_id or uuid.uuid4(), tenant_id=ctx.tenant_id, **data.model_dump())
    return create(session, ctx, row, action="product.create")


def update_product(session: Session, ctx: TenantContext, product_id: uuid.UUID | str, data: ProductUpdate) -> Product:
    product = get_product(session, ctx, product_id)
    if data.manufacturer_org_id:
        reference(session, ctx, Organization, data.manufacturer_org_id, "manufacturer_org_id", "organization")
    return update(session, ctx, product, data, action="product.update")


# skus


def list_skus(
    session: Session,
    ctx: TenantContext,
    *,
    q: str | None = None,
    product_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[Sku]:
    query = select(Sku).where(Sku.tenant_id == ctx.tenant_id)
    if product_id:
        query = query.where(Sku.product_id == product_id)
    query = _search(query, q, Sku.name, Sku.code)
    return keyset_page(session, query, Sku.code, Sku.id, limit=limit, cursor=cursor)


def get_sku(session: Session, ctx: TenantContext, sku_id: uuid.UUID | str) -> Sku:
    return get_in_tenant(session, ctx, Sku, sku_id, "SKU")


def create_sku(session: Session, ctx: TenantContext, data: SkuCreate, *, sku_id: uuid.UUID | None = None) -> Sku:
    reference(session, ctx, Product, data.product_id, "product_id", "product")
    row = Sku(id=sku_id or uuid.uuid4(), tenant_id=ctx.tenant_id, **data.model_dump())
    return create(session, ctx, row, action="sku.create")


def update_sku(session: Session, ctx: TenantContext, sku_id: uuid.UUID | str, data: SkuUpdate) -> Sku:
    sku = get_sku(session, ctx, sku_id)
    if data.product_id:
        reference(session, ctx, Product, data.product_id, "product_id", "product")
    required = ("product_id", "code", "name", "uom", "attributes", "is_active")
    return update(session, ctx, sku, data, action=_action("sku", sku, data), required=required)


# offerings


def list_offerings(
    session: Session,
    ctx: TenantContext,
    *,
    channel_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[Offering]:
    query = select(Offering).where(Offering.tenant_id == ctx.tenant_id)
    if channel_id:
        query = query.where(Offering.channel_id == channel_id)
    if sku_id:
        query = query.where(Offering.sku_id == sku_id)
    return keyset_page(session, query, Offering.title, Offering.id, limit=limit, cursor=cursor)


def create_offering(
    session: Session, ctx: TenantContext, data: OfferingCreate, *, offering_id: uuid.UUID | None = None
) -> Offering:
    reference(session, ctx, Channel, data.channel_id, "channel_id", "channel")
    sku = reference(session, ctx, Sku, data.sku_id, "sku_id", "SKU")
    row = Offering(
        id=offering_id or uuid.uuid4(),
        tenant_id=ctx.tenant_id,
        channel_id=data.channel_id,
        sku_id=data.sku_id,
        title=data.title or sku.name,
        attributes=data.attributes,
    )
    return create(
        session,
        ctx,
        row,
        action="offering.create",
        unique_field="sku_id",
        message="this SKU is already offered on this channel",
    )
