"""The input edges an outside probe found (issue 17, items 6 and 7): every refusal is a 422 that
names the field, never a 500, never a value stored or coerced — one rule for every module
(engine/inputs.py, engine/text.py), applied to bodies and query parameters alike."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import func, select

from engine.inputs import INSTANT_MESSAGE
from engine.text import CONTROL_MESSAGE
from tests.integration.catalog.conftest import ALL_FLAGS
from tests.integration.margin.conftest import MarginTenant, build, refused
from tests.support.api_clients import create_test_api, login_client

FAR_FUTURE = "9999-12-31T23:59:59-14:00"  # overflows when converted to UTC
FAR_PAST = "0001-01-01T00:00:00+14:00"  # underflows when converted to UTC
BAD_INSTANTS = [FAR_FUTURE, FAR_PAST, "0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "3000-01-01T00:00:00Z"]
CONTROL_TEXT = ["bell\x07", "esc\x1b[31mred", "c1\x9bmid", "nul\x00byte", "del\x7f"]


@pytest.fixture(scope="module")
def edge() -> MarginTenant:
    from models.core.db import tenant_session
    from models.core.flags import set_flags

    tenant = build("edge")
    with tenant_session(tenant.ctx()) as session:
        set_flags(session, tenant.ctx(), ALL_FLAGS)
    return tenant


@pytest.fixture(scope="module")
def owner(edge):
    return login_client(create_test_api(), edge.tenant.owner_email, edge.tenant.password, raise_server_exceptions=False)


def _rule(edge: MarginTenant, **changes) -> dict:
    return {
        "price_book_id": str(edge.id("price_book", "map")),
        "sku_id": str(edge.id("sku", "d3")),
        "amount": "10.00",
        "effective_from": "2026-01-01T00:00:00Z",
        **changes,
    }


def _count_jobs(edge: MarginTenant) -> int:
    from models.core.db import tenant_session
    from models.jobs.tables import Job

    with tenant_session(edge.ctx()) as session:
        return session.exec(select(func.count()).select_from(Job).where(Job.tenant_id == edge.tenant.tenant_id)).one()


# instants (item 6)


@pytest.mark.parametrize("instant", BAD_INSTANTS)
def test_out_of_range_instants_in_a_price_rule_are_refused(owner, edge, instant):
    for field in ("effective_from", "effective_to"):
        error = refused(owner.post("/api/price-rules", json=_rule(edge, **{field: instant})), field)
        assert error["fields"][field] == INSTANT_MESSAGE
    rules = owner.get("/api/price-rules", params={"sku_id": str(edge.id("sku", "d3")), "limit": 200}).json()["items"]
    assert all(r["amount"] != "10.0000000000" for r in rules)


@pytest.mark.parametrize("instant", BAD_INSTANTS)
def test_out_of_range_instants_in_query_parameters_are_refused(owner, edge, instant):
    resolve = {"sku_id": str(edge.id("sku", "d3")), "currency": "INR", "at": instant}
    assert refused(owner.get("/api/prices/resolve", params=resolve), "at")["fields"]["at"] == INSTANT_MESSAGE
    org = edge.id("organization", "distributor")
    refused(owner.get(f"/api/orgs/{org}/relationships", params={"at": instant}), "at")
    refused(owner.get("/api/audit", params={"since": instant}), "since")
    refused(owner.get("/api/audit", params={"until": instant}), "until")


def test_the_edges_of_the_instant_range_are_accepted(owner, edge):
    for instant in ("1900-01-01T00:00:00+14:00", "2999-12-31T23:59:59-14:00"):
        res = owner.get(
            "/api/prices/resolve", params={"sku_id": str(edge.id("sku", "d3")), "currency": "INR", "at": instant}
        )
        assert res.status_code == 200, res.text
        assert res.json()["found"] is False  # the demo's rules start in this century


@pytest.mark.parametrize("instant", BAD_INSTANTS)
def test_detection_refuses_an_out_of_range_as_of_before_any_job_exists(owner, edge, instant):
    jobs = _count_jobs(edge)
    error = refused(owner.post("/api/margin/detect", json={"as_of": instant}), "as_of")
    assert error["fields"]["as_of"] == INSTANT_MESSAGE
    assert _count_jobs(edge) == jobs


def test_a_task_due_date_out_of_range_is_refused(owner):
    refused(owner.post("/api/tasks", json={"title": "x", "due_at": FAR_FUTURE}), "due_at")


# text (item 7)


@pytest.mark.parametrize("bad", CONTROL_TEXT)
def test_catalog_text_fields_refuse_control_characters_like_margin(owner, edge, bad):
    code = f"EDGE-{uuid.uuid4().hex[:6]}"
    cases = [
        ("post", "/api/orgs", {"type": "dealer", "code": code, "name": bad}, "name"),
        ("post", "/api/orgs", {"type": "dealer", "code": code, "name": "ok", "profile": {"note": [bad]}}, "profile"),
        ("post", "/api/channels", {"code": code, "name": bad, "kind": "retail"}, "name"),
        ("post", "/api/products", {"code": code, "name": "ok", "brand": bad}, "brand"),
        ("post", "/api/products", {"code": code, "name": "ok", "description": bad}, "description"),
        ("post", "/api/skus", {"product_id": str(edge.id("product", "d3")), "code": code, "name": bad}, "name"),
        (
            "post",
            "/api/skus",
            {"product_id": str(edge.id("product", "d3")), "code": code, "name": "ok", "attributes": {bad: "key"}},
            "attributes",
        ),
        ("post", "/api/price-books", {"name": bad, "kind": "list", "currency": "INR"}, "name"),
        ("post", "/api/price-rules", _rule(edge, note=bad), "note"),
        ("patch", f"/api/channels/{edge.id('channel', 'retail')}", {"name": bad}, "name"),
        ("patch", f"/api/products/{edge.id('product', 'd3')}", {"category": bad}, "category"),
        (
            "post",
            f"/api/orgs/{edge.id('organization', 'dealer-metro')}/status",
            {"action": "hold", "reason": bad},
            "reason",
        ),
        (
            "post",
            f"/api/channels/{edge.id('channel', 'retail')}/catalog/publish",
            {"offering_ids": [str(edge.id("offering", "retail:d3"))], "note": bad},
            "note",
        ),
        ("post", "/api/enforcement/batches", {"action": "warn", "name": bad}, "name"),
        ("post", "/api/auth/login", {"email": f"a{bad}@b.test", "password": "x"}, "email"),
    ]
    for method, url, body, field in cases:
        error = refused(getattr(owner, method)(url, json=body), field)
        assert error["fields"][field] == CONTROL_MESSAGE, (url, error)
    assert owner.get("/api/orgs", params={"q": code}).json()["items"] == []
    assert owner.get("/api/channels", params={"q": code}).json()["items"] == []
    assert owner.get("/api/products", params={"q": code}).json()["items"] == []
    channel = owner.get("/api/channels", params={"q": "RETAIL"}).json()["items"][0]
    assert channel["name"] == "Retail stores"


def test_catalog_forms_refuse_control_characters_too():
    """The pages validate through the same input models (parse_input) as the API."""
    from engine.errors import ValidationFailed
    from models.catalog.inputs import ProductCreate, parse_input

    with pytest.raises(ValidationFailed) as caught:
        parse_input(ProductCreate, {"code": "P-1", "name": "bell\x07"})
    assert caught.value.fields == {"name": CONTROL_MESSAGE}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/orgs", "q"),
        ("/api/channels", "q"),
        ("/api/products", "q"),
        ("/api/skus", "q"),
        ("/api/dealers", "q"),
        ("/api/search", "q"),
        ("/api/audit", "actor"),
        ("/api/audit", "action"),
        ("/api/audit", "entity"),
        ("/api/orgs", "cursor"),
    ],
)
def test_nul_in_a_query_parameter_is_refused_naming_it(owner, url, field):
    error = refused(owner.get(url, params={field: "a\x00b"}), field)
    assert error["fields"] == {field: CONTROL_MESSAGE}


# enums and strict types (item 7)


@pytest.mark.parametrize(
    ("filters", "field"),
    [({"rules": ["no_such_rule"]}, "filters.rules.0"), ({"severities": ["apocalyptic"]}, "filters.severities.0")],
)
def test_unknown_enum_values_in_preview_filters_are_refused(owner, filters, field):
    refused(owner.post("/api/enforcement/preview", json={"action": "warn", "filters": filters}), field)
    refused(owner.post("/api/enforcement/batches", json={"action": "warn", "filters": filters}), field)


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/orgs", {"type": "alien"}, "type"),
        ("/api/orgs", {"status": "vaporised"}, "status"),
        ("/api/alerts", {"rule": "no_such_rule"}, "rule"),
    ],
)
def test_unknown_enum_values_in_list_filters_are_refused(owner, url, params, field):
    refused(owner.get(url, params=params), field)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"priority": True}, "priority"),
        ({"priority": "5"}, "priority"),
        ({"priority": 1.5}, "priority"),
        ({"amount": "١٢٣"}, "amount"),  # Arabic-Indic digits
        ({"amount": "१२३.५"}, "amount"),  # Devanagari digits
    ],
)
def test_price_rules_take_json_integers_and_ascii_digits_only(owner, edge, changes, field):
    refused(owner.post("/api/price-rules", json=_rule(edge, **changes)), field)


def test_a_price_rule_with_a_json_integer_priority_is_stored(owner, edge):
    res = owner.post(
        "/api/price-rules", json=_rule(edge, priority=7, amount="123", effective_from="2031-01-01T00:00:00Z")
    )
    assert res.status_code == 201, res.text
    assert (res.json()["rule"]["priority"], res.json()["rule"]["amount"]) == (7, "123.0000000000")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dead_stock_days": True}, "dead_stock_days"),
        ({"dead_stock_days": "30"}, "dead_stock_days"),
        ({"undercut_pct": "١٠"}, "undercut_pct"),
    ],
)
def test_detection_parameters_are_strict(owner, edge, body, field):
    jobs = _count_jobs(edge)
    refused(owner.post("/api/margin/detect", json=body), field)
    assert _count_jobs(edge) == jobs


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/orgs", {"limit": "١٠"}, "limit"),
        ("/api/orgs", {"limit": "1_0"}, "limit"),
        ("/api/audit", {"limit": "+5"}, "limit"),
        ("/api/dashboard/summary", {"period_days": "true"}, "period_days"),
        ("/api/search", {"q": "x", "limit": "99"}, "limit"),
    ],
)
def test_integer_query_parameters_take_ascii_digits_in_range(owner, url, params, field):
    refused(owner.get(url, params=params), field)


def test_a_catalog_version_beyond_a_32_bit_integer_is_refused(owner, edge):
    url = f"/api/channels/{edge.id('channel', 'retail')}/catalog"
    refused(owner.get(url, params={"version": str(2**31)}), "version")
    refused(owner.get(url, params={"compare_to": "99999999999999999999"}), "compare_to")


# methods and paths (item 7)


@pytest.fixture(scope="module")
def mounted(edge):
    """The API as the product serves it: Reflex mounts its own app at "" behind ours (app/app.py),
    and that app answers every other path with plain text."""
    from fastapi.testclient import TestClient
    from starlette.responses import PlainTextResponse

    async def reflex_like(scope, receive, send):
        await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)

    api = create_test_api()
    api.mount("", reflex_like)
    client = TestClient(api, raise_server_exceptions=False)
    token = client.post("/api/auth/login", json={"email": edge.tenant.owner_email, "password": edge.tenant.password})
    client.headers["Authorization"] = f"Bearer {token.json()['token']}"
    return client


@pytest.mark.parametrize("which", ["mounted", "owner"])
def test_an_undeclared_method_is_a_json_405_with_allow(request, which):
    client = request.getfixturevalue(which)
    for method, url, allow in [
        ("DELETE", "/api/orgs", "GET, POST"),
        ("PUT", f"/api/orgs/{uuid.uuid4()}", "GET, PATCH"),
        ("POST", "/api/health", "GET"),
    ]:
        res = client.request(method, url)
        assert res.status_code == 405, (method, url, res.text)
        assert res.headers["content-type"] == "application/json"
        assert res.headers["allow"] == allow
        assert res.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("which", ["mounted", "owner"])
def test_an_unknown_api_path_is_a_json_404(request, which):
    client = request.getfixturevalue(which)
    for method, url in [("GET", "/api/no-such-thing"), ("POST", "/api/orgs/x/y/z"), ("GET", "/api")]:
        res = client.request(method, url)
        assert res.status_code == 404, (method, url, res.text)
        assert res.headers["content-type"] == "application/json"
        assert res.json() == {"error": {"code": "not_found", "message": "Not Found", "fields": {}}}


def test_paths_outside_the_api_still_reach_the_mounted_app(mounted):
    res = mounted.get("/some/page")
    assert (res.status_code, res.text) == (404, "Not Found")


def test_a_body_that_is_not_json_or_missing_is_refused_naming_the_body(owner):
    not_utf8 = owner.post("/api/tasks", content=b"\xff\xfe{", headers={"content-type": "application/json"})
    assert refused(not_utf8, "body")["fields"]["body"]
    refused(owner.post("/api/tasks", content=b"{not json", headers={"content-type": "application/json"}), "body")
    refused(owner.post("/api/tasks"), "body")
