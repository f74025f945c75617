"""Organizations, channels, products, SKUs, offerings and versioned channel catalogs (`/api/...`).

Each route sits behind a tenant feature flag (404 while off) and a permission (403): reads need
catalog.read, writes catalog.write. Creates answer 201; edits (PATCH) change only the keys sent and
are audited; a taken code answers 409; status changes only through `/orgs/{id}/status`. Lists are keyset-paginated (`?limit&cursor`); ids of another
tenant answer 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlmodel import SQLModel

from app.api.deps import Cursor, InstantParam, Limit, SearchText
from app.api.routes.settings import feature
from engine.audit_chain import to_jsonable
from engine.catalog.machines import ORG_STATUS
from engine.context import TenantContext
from engine.inputs import INT32_MAX, query_int
from models.catalog import catalog, orgs, publishing
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
from models.db import tenant_session
from models.flags import ENABLE_CATALOG_PUBLISHING, ENABLE_CHANNELS, ENABLE_ORG
from models.pagination import Page

router = APIRouter(prefix="/api", tags=["catalog"])

READ, WRITE = "catalog.read", "catalog.write"
OrgStatus = Literal[tuple(sorted(ORG_STATUS.states))]  # type: ignore[valid-type]
VersionNumber = Annotated[query_int(1, INT32_MAX) | None, Query()]


def row_view(row: SQLModel, **extra: Any) -> dict[str, Any]:
    """A row as JSON: ids and money as strings, instants as ISO-8601 UTC, no tenant_id."""
    data = to_jsonable(row.model_dump())
    data.pop("tenant_id", None)
    return {**data, **to_jsonable(extra)}


def page_view(page: Page[Any], view=row_view) -> dict[str, Any]:
    return {"items": [view(r) for r in page.items], "next_cursor": page.next_cursor}


# organizations


@router.get("/orgs")
def list_orgs(
    ctx: TenantContext = Depends(feature(ENABLE_ORG, READ)),
    type: OrgType | None = None,
    status: OrgStatus | None = None,
    q: SearchText = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        return page_view(orgs.list_orgs(session, ctx, type=type, status=status, q=q, limit=limit, cursor=cursor))


def _org_detail(ctx: TenantContext, org) -> dict:
    actions = [
        {"action": t.action, "label": t.display, "reason_required": t.reason_required}
        for t in ORG_STATUS.available_actions(org.status, ctx)
    ]
    return row_view(org, actions=actions)


@router.get("/orgs/{org_id}")
def get_org(org_id: uuid.UUID, ctx: TenantContext = Depends(feature(ENABLE_ORG, READ))) -> dict:
    with tenant_session(ctx) as session:
        return _org_detail(ctx, orgs.get_org(session, ctx, org_id))


@router.post("/orgs", status_code=201)
def create_org(body: OrgCreate, ctx: TenantContext = Depends(feature(ENABLE_ORG, WRITE))) -> dict:
    with tenant_session(ctx) as session:
        return _org_detail(ctx, orgs.create_org(session, ctx, body))


@router.patch("/orgs/{org_id}")
def update_org(org_id: uuid.UUID, body: OrgUpdate, ctx: TenantContext = Depends(feature(ENABLE_ORG, WRITE))) -> dict:
    with tenant_session(ctx) as session:
        return _org_detail(ctx, orgs.update_org(session, ctx, org_id, body))


@router.post("/orgs/{org_id}/status")
def decide_org_status(
    org_id: uuid.UUID, body: OrgDecision, ctx: TenantContext = Depends(feature(ENABLE_ORG, WRITE))
) -> dict:
    with tenant_session(ctx) as session:
        return _org_detail(ctx, orgs.change_org_status(session, ctx, org_id, body.action, body.reason))


@router.get("/orgs/{org_id}/relationships")
def org_relationships(
    org_id: uuid.UUID,
    ctx: TenantContext = Depends(feature(ENABLE_ORG, READ)),
    direction: Literal["both", "from", "to"] = "both",
    type: RelationshipType | None = None,
    at: InstantParam = None,  # only relationships effective at this instant
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        page = orgs.list_relationships(
            session, ctx, org_id, direction=direction, type=type, at=at, limit=limit, cursor=cursor
        )
        names = orgs.orgs_by_id(session, ctx, {r.from_org_id for r in page.items} | {r.to_org_id for r in page.items})

        def view(rel) -> dict:
            other = rel.to_org_id if rel.from_org_id == org_id else rel.from_org_id
            counterpart = names.get(other)
            return row_view(
                rel,
                direction="from" if rel.from_org_id == org_id else "to",
                counterpart={"id": other, "name": counterpart.name, "type": counterpart.type} if counterpart else None,
            )

        return page_view(page, view)


# channels, products, skus


@router.get("/channels")
def list_channels(
    ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, READ)),
    q: SearchText = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        return page_view(catalog.list_channels(session, ctx, q=q, limit=limit, cursor=cursor))


@router.post("/channels", status_code=201)
def create_channel(body: ChannelCreate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))) -> dict:
    with tenant_session(ctx) as session:
        return row_view(catalog.create_channel(session, ctx, body))


@router.patch("/channels/{channel_id}")
def update_channel(
    channel_id: uuid.UUID, body: ChannelUpdate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))
) -> dict:
    with tenant_session(ctx) as session:
        return row_view(catalog.update_channel(session, ctx, channel_id, body))


@router.get("/products")
def list_products(
    ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, READ)),
    q: SearchText = None,
    manufacturer_org_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        page = catalog.list_products(
            session, ctx, q=q, manufacturer_org_id=manufacturer_org_id, limit=limit, cursor=cursor
        )
        return page_view(page)


@router.post("/products", status_code=201)
def create_product(body: ProductCreate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))) -> dict:
    with tenant_session(ctx) as session:
        return row_view(catalog.create_product(session, ctx, body))


@router.patch("/products/{product_id}")
def update_product(
    product_id: uuid.UUID, body: ProductUpdate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))
) -> dict:
    with tenant_session(ctx) as session:
        return row_view(catalog.update_product(session, ctx, product_id, body))


@router.get("/skus")
def list_skus(
    ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, READ)),
    q: SearchText = None,
    product_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        return page_view(catalog.list_skus(session, ctx, q=q, product_id=product_id, limit=limit, cursor=cursor))


@router.post("/skus", status_code=201)
def create_sku(body: SkuCreate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))) -> dict:
    with tenant_session(ctx) as session:
        return row_view(catalog.create_sku(session, ctx, body))


@router.patch("/skus/{sku_id}")
def update_sku(sku_id: uuid.UUID, body: SkuUpdate, ctx: TenantContext = Depends(feature(ENABLE_CHANNELS, WRITE))) -> dict:
    with tenant_session(ctx) as session:
        return row_view(catalog.update_sku(session, ctx, sku_id, body))


# offerings and channel catalogs


@router.get("/offerings")
def list_offerings(
    ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, READ)),
    channel_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        page = catalog.list_offerings(session, ctx, channel_id=channel_id, sku_id=sku_id, limit=limit, cursor=cursor)
        return page_view(page)


@router.post("/offerings", status_code=201)
def create_offering(
    body: OfferingCreate, ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, WRITE))
) -> dict:
    with tenant_session(ctx) as session:
        return row_view(catalog.create_offering(session, ctx, body))


def _catalog_view(view: publishing.CatalogView) -> dict[str, Any]:
    return {
        "channel": row_view(view.channel),
        "version": row_view(view.version) if view.version else None,
        "items": [publishing.item_view(i) for i in view.items],
    }


@router.get("/channels/{channel_id}/catalog")
def channel_catalog(
    channel_id: uuid.UUID,
    ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, READ)),
    version: VersionNumber = None,  # a version number; default: the latest published
    compare_to: VersionNumber = None,  # also return the diff from this version to `version`
) -> dict:
    with tenant_session(ctx) as session:
        view = publishing.get_catalog(session, ctx, channel_id, version=version)
        body = _catalog_view(view)
        if compare_to is not None and view.version is not None:
            body["diff"] = publishing.diff_versions(session, ctx, channel_id, compare_to, view.version.version)
        return body


@router.get("/channels/{channel_id}/catalog/versions")
def channel_catalog_versions(
    channel_id: uuid.UUID,
    ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, READ)),
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        return page_view(publishing.list_versions(session, ctx, channel_id, limit=limit, cursor=cursor))


def _change(channel_id: uuid.UUID, change: str, body: CatalogChange, ctx: TenantContext) -> dict:
    with tenant_session(ctx) as session:
        view = publishing.change_catalog(session, ctx, channel_id, change, body.offering_ids, note=body.note)
        return _catalog_view(view)


@router.post("/channels/{channel_id}/catalog/publish", status_code=201)
def publish(
    channel_id: uuid.UUID, body: CatalogChange, ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, WRITE))
) -> dict:
    return _change(channel_id, "publish", body, ctx)


@router.post("/channels/{channel_id}/catalog/unlist", status_code=201)
def unlist(
    channel_id: uuid.UUID, body: CatalogChange, ctx: TenantContext = Depends(feature(ENABLE_CATALOG_PUBLISHING, WRITE))
) -> dict:
    return _change(channel_id, "unlist", body, ctx)
