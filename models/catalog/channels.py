"""Channels (where SKUs are sold) and offerings (a SKU on a channel, listed through catalog versions)."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import Session, select

from engine.context import TenantContext
from models.catalog.inputs import ChannelCreate, ChannelUpdate, OfferingCreate
from models.catalog.listing import active_action, matching
from models.catalog.tables import Channel, Offering, Sku
from models.core.pagination import Page, keyset_page
from models.core.repo import create, get_in_tenant, reference, update


def list_channels(
    session: Session, ctx: TenantContext, *, q: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Page[Channel]:
    query = matching(select(Channel).where(Channel.tenant_id == ctx.tenant_id), q, Channel.name, Channel.code)
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


def update_channel(session: Session, ctx: TenantContext, channel_id: uuid.UUID | str, data: ChannelUpdate) -> Channel:
    channel = get_channel(session, ctx, channel_id)
    action = active_action("channel", channel, data)
    return update(session, ctx, channel, data, action=action, required=("code", "name", "kind", "is_active"))


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


def find_channel(session: Session, ctx: TenantContext, key: str) -> Channel | None:
    """This tenant's channel with this id (a UUID) or, otherwise, this code (case-insensitive)."""
    try:
        channel_id = uuid.UUID(key)
    except ValueError:
        return session.exec(
            select(Channel).where(Channel.tenant_id == ctx.tenant_id, func.upper(Channel.code) == key.upper())
        ).first()
    return session.exec(select(Channel).where(Channel.tenant_id == ctx.tenant_id, Channel.id == channel_id)).first()
