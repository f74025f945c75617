"""The catalog pages' server side, without a browser: registration, the display rows the pages make
from the catalog's queries, the status decision action, the 'why' panel."""

from __future__ import annotations

import pytest

from engine.errors import NotFound, ValidationFailed


@pytest.fixture(scope="module")
def pages():
    import app.web.modules  # noqa: F401  (registers the pages)
    from app.web.catalog import price_views, views
    from app.web.shell.registry import PAGES

    return PAGES, views, price_views


def test_pages_are_registered_guarded_and_build(pages):
    registry, *_ = pages
    expected = {
        "/catalog/organizations": "catalog.read",
        "/catalog/skus": "catalog.read",
        "/catalog/channels": "catalog.read",
        "/catalog/pricing": "pricing.read",
    }
    for route, permission in expected.items():
        spec = registry[route]
        assert spec.permission == permission
        assert spec.component() is not None  # the component tree builds (vars type-check)


def test_org_page_data_and_status_action(pages, cat_a, cat_b):
    from models.catalog import actions

    _, page, _ = pages
    ctx = cat_a.ctx("ops")
    dealers = page.org_rows(ctx, "dealer")
    assert {r.name for r in dealers} == {"Metro Pharma Retail", "Coastal Health Mart"}
    detail = page.org_detail(ctx, str(cat_a.ids.orgs["distributor"]))
    assert len(detail["relationships"]) == 3
    assert "Northstar Distribution distributes to Metro Pharma Retail" in {r.text for r in detail["relationships"]}
    assert {a["action"] for a in detail["actions"]} == {"hold", "suspend", "archive"}
    metro = str(cat_a.ids.orgs["dealer-metro"])
    with pytest.raises(ValidationFailed):
        actions.decide_org(ctx, metro, "hold", "")
    actions.decide_org(ctx, metro, "hold", "awaiting paperwork")
    assert page.org_detail(ctx, metro)["org"].status == "on_hold"
    actions.decide_org(ctx, metro, "reinstate", "paperwork in")
    with pytest.raises(NotFound):
        page.org_detail(cat_b.ctx(), metro)  # another tenant's id looks absent


def test_sku_and_channel_page_data(pages, cat_a):
    from app.web.catalog.channels import change_listing

    _, page, _ = pages
    ctx = cat_a.ctx("viewer")
    skus = page.sku_page(ctx).skus
    assert [s.code for s in skus] == ["AUR-D3-60", "AUR-OMEGA-90", "AUR-ZINC-30"]
    assert {s.manufacturer for s in skus} == {"Demo Brand Co."}
    online = str(cat_a.ids.channels["online"])
    data = page.channel_catalog(ctx, online)
    assert data.current == "2" and [v.version for v in data.versions] == ["2", "1"]
    assert {o.title: o.listed for o in data.offerings}["Aurora Zinc 50 mg, 30 tablets"] is False
    diff = page.catalog_diff(ctx, online, 1, 2)
    assert [(d.change, d.sku_code) for d in diff if d.change != "unchanged"] == [("removed", "AUR-ZINC-30")]
    number = change_listing(cat_a.ctx("ops"), online, "publish", str(cat_a.ids.offerings["online:zinc"]), "back")
    assert number == 3


def test_why_this_price_panel(pages, cat_a):
    _, _, pricing_page = pages
    ctx = cat_a.ctx("viewer")
    data = pricing_page.overview(ctx, "__all__")
    assert {b.kind for b in data.books} == {"map", "mrp"}
    assert len(data.rules) == 8 and len(data.skus) == 3
    form = {
        "sku_id": str(cat_a.ids.skus["d3"]),
        "org_id": str(cat_a.ids.orgs["dealer-metro"]),
        "channel_id": "__none__",
        "kind": "map",
        "currency": "inr",
        "at": "2026-06-01",
    }
    answer = pricing_page.explain(ctx, form)
    assert answer.price == "479 INR" and answer.level == "org"
    rows = {r.outcome: r for r in answer.candidates}
    assert rows["winner"].org == "Metro Pharma Retail"
    assert rows["outranked"].reason == "lower precedence"
    no_price = pricing_page.explain(ctx, {**form, "at": "2025-06-01"})
    assert no_price.price == "No price" and {r.reason for r in no_price.candidates} == {"not yet effective"}
    with pytest.raises(ValidationFailed):
        pricing_page.explain(ctx, {**form, "at": "June"})
