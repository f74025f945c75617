"""REST API of catalog and pricing: every route, cross-tenant 404, role 403, flags 404, errors."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import select

from seeds.catalog import FUTURE
from tests.integration.catalog.conftest import build, ids_of
from tests.support.api_clients import api_error, login_client
from tests.support.users import add_user

# organizations


def test_orgs_list_filters_and_paginates(clients, cat_a):
    owner = clients["owner"]
    body = owner.get("/api/orgs").json()
    assert [o["name"] for o in body["items"]] == sorted(o["name"] for o in body["items"])
    assert set(ids_of(body)) == {str(i) for i in cat_a.ids.orgs.values()}
    assert {o["type"] for o in owner.get("/api/orgs", params={"type": "dealer"}).json()["items"]} == {"dealer"}
    seen, cursor = [], None
    while True:
        page = owner.get("/api/orgs", params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += ids_of(page)
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids_of(body)
    api_error(owner.get("/api/orgs", params={"limit": 0}), 422, "validation_error")
    api_error(owner.get("/api/orgs", params={"cursor": "garbage"}), 422, "validation_error")


def test_org_detail_cross_tenant_and_roles(clients, cat_a):
    dealer = cat_a.ids.orgs["dealer-metro"]
    body = clients["viewer"].get(f"/api/orgs/{dealer}").json()
    assert body["profile"]["tier"] == "gold" and body["status"] == "active"
    assert body["actions"] == []  # a viewer may take no status action
    ops_actions = {a["action"] for a in clients["ops"].get(f"/api/orgs/{dealer}").json()["actions"]}
    assert ops_actions == {"hold", "suspend", "archive"}
    api_error(clients["b_owner"].get(f"/api/orgs/{dealer}"), 404, "not_found")
    api_error(clients["owner"].get(f"/api/orgs/{uuid.uuid4()}"), 404, "not_found")
    api_error(clients["owner"].get("/api/orgs/not-a-uuid"), 422, "validation_error")
    api_error(clients["vendor"].get("/api/orgs"), 403, "forbidden")


def test_org_relationships(clients, cat_a):
    dist = cat_a.ids.orgs["distributor"]
    body = clients["owner"].get(f"/api/orgs/{dist}/relationships").json()
    pairs = {(r["direction"], r["type"], r["counterpart"]["name"]) for r in body["items"]}
    assert pairs == {
        ("to", "supplies", "Demo Brand Co."),
        ("from", "distributes_to", "Metro Pharma Retail"),
        ("from", "distributes_to", "Coastal Health Mart"),
    }
    only_from = clients["owner"].get(f"/api/orgs/{dist}/relationships", params={"direction": "from"}).json()
    assert len(only_from["items"]) == 2
    before = clients["owner"].get(f"/api/orgs/{dist}/relationships", params={"at": "2025-06-01T00:00:00Z"}).json()
    assert before["items"] == []
    api_error(clients["b_owner"].get(f"/api/orgs/{dist}/relationships"), 404, "not_found")


def test_org_status_goes_through_the_decision_path(clients, cat_a):
    from models.core.db import tenant_session
    from models.core.tables import DecisionEvent

    dealer = cat_a.ids.orgs["dealer-coastal"]
    url = f"/api/orgs/{dealer}/status"
    api_error(clients["viewer"].post(url, json={"action": "suspend", "reason": "x"}), 403, "forbidden")
    err = api_error(clients["ops"].post(url, json={"action": "suspend", "reason": ""}), 422, "validation_error")
    assert "reason" in err["fields"]
    res = clients["ops"].post(url, json={"action": "suspend", "reason": "MAP breaches in October"})
    assert res.status_code == 200, res.text
    assert res.json()["status"] == "suspended"
    api_error(clients["ops"].post(url, json={"action": "suspend", "reason": "again"}), 409, "invalid_transition")
    assert clients["ops"].post(url, json={"action": "reinstate", "reason": "resolved"}).json()["status"] == "active"
    api_error(clients["b_owner"].post(url, json={"action": "hold", "reason": "x"}), 404, "not_found")
    with tenant_session(cat_a.ctx()) as session:
        events = session.exec(select(DecisionEvent).where(DecisionEvent.entity_id == dealer)).all()
    assert [(e.action, e.to_status) for e in sorted(events, key=lambda e: e.at)] == [
        ("suspend", "suspended"),
        ("reinstate", "active"),
    ]


# channels, products, skus


def test_channels_products_skus(clients, cat_a, cat_b):
    owner = clients["owner"]
    assert set(ids_of(owner.get("/api/channels").json())) == {str(i) for i in cat_a.ids.channels.values()}
    assert set(ids_of(owner.get("/api/products").json())) == {str(i) for i in cat_a.ids.products.values()}
    skus = owner.get("/api/skus").json()
    assert set(ids_of(skus)) == {str(i) for i in cat_a.ids.skus.values()}
    assert [s["code"] for s in skus["items"]] == ["AUR-D3-60", "AUR-OMEGA-90", "AUR-ZINC-30"]
    one = owner.get("/api/skus", params={"product_id": str(cat_a.ids.products["zinc"])}).json()
    assert ids_of(one) == [str(cat_a.ids.skus["zinc"])]
    assert ids_of(owner.get("/api/skus", params={"q": "omega"}).json()) == [str(cat_a.ids.skus["omega"])]
    # tenant B sees only its own rows
    assert set(ids_of(clients["b_owner"].get("/api/skus").json())) == {str(i) for i in cat_b.ids.skus.values()}
    for path in ("/api/channels", "/api/products", "/api/skus"):
        api_error(clients["vendor"].get(path), 403, "forbidden")


# offerings and channel catalogs


def test_offerings_list_and_create(clients, cat_a, cat_b):
    from models.catalog import catalog
    from models.catalog.inputs import SkuCreate
    from models.core.db import tenant_session

    ctx = cat_a.ctx()
    with tenant_session(ctx) as session:
        sku = catalog.create_sku(
            session,
            ctx,
            SkuCreate(product_id=cat_a.ids.products["zinc"], code=f"AUR-ZINC-{uuid.uuid4().hex[:4]}", name="Zinc 90"),
        )
    retail = str(cat_a.ids.channels["retail"])
    listed = clients["viewer"].get("/api/offerings", params={"channel_id": retail}).json()
    assert len(listed["items"]) == 3
    body = {"channel_id": retail, "sku_id": str(sku.id)}
    api_error(clients["viewer"].post("/api/offerings", json=body), 403, "forbidden")
    res = clients["ops"].post("/api/offerings", json=body)
    assert res.status_code == 201, res.text
    assert res.json()["title"] == "Zinc 90"
    api_error(clients["ops"].post("/api/offerings", json=body), 409, "conflict")
    err = api_error(
        clients["ops"].post("/api/offerings", json={**body, "channel_id": str(cat_b.ids.channels["retail"])}),
        422,
        "validation_error",
    )
    assert err["fields"] == {"channel_id": "not found"}
    err = api_error(clients["ops"].post("/api/offerings", json={**body, "colour": "red"}), 422, "validation_error")
    assert "colour" in err["fields"]
    assert clients["b_owner"].get("/api/offerings", params={"channel_id": retail}).json()["items"] == []


def test_channel_catalog_versions_publish_unlist_and_diff(clients, cat_a):
    online = cat_a.ids.channels["online"]
    zinc = str(cat_a.ids.offerings["online:zinc"])
    owner, ops = clients["owner"], clients["ops"]
    current = owner.get(f"/api/channels/{online}/catalog").json()
    assert current["version"]["version"] == 2 and current["version"]["status"] == "published"
    assert [i["sku_code"] for i in current["items"]] == ["AUR-D3-60", "AUR-OMEGA-90"]
    diff = owner.get(f"/api/channels/{online}/catalog", params={"version": 2, "compare_to": 1}).json()["diff"]
    assert [i["sku_code"] for i in diff["removed"]] == ["AUR-ZINC-30"] and diff["added"] == []

    api_error(
        clients["viewer"].post(f"/api/channels/{online}/catalog/publish", json={"offering_ids": [zinc]}),
        403,
        "forbidden",
    )
    res = ops.post(f"/api/channels/{online}/catalog/publish", json={"offering_ids": [zinc], "note": "back in stock"})
    assert res.status_code == 201, res.text
    v3 = res.json()
    assert v3["version"]["version"] == 3 and v3["version"]["based_on_version"] == 2
    assert len(v3["items"]) == 3
    err = api_error(
        ops.post(f"/api/channels/{online}/catalog/publish", json={"offering_ids": [zinc]}), 422, "validation_error"
    )
    assert err["fields"] == {"offering_ids": "already listed"}
    retail_zinc = str(cat_a.ids.offerings["retail:zinc"])
    err = api_error(
        ops.post(f"/api/channels/{online}/catalog/unlist", json={"offering_ids": [retail_zinc]}),
        422,
        "validation_error",
    )
    assert err["fields"] == {"offering_ids": "not listed"}
    v4 = ops.post(f"/api/channels/{online}/catalog/unlist", json={"offering_ids": [zinc]}).json()
    assert v4["version"]["version"] == 4 and v4["version"]["change"] == "unlist" and len(v4["items"]) == 2

    versions = owner.get(f"/api/channels/{online}/catalog/versions", params={"limit": 3}).json()
    assert [v["version"] for v in versions["items"]] == [4, 3, 2] and versions["next_cursor"]
    rest = owner.get(f"/api/channels/{online}/catalog/versions", params={"cursor": versions["next_cursor"]}).json()
    assert [v["version"] for v in rest["items"]] == [1]
    old = owner.get(f"/api/channels/{online}/catalog", params={"version": 1}).json()  # history kept
    assert len(old["items"]) == 3
    api_error(owner.get(f"/api/channels/{online}/catalog", params={"version": 99}), 404, "not_found")
    api_error(clients["b_owner"].get(f"/api/channels/{online}/catalog"), 404, "not_found")
    api_error(
        clients["b_owner"].post(f"/api/channels/{online}/catalog/publish", json={"offering_ids": [zinc]}),
        404,
        "not_found",
    )
    api_error(ops.post(f"/api/channels/{online}/catalog/publish", json={"offering_ids": []}), 422, "validation_error")


# price books and rules


def test_price_books(clients, cat_a):
    owner = clients["owner"]
    books = owner.get("/api/price-books").json()
    assert {b["kind"] for b in books["items"]} == {"map", "mrp"}
    assert owner.get("/api/price-books", params={"kind": "mrp"}).json()["items"][0]["currency"] == "INR"
    body = {"name": f"List USD {uuid.uuid4().hex[:4]}", "kind": "list", "currency": "USD"}
    api_error(clients["ops"].post("/api/price-books", json=body), 403, "forbidden")  # ops lacks pricing.write
    res = clients["admin"].post("/api/price-books", json=body)
    assert res.status_code == 201, res.text
    api_error(owner.post("/api/price-books", json=body), 409, "conflict")
    err = api_error(
        owner.post("/api/price-books", json={**body, "name": "x", "currency": "usd"}), 422, "validation_error"
    )
    assert "currency" in err["fields"]
    err = api_error(
        owner.post("/api/price-books", json={**body, "name": "y", "kind": "retail"}), 422, "validation_error"
    )
    assert "kind" in err["fields"]


def test_price_rules_create_with_overlap_warnings_and_validation(clients, cat_a, cat_b):
    owner = clients["owner"]
    zinc = str(cat_a.ids.skus["zinc"])
    rules = owner.get("/api/price-rules", params={"sku_id": zinc}).json()["items"]
    assert sorted(r["amount"] for r in rules) == ["249.0000000000", "299.0000000000"]
    body = {
        "price_book_id": str(cat_a.ids.books["map"]),
        "sku_id": zinc,
        "amount": "259.50",
        "effective_from": "2026-01-01T00:00:00Z",
    }
    api_error(clients["viewer"].post("/api/price-rules", json=body), 403, "forbidden")
    res = owner.post("/api/price-rules", json=body)
    assert res.status_code == 201, res.text
    created = res.json()
    assert created["rule"]["amount"] == "259.5000000000" and created["rule"]["kind"] == "map"
    [warning] = created["warnings"]
    assert warning["severity"] == "ambiguous" and warning["level"] == "global"
    assert str(cat_a.ids.rules["map:zinc"]) in warning["rule_ids"]

    for bad, field in (
        ({"amount": 12.5}, "amount"),
        ({"amount": "1.123456789012"}, "amount"),
        ({"amount": "-3"}, "amount"),
        ({"effective_from": "2026-01-01T00:00:00"}, "effective_from"),
        ({"effective_to": "2025-01-01T00:00:00Z"}, "effective_to"),
        ({"sku_id": str(cat_b.ids.skus["zinc"])}, "sku_id"),
        ({"org_id": str(cat_b.ids.orgs["dealer-metro"])}, "org_id"),
        ({"priority": "high"}, "priority"),
        ({"currency": "INR"}, "currency"),
    ):
        err = api_error(owner.post("/api/price-rules", json={**body, **bad}), 422, "validation_error")
        assert field in err["fields"], (bad, err)
    after = owner.get("/api/price-rules", params={"sku_id": zinc}).json()["items"]
    assert len(after) == 3  # nothing partial was written by the refused requests
    assert clients["b_owner"].get("/api/price-rules", params={"sku_id": zinc}).json()["items"] == []


def test_price_rule_conflicts_report(clients, cat_a):
    body = clients["viewer"].get("/api/price-rules/conflicts").json()
    assert body["total"] == len(body["items"]) >= 1
    supersede = [c for c in body["items"] if c["severity"] == "info"]
    assert any(str(cat_a.ids.rules["map:omega:future"]) == c["winner_id"] for c in supersede)
    only = clients["viewer"].get("/api/price-rules/conflicts", params={"severity": "info", "limit": 1}).json()
    assert len(only["items"]) == 1 and all(c["severity"] == "info" for c in only["items"])
    api_error(clients["vendor"].get("/api/price-rules/conflicts"), 403, "forbidden")


def test_resolve_explains_and_is_audited(clients, cat_a):
    from models.core.db import tenant_session
    from models.core.tables import AuditEvent

    sku, dealer = cat_a.ids.skus["d3"], cat_a.ids.orgs["dealer-metro"]
    params = {"sku_id": str(sku), "org_id": str(dealer), "currency": "INR", "kind": "map", "at": "2026-06-01T00:00:00Z"}
    body = clients["viewer"].get("/api/prices/resolve", params=params).json()
    assert body["found"] and body["price"] == "479.0000000000" and body["level"] == "org"
    assert body["rule_id"] == str(cat_a.ids.rules["map:d3:dealer-metro"])
    outcomes = {c["rule_id"]: (c["outcome"], c["reason"]) for c in body["candidates"]}
    assert outcomes[str(cat_a.ids.rules["map:d3"])] == ("outranked", "lower_precedence")

    other_dealer = {**params, "org_id": str(cat_a.ids.orgs["dealer-coastal"])}
    assert clients["viewer"].get("/api/prices/resolve", params=other_dealer).json()["price"] == "499.0000000000"

    omega = {"sku_id": str(cat_a.ids.skus["omega"]), "currency": "INR", "kind": "map"}
    switch = FUTURE  # the seed's future-dated rule starts here (a fixed instant, not "now")
    before = (switch - timedelta(microseconds=1)).isoformat().replace("+00:00", "Z")
    now = clients["viewer"].get("/api/prices/resolve", params={**omega, "at": before}).json()
    later = clients["viewer"].get("/api/prices/resolve", params={**omega, "at": switch.isoformat()}).json()
    assert (now["price"], later["price"]) == ("1299.0000000000", "1349.0000000000")
    assert later["decided_by"] == "effective_from"

    usd = clients["viewer"].get("/api/prices/resolve", params={**params, "currency": "USD"}).json()
    assert usd["found"] is False and usd["price"] is None
    assert {c["reason"] for c in usd["candidates"]} == {"currency_mismatch"}

    api_error(
        clients["viewer"].get("/api/prices/resolve", params={**params, "at": "2026-06-01T00:00:00"}),
        422,
        "validation_error",
    )
    err = api_error(clients["viewer"].get("/api/prices/resolve", params={"sku_id": str(sku)}), 422, "validation_error")
    assert "currency" in err["fields"]
    api_error(clients["b_owner"].get("/api/prices/resolve", params=params), 404, "not_found")
    api_error(clients["vendor"].get("/api/prices/resolve", params=params), 403, "forbidden")

    with tenant_session(cat_a.ctx()) as session:
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.tenant_id == cat_a.tenant.tenant_id, AuditEvent.action == "price.resolve"
            )
        ).all()
    assert len(events) >= 5
    assert any(e.after["price"] == "479.0000000000" and e.after["level"] == "org" for e in events)


# flags


def test_flags_off_answer_404_and_toggling_is_audited(api):
    from models.core.db import tenant_session
    from models.core.tables import AuditEvent

    dark = build("dark", flags={})
    owner = login_client(api, dark.tenant.owner_email, dark.tenant.password)
    viewer = login_client(api, add_user(dark.tenant, "viewer"))
    sku = dark.ids.skus["d3"]
    guarded = [
        ("get", "/api/orgs", None),
        ("get", f"/api/orgs/{dark.ids.orgs['brand']}", None),
        ("get", "/api/channels", None),
        ("get", "/api/skus", None),
        ("get", "/api/offerings", None),
        ("get", f"/api/channels/{dark.ids.channels['retail']}/catalog", None),
        ("get", "/api/price-books", None),
        ("get", "/api/price-rules/conflicts", None),
        ("get", f"/api/prices/resolve?sku_id={sku}&currency=INR", None),
    ]
    for method, path, body in guarded:
        api_error(getattr(owner, method)(path, **({"json": body} if body else {})), 404, "not_found")

    flags = {f["name"]: f["enabled"] for f in viewer.get("/api/settings/flags").json()["flags"]}
    assert flags["ENABLE_ORG"] is False and len(flags) >= 5
    api_error(viewer.patch("/api/settings/flags", json={"flags": {"ENABLE_ORG": True}}), 403, "forbidden")
    err = api_error(owner.patch("/api/settings/flags", json={"flags": {"ENABLE_ORGS": True}}), 422, "validation_error")
    assert "flags.ENABLE_ORGS" in err["fields"]
    api_error(owner.patch("/api/settings/flags", json={"flags": {"ENABLE_ORG": "yes"}}), 422, "validation_error")

    res = owner.patch("/api/settings/flags", json={"flags": {"ENABLE_ORG": True}})
    assert res.status_code == 200, res.text
    assert owner.get("/api/orgs").status_code == 200
    api_error(owner.get("/api/skus"), 404, "not_found")  # other flags still off
    owner.patch("/api/settings/flags", json={"flags": {"ENABLE_ORG": False}})
    api_error(owner.get("/api/orgs"), 404, "not_found")
    with tenant_session(dark.ctx()) as session:
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.tenant_id == dark.tenant.tenant_id, AuditEvent.action == "tenant.flags.update"
            )
        ).all()
    assert [e.after["flags"].get("ENABLE_ORG") for e in sorted(events, key=lambda e: e.seq)][-2:] == [True, False]


def test_unauthenticated_is_401(api):
    from fastapi.testclient import TestClient

    client = TestClient(api)
    for path in ("/api/orgs", "/api/price-books", "/api/settings/flags"):
        api_error(client.get(path), 401, "unauthenticated")
