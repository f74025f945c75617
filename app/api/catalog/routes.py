"""Organizations, channels, products, SKUs, offerings and versioned channel catalogs (`/api/...`).

Each route sits behind a tenant feature flag (404 while off) and a permission (403): reads need
catalog.read, writes catalog.write. Creates answer 201; edits (PATCH) change only the keys sent and
are audited; a taken code answers 409; status changes only through `/orgs/{id}/status`. Lists are
keyset-paginated (`?limit&cursor`); ids of another tenant answer 404. Routes only call the catalog's
queries and actions (which own the transaction) and declare what they answer.
"""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Depends

from app.api.catalog.params import Cursor, InstantParam, Limit, OrgStatus, SearchText, VersionNumber
from app.api.core.settings import feature
from engine.catalog.permissions import CATALOG_READ as READ
from engine.catalog.permissions import CATALOG_WRITE as WRITE
from engine.context import TenantContext
from models.catalog import actions, queries
from models.catalog.inputs import (
    CatalogChange,
    ChannelCreate,
    ChannelUpdate,
    OfferingCreate,
    OrgCreate,
    OrgDecision,
    OrgType,
    OrgUpdate,
    ProductCreate,
    ProductUpdate,
    RelationshipType,
    SkuCreate,
    SkuUpdate,
)
from models.catalog.public import (
    CatalogPublic,
    ChannelPublic,
    OfferingPublic,
    OrgDetailPublic,
    OrgPublic,
    ProductPublic,
    RelationshipPublic,
    SkuPublic,
    VersionPublic,
)
from models.core.flags import ENABLE_CATALOG_PUBLISHING, ENABLE_CHANNELS, ENABLE_ORG
from models.core.pagination import Page

router = APIRouter(prefix="/api", tags=["catalog"])


# organizations


@router.get("/orgs", response_model=Page[OrgPublic])
def list_orgs(
    ctx: TenantContext = Depends(feature(ENABLE_ORG, READ)),
    type: OrgType | None = None,
    status: OrgStatus | None = None,
    q: SearchText = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[OrgPublic]:
    return queries.org_page(ctx, type=type, status=status, q=q, limit=limit, cursor=cursor)


@router.get("/orgs/{org_id}")
def get_org(org_id: uuid.UUID, ctx: TenantContext = Depends(feature(ENABLE_ORG, READ))) -> OrgDetailPublic:
    return queries.org(ctx, org_id)


@router.post("/orgs", status_code=201)
def create_org(body: OrgCreate, ctx: TenantContext = Depends(feature(ENABLE_ORG, WRITE))) -> OrgDetailPublic:
    return actions.create_org(ctx, body)


@router.patch("/orgs/{org_id}")
def update_org(
    org_id: uuid.UUID, body: OrgUpdate, ctx: TenantContext = Depends(feature(ENABLE_ORG, WRITE))
) -> OrgDetailPublic:
    return actions.update_org(ctx, org_id, body)


@router.post("/orgs/{org_id}/status")
def decide_org_status(
    org_id: uuid.UUID, body: OrgDecision, ctx: TenantContext = Depends(feature(ENABLE_ORG, WRITE))
) -> OrgDetailPublic:
    return actions.decide_org(ctx, org_id, body.action, body.reason, body.expected_status)


@router.get("/orgs/{org_id}/relationships", response_model=Page[RelationshipPublic])
def org_relationships(
    org_id: uuid.UUID,
    ctx: TenantContext = Depends(feature(ENABLE_ORG, READ)),
    direction: Literal["both", "from", "to"] = "both",
    type: RelationshipType | None = None,
    at: InstantParam = None,  # only relationships effective at this instant
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RelationshipPublic]:
    return queries.relationship_page(ctx, org_id, direction=direction, type=type, at=at, limit=limit, cursor=cursor)


# channels, products, skus


@router.get("/channels", response_model=Page[ChannelPublic])
def list_channels(
    ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, READ)),
    q: SearchText = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ChannelPublic]:
    return queries.channel_page(ctx, q=q, limit=limit, cursor=cursor)


