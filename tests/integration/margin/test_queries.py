"""The margin read models behind the pages and the REST API: one tenant currency, tenant-scoped
name lookups, one task order, one alert detail, and response models in the OpenAPI contract."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from sqlmodel import select

from engine.context import TenantContext
from tests.conftest import make_tenant


def test_tenant_currency_is_the_currency_of_most_price_books(margin_a):
    from models.catalog.lookups import DEFAULT_CURRENCY, tenant_currency
    from models.catalog.tables import PriceBook
    from models.core import mutations
    from models.core.db import tenant_session
    from seeds.catalog import build_catalog, tenant_ids

    with tenant_session(margin_a.ctx()) as session:
        assert tenant_currency(session, margin_a.ctx()) == "INR"

    bare = make_tenant("margcur")
    ctx = TenantContext.system(bare.tenant_id, bare.slug)
    with tenant_session(ctx) as session:
        assert tenant_currency(session, ctx) == DEFAULT_CURRENCY  # no price book yet
        build_catalog(session, ctx, tenant_ids(bare.tenant_id))
        inr_books = len(session.exec(select(PriceBook.id)).all())
        for i in range(inr_books + 1):
            mutations.create(
                session,
                ctx,
                PriceBook(tenant_id=bare.tenant_id, name=f"USD book {i}", kind="list", currency="USD"),
                action="price_book.create",
            )
    with tenant_session(ctx) as session:
        assert tenant_currency(session, ctx) == "USD"


def test_names_by_id_answers_only_the_tenants_own_ids(margin_a, margin_b):
    from models.catalog.lookups import names_by_id
    from models.core.db import tenant_session

    mine, theirs = margin_a.id("organization", "dealer-metro"), margin_b.id("organization", "dealer-metro")
    sku = margin_a.id("sku", "d3")
    with tenant_session(margin_a.ctx()) as session:
        orgs, skus = names_by_id(session, margin_a.ctx(), {mine, theirs, None}, {sku, margin_b.id("sku", "d3")})
    assert set(orgs) == {mine} and set(skus) == {sku}
    assert orgs[mine].name and skus[sku].code


def test_the_task_page_and_the_api_list_tasks_in_one_order(clients, margin_a):
    from models.margin.queries.tasks import TaskFilters, task_page

    api_ids = [t["id"] for t in clients["owner"].get("/api/tasks", params={"limit": 200}).json()["items"]]
    page = task_page(margin_a.ctx(), TaskFilters(), limit=200, cursor=None)
    assert [str(v.task.id) for v in page.items] == api_ids
    created = [(v.task.created_at, str(v.task.id)) for v in page.items]
    assert created == sorted(created, reverse=True)  # newest first


def test_the_alert_detail_read_model_is_what_the_api_and_the_page_show(clients, margin_a):
    from app.web.margin.alert_detail import fetch_alert
    from models.margin.queries.alerts import alert_detail

    items = clients["owner"].get("/api/alerts", params={"rule": "map_breach", "limit": 1}).json()["items"]
    alert_id = items[0]["id"]
    detail = alert_detail(margin_a.ctx(), alert_id)
    api = clients["owner"].get(f"/api/alerts/{alert_id}").json()
    page = fetch_alert(margin_a.ctx(), alert_id)
    assert api["dealer_name"] == detail.view.dealer_name == page["alert"].dealer
    assert api["sku_code"] == detail.view.sku_code == page["alert"].sku
    assert [a["action"] for a in api["actions"]] == [a.action for a in page["actions"]]
    assert len(page["evidence"]) == len(detail.evidence) > 0
    link = parse_qs(urlparse(api["floor_source"]["explain_url"]).query)
    assert link["currency"] == [detail.currency] == [page["alert"].currency] == ["INR"]


def test_every_margin_route_declares_its_response_model(clients):
    spec = clients["owner"].get("/api/openapi.json").json()
    margin_paths = [
        "/api/dashboard/summary",
        "/api/search",
        "/api/alerts",
        "/api/alerts/{alert_id}",
        "/api/alerts/{alert_id}/evidence",
        "/api/alerts/{alert_id}/timeline",
        "/api/tasks",
        "/api/tasks/{task_id}",
        "/api/dealers",
        "/api/dealers/{dealer_id}",
        "/api/dealers/{dealer_id}/status",
        "/api/margin/detect",
        "/api/enforcement/preview",
        "/api/enforcement/batches",
        "/api/enforcement/batches/{batch_id}",
        "/api/enforcement/batches/{batch_id}/start",
        "/api/enforcement/batches/{batch_id}/cancel",
        "/api/reports/enforcement/{batch_id}",
        "/api/notices",
    ]
    for path in margin_paths:
        for method, op in spec["paths"][path].items():
            ok = next(code for code in op["responses"] if code.startswith("2"))
            schema = op["responses"][ok]["content"]["application/json"]["schema"]
            assert "$ref" in schema, (method, path, schema)
    alert = spec["components"]["schemas"]["AlertPublic"]["properties"]
    assert {"id", "impact", "opened_at", "dealer_name", "sku_code"} <= set(alert)
    assert "tenant_id" not in alert
    assert alert["impact"]["type"] == "string"  # money is text, never a float
