"""Organizations, channels, products, SKUs, offerings and versioned channel catalogs (`/api/...`).

Each route sits behind a tenant feature flag (404 while off) and a permission (403): reads need
catalog.read, writes catalog.write. Creates answer 201; edits (PATCH) change only the keys sent and
are audited; a taken code answers 409; status changes only through `/orgs/{id}/status`. Lists are
keyset-paginated (`?limit&cursor`); ids of another tenant answer 404. Routes only call the catalog's
queries and actions (which own the transaction) and declare what they answer; the list / get / create /
update routes are declared from them with app/api/declare.py.
"""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Depends

from app.api import declare
from app.api.catalog.params import Cursor, InstantParam, Limit, OrgStatus, SearchText, VersionNumber
from app.api.declare import Filter, flagged
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
Q: Filter = ("q", SearchText, None)


ORGS = flagged("/orgs", "org", OrgDetailPublic, ENABLE_ORG, READ, WRITE)
CHANNELS = flagged("/channels", "channel", ChannelPublic, ENABLE_CHANNELS, READ, WRITE)
PRODUCTS = flagged("/products", "product", ProductPublic, ENABLE_CHANNELS, READ, WRITE)
SKUS = flagged("/skus", "sku", SkuPublic, ENABLE_CHANNELS, READ, WRITE)
OFFERINGS = flagged("/offerings", "offering", OfferingPublic, ENABLE_CATALOG_PUBLISHING, READ, WRITE)

# organizations

declare.lists(
    router,
    ORGS,
    queries.org_page,
    [("type", OrgType | None, None), ("status", OrgStatus | None, None), Q],
    item=OrgPublic,
)
declare.get(router, ORGS, queries.org)
declare.create(router, ORGS, OrgCreate, actions.create_org)
declare.update(router, ORGS, OrgUpdate, actions.update_org)


@router.post("/orgs/{org_id}/status")
def decide_org_status(
    org_id: uuid.UUID, body: OrgDecision, ctx: TenantContext = Depends(ORGS.write)
) -> OrgDetailPublic:
    return actions.decide_org(ctx, org_id, body.action, body.reason, body.expected_status)


@router.get("/orgs/{org_id}/relationships", response_model=Page[RelationshipPublic])
def org_relationships(
    org_id: uuid.UUID,
    ctx: TenantContext = Depends(ORGS.read),
    direction: Literal["both", "from", "to"] = "both",
    type: RelationshipType | None = None,
    at: InstantParam = None,  # only relationships effective at this instant
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RelationshipPublic]:
    return queries.relationship_page(ctx, org_id, direction=direction, type=type, at=at, limit=limit, cursor=cursor)


# channels, products, skus

declare.lists(router, CHANNELS, queries.channel_page, [Q])
declare.create(router, CHANNELS, ChannelCreate, actions.create_channel)
declare.update(router, CHANNELS, ChannelUpdate, actions.update_channel)
declare.lists(router, PRODUCTS, queries.product_page, [Q, ("manufacturer_org_id", uuid.UUID | None, None)])
declare.create(router, PRODUCTS, ProductCreate, actions.create_product)
declare.update(router, PRODUCTS, ProductUpdate, actions.update_product)
declare.lists(router, SKUS, queries.sku_page, [Q, ("product_id", uuid.UUID | None, None)])
declare.create(router, SKUS, SkuCreate, actions.create_sku)
declare.update(router, SKUS, SkuUpdate, actions.update_sku)

# offerings and channel catalogs

declare.lists(
    router,
    OFFERINGS,
    queries.offering_page,
    [("channel_id", uuid.UUID | None, None), ("sku_id", uuid.UUID | None, None)],
)
declare.create(router, OFFERINGS, OfferingCreate, actions.create_offering)


@router.get("/channels/{channel_id}/catalog", response_model=CatalogPublic, response_model_exclude_unset=True)
def channel_catalog(
    channel_id: uuid.UUID,
    ctx: TenantContext = Depends(OFFERINGS.read),
    version: VersionNumber = None,  # a version number; default: the latest published
    compare_to: VersionNumber = None,  # also return the diff from this version to `version`
) -> CatalogPublic:
    """`diff` is present only when `compare_to` was given (and the channel has a version)."""
    return queries.catalog(ctx, channel_id, version=version, compare_to=compare_to)


@router.get("/channels/{channel_id}/catalog/versions", response_model=Page[VersionPublic])
def channel_catalog_versions(
    channel_id: uuid.UUID,
    ctx: TenantContext = Depends(OFFERINGS.read),
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[VersionPublic]:
    return queries.version_page(ctx, channel_id, limit=limit, cursor=cursor)


def _catalog_change(change: str):
    def call(channel_id: uuid.UUID, body: CatalogChange, ctx: TenantContext) -> CatalogPublic:
        return actions.change_catalog(ctx, channel_id, change, body.offering_ids, body.note)

    return call


for _change in ("publish", "unlist"):  # each a new published version
    declare.route(
        router,
        "POST",
        f"/channels/{{channel_id}}/catalog/{_change}",
        _change,
        [declare.param("channel_id", uuid.UUID), declare.param("body", CatalogChange), OFFERINGS.write_param],
        CatalogPublic,
        _catalog_change(_change),
        status_code=201,
        response_model=CatalogPublic,
        response_model_exclude_unset=True,
    )
