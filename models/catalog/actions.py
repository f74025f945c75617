"""Writes of the catalog and pricing: each takes `ctx`, checks the permission (`ctx.require`), owns
its transaction (`tenant_session`: everything or nothing) and goes through the audited repositories
(and, for status, the decision path). The REST routes, the pages and their forms call these.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from engine.catalog.permissions import CATALOG_WRITE, PRICING_READ, PRICING_WRITE
from engine.context import TenantContext
from engine.pricing import Resolution
from models.catalog import channels, orgs, pricing, products, publishing
from models.catalog.inputs import (
    ChannelCreate,
    ChannelUpdate,
    OfferingCreate,
    OrgCreate,
    OrgUpdate,
    PriceBookCreate,
    PriceRuleCreate,
    ProductCreate,
    ProductUpdate,
    SkuCreate,
    SkuUpdate,
)
from models.catalog.public import (
    CatalogPublic,
    ChannelPublic,
    CreatedRulePublic,
    ItemPublic,
    OfferingPublic,
    OrgDetailPublic,
    PriceBookPublic,
    ProductPublic,
    RuleCreatedPublic,
    SkuPublic,
    VersionPublic,
)
from models.catalog.queries import org_detail_public
from models.core.db import tenant_session

# organizations


def create_org(ctx: TenantContext, data: OrgCreate) -> OrgDetailPublic:
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        return org_detail_public(ctx, orgs.create_org(session, ctx, data))


def update_org(ctx: TenantContext, org_id: uuid.UUID | str, data: OrgUpdate) -> OrgDetailPublic:
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        return org_detail_public(ctx, orgs.update_org(session, ctx, org_id, data))


def org_type(ctx: TenantContext, org_id: uuid.UUID | str) -> str:
    """The organization's type (fixed once created; an edit form needs it to read the profile)."""
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        return orgs.get_org(session, ctx, org_id).type


def decide_org(
    ctx: TenantContext, org_id: uuid.UUID | str, action: str, reason: str | None, expected_status: str | None = None
) -> OrgDetailPublic:
    """Hold / suspend / reinstate / archive through the decision path (the machine checks the role).
    `expected_status`: the status the user saw; a stale one is refused with 409, nothing written."""
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        return org_detail_public(ctx, orgs.change_org_status(session, ctx, org_id, action, reason, expected_status))


# channels, products, SKUs, offerings


def create_channel(ctx: TenantContext, data: ChannelCreate) -> ChannelPublic:
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        return ChannelPublic.of(channels.create_channel(session, ctx, data))


def update_channel(ctx: TenantContext, channel_id: uuid.UUID | str, data: ChannelUpdate) -> ChannelPublic:
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        return ChannelPublic.of(channels.update_channel(session, ctx, channel_id, data))


def create_product(ctx: TenantContext, data: ProductCreate) -> ProductPublic:
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        return ProductPublic.of(products.create_product(session, ctx, data))


def update_product(ctx: TenantContext, product_id: uuid.UUID | str, data: ProductUpdate) -> ProductPublic:
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        return ProductPublic.of(products.update_product(session, ctx, product_id, data))


def create_sku(ctx: TenantContext, data: SkuCreate) -> SkuPublic:
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        return SkuPublic.of(products.create_sku(session, ctx, data))


def update_sku(ctx: TenantContext, sku_id: uuid.UUID | str, data: SkuUpdate) -> SkuPublic:
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        return SkuPublic.of(products.update_sku(session, ctx, sku_id, data))


def set_active(ctx: TenantContext, kind: str, row_id: uuid.UUID | str, active: bool) -> str:
    """Deactivate / reactivate a SKU or channel (audited `<kind>.deactivate` / `.reactivate`; a no-op
    writes nothing). Returns the row's code. Unknown or another tenant's ids: NotFound."""
    if kind == "sku":
        return update_sku(ctx, row_id, SkuUpdate(is_active=active)).code
    if kind == "channel":
        return update_channel(ctx, row_id, ChannelUpdate(is_active=active)).code
    raise ValueError(f"unknown kind {kind!r}")


def create_offering(ctx: TenantContext, data: OfferingCreate) -> OfferingPublic:
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        return OfferingPublic.of(channels.create_offering(session, ctx, data))


def change_catalog(
    ctx: TenantContext, channel_id: uuid.UUID | str, change: str, offering_ids: list[uuid.UUID], note: str | None
) -> CatalogPublic:
    """Publish or unlist offerings: a new published version of the channel's catalog, or nothing."""
    ctx.require(CATALOG_WRITE)
    with tenant_session(ctx) as session:
        view = publishing.change_catalog(session, ctx, channel_id, change, offering_ids, note=note)
        return CatalogPublic(
            channel=ChannelPublic.of(view.channel),
            version=VersionPublic.of(view.version) if view.version else None,
            items=[ItemPublic.of(i) for i in view.items],
        )


# pricing


def create_book(ctx: TenantContext, data: PriceBookCreate) -> PriceBookPublic:
    ctx.require(PRICING_WRITE)
    with tenant_session(ctx) as session:
        return PriceBookPublic.of(pricing.create_book(session, ctx, data))


def create_rule(ctx: TenantContext, data: PriceRuleCreate) -> RuleCreatedPublic:
    """Save the rule and report its overlaps with existing rules at the same step."""
    ctx.require(PRICING_WRITE)
    with tenant_session(ctx) as session:
        created = pricing.create_rule(session, ctx, data)
        rule = CreatedRulePublic.of(created.rule, kind=created.book.kind, currency=created.book.currency)
        return RuleCreatedPublic(rule=rule, warnings=[o.to_dict() for o in created.overlaps])


def resolve_price(
    ctx: TenantContext,
    *,
    sku_id: uuid.UUID | str,
    currency: str,
    kind: str = "list",
    org_id: uuid.UUID | str | None = None,
    channel_id: uuid.UUID | str | None = None,
    at: datetime | None = None,
) -> Resolution:
    """One explained resolution, recorded in the audit chain (`price.resolve`): a write, so an action."""
    ctx.require(PRICING_READ)
    with tenant_session(ctx) as session:
        return pricing.resolve_price(
            session, ctx, sku_id=sku_id, currency=currency, kind=kind, org_id=org_id, channel_id=channel_id, at=at
        )
