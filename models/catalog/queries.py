"""Reads of the catalog (organizations, products, SKUs, channels, channel catalogs) for the REST API
and the pages. Each function takes `ctx`, checks the permission, owns its transaction
(`tenant_session`) and returns typed read models: `...Public` (the API's JSON) or the small rows
below (what a page lists). Entry points never open a session themselves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from engine.catalog.machines import ORG_STATUS
from engine.catalog.permissions import CATALOG_READ
from engine.context import TenantContext
from models.catalog import channels, orgs, products, publishing
from models.catalog.public import (
    CatalogPublic,
    ChannelPublic,
    Counterpart,
    DiffPublic,
    ItemPublic,
    OfferingPublic,
    OrgAction,
    OrgDetailPublic,
    OrgPublic,
    ProductPublic,
    RelationshipPublic,
    SkuPublic,
    VersionPublic,
)
from models.catalog.tables import Organization
from models.core.db import tenant_session
from models.core.flags import is_enabled
from models.core.pagination import Page

LIST_LIMIT = 200  # what a page lists at once


def feature_enabled(ctx: TenantContext, flag: str) -> bool:
    """Whether the tenant has `flag` on (a page behind an off flag shows "not found")."""
    with tenant_session(ctx) as session:
        return is_enabled(session, ctx, flag)


def _page(page: Page[Any], view) -> Page[Any]:
    return Page([view(r) for r in page.items], page.next_cursor)


def org_actions(ctx: TenantContext, org: Organization) -> list[OrgAction]:
    """The status decisions this role may take on the organization now (from the machine)."""
    return [
        OrgAction(action=t.action, label=t.display, reason_required=t.reason_required)
        for t in ORG_STATUS.available_actions(org.status, ctx)
    ]


def org_detail_public(ctx: TenantContext, org: Organization) -> OrgDetailPublic:
    return OrgDetailPublic.of(org, actions=org_actions(ctx, org))


# organizations


def org_page(
    ctx: TenantContext,
    *,
    type: str | None = None,
    status: str | None = None,
    q: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[OrgPublic]:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        page = orgs.list_orgs(session, ctx, type=type, status=status, q=q, limit=limit, cursor=cursor)
        return _page(page, OrgPublic.of)


def org(ctx: TenantContext, org_id: uuid.UUID | str) -> OrgDetailPublic:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        return org_detail_public(ctx, orgs.get_org(session, ctx, org_id))


def relationship_page(
    ctx: TenantContext,
    org_id: uuid.UUID,
    *,
    direction: Literal["both", "from", "to"] = "both",
    type: str | None = None,
    at: datetime | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[RelationshipPublic]:
    """Relationships of the organization, each with its direction and counterpart (id, name, type)."""
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        page = orgs.list_relationships(
            session, ctx, org_id, direction=direction, type=type, at=at, limit=limit, cursor=cursor
        )
        names = orgs.orgs_by_id(session, ctx, {r.from_org_id for r in page.items} | {r.to_org_id for r in page.items})

    def view(rel) -> RelationshipPublic:
        outgoing = rel.from_org_id == org_id
        other = rel.to_org_id if outgoing else rel.from_org_id
        found = names.get(other)
        counterpart = Counterpart(id=other, name=found.name, type=found.type) if found else None
        return RelationshipPublic.of(rel, direction="from" if outgoing else "to", counterpart=counterpart)

    return _page(page, view)


@dataclass(frozen=True)
class OrgRow:
    id: str
    name: str
    code: str
    type: str
    status: str


@dataclass(frozen=True)
class RelationshipRow:
    """One relationship seen from the organization shown (`outgoing`: it is the `from` side)."""

    type: str
    outgoing: bool
    other_name: str | None
    other_type: str | None
    effective_from: datetime
    effective_to: datetime | None


@dataclass(frozen=True)
class OrgDetail:
    org: OrgRow
    profile: dict[str, Any]
    relationships: list[RelationshipRow]
    actions: list[OrgAction]


def _org_row(o: Organization) -> OrgRow:
    return OrgRow(str(o.id), o.name, o.code, o.type, o.status)


def org_rows(ctx: TenantContext, org_type: str | None = None) -> list[OrgRow]:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        return [_org_row(o) for o in orgs.list_orgs(session, ctx, type=org_type, limit=LIST_LIMIT).items]


def org_detail(ctx: TenantContext, org_id: uuid.UUID | str) -> OrgDetail:
    """The organization with its profile, relationships (counterparts named) and allowed decisions."""
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        found = orgs.get_org(session, ctx, org_id)
        rels = orgs.list_relationships(session, ctx, found.id, limit=LIST_LIMIT).items
        names = orgs.orgs_by_id(session, ctx, {r.from_org_id for r in rels} | {r.to_org_id for r in rels})
    lines = []
    for r in rels:
        outgoing = r.from_org_id == found.id
        other = names.get(r.to_org_id if outgoing else r.from_org_id)
        lines.append(
            RelationshipRow(
                r.type,
                outgoing,
                other.name if other else None,
                other.type if other else None,
                r.effective_from,
                r.effective_to,
            )
        )
    return OrgDetail(_org_row(found), dict(found.profile), lines, org_actions(ctx, found))


# products, SKUs and channels


def channel_page(
    ctx: TenantContext, *, q: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Page[ChannelPublic]:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        return _page(channels.list_channels(session, ctx, q=q, limit=limit, cursor=cursor), ChannelPublic.of)


def product_page(
    ctx: TenantContext,
    *,
    q: str | None = None,
    manufacturer_org_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[ProductPublic]:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        page = products.list_products(
            session, ctx, q=q, manufacturer_org_id=manufacturer_org_id, limit=limit, cursor=cursor
        )
        return _page(page, ProductPublic.of)


def sku_page(
    ctx: TenantContext,
    *,
    q: str | None = None,
    product_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[SkuPublic]:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        return _page(
            products.list_skus(session, ctx, q=q, product_id=product_id, limit=limit, cursor=cursor), SkuPublic.of
        )


def offering_page(
    ctx: TenantContext,
    *,
    channel_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[OfferingPublic]:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        page = channels.list_offerings(session, ctx, channel_id=channel_id, sku_id=sku_id, limit=limit, cursor=cursor)
        return _page(page, OfferingPublic.of)


def channel(ctx: TenantContext, channel_id: uuid.UUID | str) -> ChannelPublic:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        return ChannelPublic.of(channels.get_channel(session, ctx, channel_id))


def product(ctx: TenantContext, product_id: uuid.UUID | str) -> ProductPublic:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        return ProductPublic.of(products.get_product(session, ctx, product_id))


def sku(ctx: TenantContext, sku_id: uuid.UUID | str) -> SkuPublic:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        return SkuPublic.of(products.get_sku(session, ctx, sku_id))


@dataclass(frozen=True)
class SkuRow:
    id: str
    code: str
    name: str
    uom: str
    product: str  # "name (code)", or "" when the product is not among the listed ones
    category: str
    manufacturer: str
    is_active: bool


@dataclass(frozen=True)
class ProductRow:
    id: str
    code: str
    name: str
    brand: str
    category: str
    manufacturer: str


@dataclass(frozen=True)
class Option:
    """One choice of a picker."""

    id: str
    label: str


@dataclass(frozen=True)
class SkuCatalog:
    """Everything the SKUs page lists: SKUs, products (manufacturers named), channels, pickers."""

    skus: list[SkuRow]
    products: list[ProductRow]
    channels: list[ChannelPublic]
    product_options: list[Option]
    maker_options: list[Option]


def sku_catalog(ctx: TenantContext) -> SkuCatalog:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        product_list = products.list_products(session, ctx, limit=LIST_LIMIT).items
        by_id = {p.id: p for p in product_list}
        makers = orgs.orgs_by_id(session, ctx, {p.manufacturer_org_id for p in product_list if p.manufacturer_org_id})
        sku_list = products.list_skus(session, ctx, limit=LIST_LIMIT).items
        maker_list = orgs.list_orgs(session, ctx, type="manufacturer", limit=LIST_LIMIT).items
        channel_list = channels.list_channels(session, ctx, limit=LIST_LIMIT).items

    def maker_of(product) -> str:
        maker = makers.get(product.manufacturer_org_id) if product and product.manufacturer_org_id else None
        return maker.name if maker else ""

    skus = []
    for s in sku_list:
        p = by_id.get(s.product_id)
        skus.append(
            SkuRow(
                str(s.id),
                s.code,
                s.name,
                s.uom,
                f"{p.name} ({p.code})" if p else "",
                (p.category or "") if p else "",
                maker_of(p),
                s.is_active,
            )
        )
    return SkuCatalog(
        skus=skus,
        products=[
            ProductRow(str(p.id), p.code, p.name, p.brand or "", p.category or "", maker_of(p)) for p in product_list
        ],
        channels=[ChannelPublic.of(c) for c in channel_list],
        product_options=[Option(str(p.id), f"{p.name} ({p.code})") for p in product_list],
        maker_options=[Option(str(o.id), o.name) for o in maker_list],
    )


def channel_list(ctx: TenantContext) -> list[ChannelPublic]:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        return [ChannelPublic.of(c) for c in channels.list_channels(session, ctx, limit=LIST_LIMIT).items]


# channel catalogs


def _catalog_public(view: publishing.CatalogView) -> CatalogPublic:
    return CatalogPublic(
        channel=ChannelPublic.of(view.channel),
        version=VersionPublic.of(view.version) if view.version else None,
        items=[ItemPublic.of(i) for i in view.items],
    )


def _diff(session, ctx: TenantContext, channel_id: uuid.UUID | str, old: int, new: int) -> DiffPublic:
    return DiffPublic.model_validate(publishing.diff_versions(session, ctx, channel_id, old, new))


def catalog(
    ctx: TenantContext, channel_id: uuid.UUID | str, *, version: int | None = None, compare_to: int | None = None
) -> CatalogPublic:
    """The given version (default: the latest published), with the diff from `compare_to` if asked."""
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        view = publishing.get_catalog(session, ctx, channel_id, version=version)
        body = _catalog_public(view)
        if compare_to is not None and view.version is not None:
            body.diff = _diff(session, ctx, channel_id, compare_to, view.version.version)
        return body


def version_page(
    ctx: TenantContext, channel_id: uuid.UUID | str, *, limit: int | None = None, cursor: str | None = None
) -> Page[VersionPublic]:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        return _page(publishing.list_versions(session, ctx, channel_id, limit=limit, cursor=cursor), VersionPublic.of)


def catalog_diff(ctx: TenantContext, channel_id: uuid.UUID | str, old: int, new: int) -> DiffPublic:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        return _diff(session, ctx, channel_id, old, new)


@dataclass(frozen=True)
class OfferingRow:
    id: str
    title: str
    listed: bool  # in the latest published version


@dataclass(frozen=True)
class ChannelCatalog:
    """The channels page's data for one channel: versions (newest first), live listing, offerings."""

    current: int | None
    versions: list[VersionPublic]
    items: list[ItemPublic]
    offerings: list[OfferingRow]


def channel_catalog(ctx: TenantContext, channel_id: uuid.UUID | str) -> ChannelCatalog:
    ctx.require(CATALOG_READ)
    with tenant_session(ctx) as session:
        view = publishing.get_catalog(session, ctx, channel_id)
        versions = publishing.list_versions(session, ctx, channel_id, limit=LIST_LIMIT).items
        listed = {i.offering_id for i in view.items}
        offerings = channels.list_offerings(session, ctx, channel_id=view.channel.id, limit=LIST_LIMIT).items
    return ChannelCatalog(
        current=view.version.version if view.version else None,
        versions=[VersionPublic.of(v) for v in versions],
        items=[ItemPublic.of(i) for i in view.items],
        offerings=[OfferingRow(str(o.id), o.title, o.id in listed) for o in offerings],
    )
