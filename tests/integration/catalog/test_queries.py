"""The catalog's queries and actions (they own the transaction): the REST read models give exactly
the JSON the routes gave before they were declared, text search is literal, actions check the
permission themselves, and the status vocabularies come from the machines."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from engine.errors import Forbidden
from engine.jsonable import to_jsonable
from models.catalog.inputs import OrgCreate

PUBLIC_OF = {
    "Organization": "OrgPublic",
    "Channel": "ChannelPublic",
    "Product": "ProductPublic",
    "Sku": "SkuPublic",
    "Offering": "OfferingPublic",
    "ChannelCatalogVersion": "VersionPublic",
    "PriceBook": "PriceBookPublic",
    "PriceRule": "PriceRulePublic",
}


def test_public_models_give_the_rows_json(cat_a):
    from models.catalog import public, tables
    from models.core.db import tenant_session

    ctx = cat_a.ctx()
    checked = 0
    with tenant_session(ctx) as session:
        for table, model in PUBLIC_OF.items():
            rows = session.exec(select(getattr(tables, table))).all()
            assert rows, table
            for row in rows:
                before = to_jsonable(row.model_dump())  # what the routes' row_view returned
                before.pop("tenant_id")
                assert getattr(public, model).of(row).model_dump(mode="json") == before, table
                checked += 1
    assert checked > 30


def test_search_is_literal(cat_a):
    from models.catalog import actions, queries

    ctx = cat_a.ctx("admin")
    suffix = uuid.uuid4().hex[:6]
    actions.create_org(ctx, OrgCreate(type="supplier", code=f"PCT-{suffix}", name=f"100% Pure {suffix}"))
    actions.create_org(ctx, OrgCreate(type="supplier", code=f"PCX-{suffix}", name=f"100X Pure {suffix}"))
    assert [o.name for o in queries.org_page(ctx, q=f"100% pure {suffix}").items] == [f"100% Pure {suffix}"]
    assert [o.code for o in queries.org_page(ctx, q=f"PC_-{suffix}").items] == []  # `_` is not a wildcard
    assert queries.sku_page(ctx, q="%").items == []  # no SKU has a % in its code or name
    assert {s.code for s in queries.sku_page(ctx, q="aur-d3").items} == {"AUR-D3-60"}
    assert queries.channel_page(ctx, q="_").items == []
    assert queries.product_page(ctx, q="%").items == []


def test_actions_check_the_permission_and_write_nothing_when_refused(cat_a):
    from models.catalog import actions, queries

    viewer = cat_a.ctx("viewer")
    code = f"NOPE-{uuid.uuid4().hex[:6]}"
    with pytest.raises(Forbidden):
        actions.create_org(viewer, OrgCreate(type="dealer", code=code, name="Never"))
    metro = cat_a.ids.orgs["dealer-metro"]
    with pytest.raises(Forbidden):
        actions.decide_org(viewer, metro, "hold", "not allowed")
    assert queries.org_page(cat_a.ctx(), q=code).items == []
    assert queries.org(cat_a.ctx(), metro).status == "active"
    assert queries.org(viewer, metro).actions == []  # a viewer is offered no decision


def test_status_vocabularies_are_the_machines_states():
    from engine.catalog.machines import CATALOG_VERSION, ORG_STATUS
    from engine.catalog.types import CATALOG_CHANGES, CATALOG_VERSION_STATUSES, ORG_STATUSES

    assert ORG_STATUSES == ("active", "on_hold", "suspended", "archived")
    assert set(ORG_STATUSES) == ORG_STATUS.states
    assert set(CATALOG_VERSION_STATUSES) == CATALOG_VERSION.states
    assert CATALOG_CHANGES == ("publish", "unlist")