@router.post("/channels", status_code=201)
def create_channel(body: ChannelCreate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))) -> ChannelPublic:
    return actions.create_channel(ctx, body)


@router.patch("/channels/{channel_id}")
def update_channel(
    channel_id: uuid.UUID, body: ChannelUpdate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))
) -> ChannelPublic:
    return actions.update_channel(ctx, channel_id, body)


@router.get("/products", response_model=Page[ProductPublic])
def list_products(
    ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, READ)),
    q: SearchText = None,
    manufacturer_org_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ProductPublic]:
    return queries.product_page(ctx, q=q, manufacturer_org_id=manufacturer_org_id, limit=limit, cursor=cursor)


@router.post("/products", status_code=201)
def create_product(body: ProductCreate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))) -> ProductPublic:
    return actions.create_product(ctx, body)


@router.patch("/products/{product_id}")
def update_product(
    product_id: uuid.UUID, body: ProductUpdate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))
) -> ProductPublic:
    return actions.update_product(ctx, product_id, body)


@router.get("/skus", response_model=Page[SkuPublic])
def list_skus(
    ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, READ)),
    q: SearchText = None,
    product_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[SkuPublic]:
    return queries.sku_page(ctx, q=q, product_id=product_id, limit=limit, cursor=cursor)


@router.post("/skus", status_code=201)
def create_sku(body: SkuCreate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))) -> SkuPublic:
    return actions.create_sku(ctx, body)


@router.patch("/skus/{sku_id}")
def update_sku(
    sku_id: uuid.UUID, body: SkuUpdate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))
) -> SkuPublic:
    return actions.update_sku(ctx, sku_id, body)


# offerings and channel catalogs


@router.get("/offerings", response_model=Page[OfferingPublic])
def list_offerings(
    ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, READ)),
    channel_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[OfferingPublic]:
    return queries.offering_page(ctx, channel_id=channel_id, sku_id=sku_id, limit=limit, cursor=cursor)


@router.post("/offerings", status_code=201)
def create_offering(
    body: OfferingCreate, ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, WRITE))
) -> OfferingPublic:
    return actions.create_offering(ctx, body)


@router.get("/channels/{channel_id}/catalog", response_model=CatalogPublic, response_model_exclude_unset=True)
def channel_catalog(
    channel_id: uuid.UUID,
    ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, READ)),
    version: VersionNumber = None,  # a version number; default: the latest published
    compare_to: VersionNumber = None,  # also return the diff from this version to `version`
) -> CatalogPublic:
    """`diff` is present only when `compare_to` was given (and the channel has a version)."""
    return queries.catalog(ctx, channel_id, version=version, compare_to=compare_to)


@router.get("/channels/{channel_id}/catalog/versions", response_model=Page[VersionPublic])
def channel_catalog_versions(
    channel_id: uuid.UUID,
    ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, READ)),
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[VersionPublic]:
    return queries.version_page(ctx, channel_id, limit=limit, cursor=cursor)


@router.post(
    "/channels/{channel_id}/catalog/publish",
    status_code=201,
    response_model=CatalogPublic,
    response_model_exclude_unset=True,
)
def publish(
    channel_id: uuid.UUID, body: CatalogChange, ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, WRITE))
) -> CatalogPublic:
    return actions.change_catalog(ctx, channel_id, "publish", body.offering_ids, body.note)


@router.post(
    "/channels/{channel_id}/catalog/unlist",
    status_code=201,
    response_model=CatalogPublic,
    response_model_exclude_unset=True,
)
def unlist(
    channel_id: uuid.UUID, body: CatalogChange, ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, WRITE))
) -> CatalogPublic:
    return actions.change_catalog(ctx, channel_id, "unlist", body.offering_ids, body.note)
