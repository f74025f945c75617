"""REST create (POST) and edit (PATCH) of organizations, channels, products and SKUs: validation
naming the field, duplicate codes 409, roles without catalog.write 403, another tenant's ids 404,
flag off 404, an audit row for every write and nothing written by a refused request."""

from __future__ import annotations

import uuid

from sqlmodel import select

from tests.integration.catalog.conftest import build
from tests.support.api_clients import api_error, login_client


def _code(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def _audit(cat, entity_id: str) -> list[tuple[str, object, object]]:
    from models.core.db import tenant_session
    from models.core.tables import AuditEvent

    with tenant_session(cat.ctx()) as session:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.tenant_id == cat.tenant.tenant_id, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.seq)
        ).all()
    return [(e.action, e.before, e.after) for e in rows]


def _created(res) -> dict:
    assert res.status_code == 201, res.text
    return res.json()


# organizations


def test_org_create_validates_the_type_profile_and_is_audited(clients, cat_a):
    ops = clients["ops"]
    body = {
        "type": "dealer",
        "code": _code("DLR"),
        "name": "Sunrise Pharmacy",
        "profile": {"tier": "gold", "city": "Pune"},
    }
    org = _created(ops.post("/api/orgs", json=body))
    assert org["status"] == "active" and org["profile"] == {"tier": "gold", "city": "Pune"}
    assert {a["action"] for a in org["actions"]} == {"hold", "suspend", "archive"}
    assert clients["viewer"].get(f"/api/orgs/{org['id']}").json()["name"] == "Sunrise Pharmacy"
    [(action, before, after)] = _audit(cat_a, org["id"])
    assert action == "organization.create" and before is None and after["code"] == body["code"]

    err = api_error(ops.post("/api/orgs", json={**body, "name": "Other"}), 409, "conflict")
    assert err["fields"] == {"code": "taken"}
    for bad, field in (
        ({"profile": {"tier": "diamond"}}, "profile.tier"),
        ({"profile": {"brands": ["X"]}}, "profile.brands"),  # a competitor's field, not a dealer's
        ({"profile": {"contact_email": "nope"}}, "profile.contact_email"),
        ({"type": "retailer"}, "type"),
        ({"code": "has space"}, "code"),
        ({"name": ""}, "name"),
        ({"status": "suspended"}, "status"),  # status only through the decision path
    ):
        err = api_error(ops.post("/api/orgs", json={**body, "code": _code("X"), **bad}), 422, "validation_error")
        assert field in err["fields"], (bad, err)
    competitor = {"type": "competitor", "code": _code("CMP"), "name": "Rival", "profile": {"brands": ["Nova"]}}
    assert _created(clients["admin"].post("/api/orgs", json=competitor))["profile"]["brands"] == ["Nova"]
    for role in ("viewer", "sales", "vendor"):
        api_error(clients[role].post("/api/orgs", json={**body, "code": _code("R")}), 403, "forbidden")
    names = {o["name"] for o in clients["owner"].get("/api/orgs", params={"q": "Sunrise"}).json()["items"]}
    assert names == {"Sunrise Pharmacy"}  # the refused requests wrote nothing


def test_org_edit_changes_only_what_is_sent(clients, cat_a, cat_b):
    ops = clients["ops"]
    org = _created(
        ops.post(
            "/api/orgs",
            json={"type": "dealer", "code": _code("DLR"), "name": "Hill Meds", "profile": {"tier": "silver"}},
        )
    )
    url = f"/api/orgs/{org['id']}"
    res = ops.patch(url, json={"name": "Hill Medicals", "profile": {"tier": "gold", "region": "West"}})
    assert res.status_code == 200, res.text
    edited = res.json()
    assert (edited["name"], edited["code"], edited["type"], edited["status"]) == (
        "Hill Medicals",
        org["code"],
        "dealer",
        "active",
    )
    assert edited["profile"] == {"tier": "gold", "region": "West"}
    action, before, after = _audit(cat_a, org["id"])[-1]
    assert action == "organization.update"
    assert before == {"name": "Hill Meds", "profile": {"tier": "silver"}}
    assert after == {"name": "Hill Medicals", "profile": {"tier": "gold", "region": "West"}}
    assert ops.patch(url, json={"name": "Hill Medicals"}).status_code == 200  # no change: no event
    assert len(_audit(cat_a, org["id"])) == 2

    taken = clients["owner"].get(f"/api/orgs/{cat_a.ids.orgs['brand']}").json()["code"]
    assert api_error(ops.patch(url, json={"code": taken}), 409, "conflict")["fields"] == {"code": "taken"}
    assert (
        "profile.tier" in api_error(ops.patch(url, json={"profile": {"tier": "x"}}), 422, "validation_error")["fields"]
    )
    assert "name" in api_error(ops.patch(url, json={"name": None}), 422, "validation_error")["fields"]
    for field, value in (("status", "archived"), ("type", "supplier")):
        assert field in api_error(ops.patch(url, json={field: value}), 422, "validation_error")["fields"]
    assert clients["viewer"].get(url).json()["name"] == "Hill Medicals"  # refused edits left it as it was
    api_error(clients["viewer"].patch(url, json={"name": "x"}), 403, "forbidden")
    api_error(clients["b_owner"].patch(url, json={"name": "x"}), 404, "not_found")
    api_error(ops.patch(f"/api/orgs/{cat_b.ids.orgs['brand']}", json={"name": "x"}), 404, "not_found")
    api_error(ops.patch(f"/api/orgs/{uuid.uuid4()}", json={"name": "x"}), 404, "not_found")


# channels


def test_channel_create_and_edit(clients, cat_a, cat_b):
    ops = clients["ops"]
    body = {"code": _code("CH"), "name": "Pharmacy app", "kind": "online"}
    channel = _created(ops.post("/api/channels", json=body))
    assert channel["kind"] == "online" and channel["is_active"] is True and "tenant_id" not in channel
    assert api_error(ops.post("/api/channels", json=body), 409, "conflict")["fields"] == {"code": "taken"}
    assert (
        "kind"
        in api_error(
            ops.post("/api/channels", json={**body, "code": _code("C"), "kind": "tv"}), 422, "validation_error"
        )["fields"]
    )
    api_error(clients["viewer"].post("/api/channels", json={**body, "code": _code("V")}), 403, "forbidden")

    url = f"/api/channels/{channel['id']}"
    res = ops.patch(url, json={"name": "Pharmacy app (B2C)", "kind": "marketplace"})
    assert res.status_code == 200 and res.json()["kind"] == "marketplace", res.text
    assert [a for a, *_ in _audit(cat_a, channel["id"])] == ["channel.create", "channel.update"]
    retail = str(cat_a.ids.channels["retail"])
    taken = next(c["code"] for c in ops.get("/api/channels").json()["items"] if c["id"] == retail)
    assert api_error(ops.patch(url, json={"code": taken}), 409, "conflict")["fields"] == {"code": "taken"}
    assert "kind" in api_error(ops.patch(url, json={"kind": None}), 422, "validation_error")["fields"]
    api_error(clients["sales"].patch(url, json={"name": "x"}), 403, "forbidden")
    api_error(clients["b_owner"].patch(url, json={"name": "x"}), 404, "not_found")
    api_error(ops.patch(f"/api/channels/{cat_b.ids.channels['retail']}", json={"name": "x"}), 404, "not_found")


# products


def test_product_create_and_edit(clients, cat_a, cat_b):
    ops = clients["ops"]
    brand = str(cat_a.ids.orgs["brand"])
    body = {
        "code": _code("PRD"),
        "name": "Magnesium",
        "brand": "Aurora",
        "category": "Minerals",
        "manufacturer_org_id": brand,
    }
    product = _created(ops.post("/api/products", json=body))
    assert product["manufacturer_org_id"] == brand
    assert api_error(ops.post("/api/products", json=body), 409, "conflict")["fields"] == {"code": "taken"}
    err = api_error(
        ops.post(
            "/api/products", json={**body, "code": _code("P"), "manufacturer_org_id": str(cat_b.ids.orgs["brand"])}
        ),
        422,
        "validation_error",
    )
    assert err["fields"] == {"manufacturer_org_id": "not found"}
    api_error(clients["viewer"].post("/api/products", json={**body, "code": _code("V")}), 403, "forbidden")

    url = f"/api/products/{product['id']}"
    res = ops.patch(url, json={"category": None, "description": "Chelated"})
    assert res.status_code == 200, res.text
    assert (res.json()["category"], res.json()["description"], res.json()["brand"]) == (None, "Chelated", "Aurora")
    action, before, after = _audit(cat_a, product["id"])[-1]
    assert (action, before, after) == (
        "product.update",
        {"category": "Minerals", "description": None},
        {"category": None, "description": "Chelated"},
    )
    err = api_error(ops.patch(url, json={"manufacturer_org_id": str(cat_b.ids.orgs["brand"])}), 422, "validation_error")
    assert err["fields"] == {"manufacturer_org_id": "not found"}
    api_error(clients["b_owner"].patch(url, json={"name": "x"}), 404, "not_found")
    api_error(clients["viewer"].patch(url, json={"name": "x"}), 403, "forbidden")


# skus


def test_sku_create_and_edit(clients, cat_a, cat_b):
    ops = clients["ops"]
    zinc = str(cat_a.ids.products["zinc"])
    body = {
        "product_id": zinc,
        "code": _code("AUR-ZINC"),
        "name": "Zinc 60",
        "uom": "bottle",
        "attributes": {"count": 60},
    }
    sku = _created(ops.post("/api/skus", json=body))
    assert (sku["product_id"], sku["uom"], sku["attributes"], sku["is_active"]) == (zinc, "bottle", {"count": 60}, True)
    assert [a for a, *_ in _audit(cat_a, sku["id"])] == ["sku.create"]
    listed = ops.get("/api/skus", params={"product_id": zinc}).json()["items"]
    assert sku["id"] in {s["id"] for s in listed}

    assert api_error(ops.post("/api/skus", json=body), 409, "conflict")["fields"] == {"code": "taken"}
    for bad, field in (
        ({"product_id": str(cat_b.ids.products["zinc"])}, "product_id"),
        ({"product_id": "nope"}, "product_id"),
        ({"code": ""}, "code"),
        ({"uom": "x" * 21}, "uom"),
        ({"attributes": ["a"]}, "attributes"),
        ({"is_active": False}, "is_active"),
    ):
        err = api_error(ops.post("/api/skus", json={**body, "code": _code("S"), **bad}), 422, "validation_error")
        assert field in err["fields"], (bad, err)
    for role in ("viewer", "sales", "vendor"):
        api_error(clients[role].post("/api/skus", json={**body, "code": _code("R")}), 403, "forbidden")

    url = f"/api/skus/{sku['id']}"
    res = clients["admin"].patch(url, json={"name": "Zinc 60 tabs", "product_id": str(cat_a.ids.products["d3"])})
    assert res.status_code == 200, res.text
    assert (res.json()["name"], res.json()["product_id"]) == ("Zinc 60 tabs", str(cat_a.ids.products["d3"]))
    action, before, after = _audit(cat_a, sku["id"])[-1]
    assert action == "sku.update" and before["name"] == "Zinc 60" and after["name"] == "Zinc 60 tabs"
    err = api_error(ops.patch(url, json={"code": "AUR-D3-60"}), 409, "conflict")
    assert err["fields"] == {"code": "taken"}
    for bad, field in (({"uom": None}, "uom"), ({"product_id": None}, "product_id"), ({"amount": "1"}, "amount")):
        assert field in api_error(ops.patch(url, json=bad), 422, "validation_error")["fields"], bad
    assert ops.get("/api/skus", params={"q": sku["code"]}).json()["items"][0]["name"] == "Zinc 60 tabs"
    api_error(clients["viewer"].patch(url, json={"name": "x"}), 403, "forbidden")
    api_error(clients["b_owner"].patch(url, json={"name": "x"}), 404, "not_found")
    api_error(ops.patch(f"/api/skus/{cat_b.ids.skus['zinc']}", json={"name": "x"}), 404, "not_found")
    api_error(ops.patch("/api/skus/not-a-uuid", json={"name": "x"}), 422, "validation_error")
    assert clients["b_owner"].get("/api/skus", params={"q": sku["code"]}).json()["items"] == []


def test_write_routes_are_404_while_their_flag_is_off(api):
    dark = build("darkw", flags={"ENABLE_ORG": True})
    owner = login_client(api, dark.tenant.owner_email, dark.tenant.password)
    assert owner.post("/api/orgs", json={"type": "supplier", "code": "SUP-1", "name": "S"}).status_code == 201
    for path, body in (
        ("/api/channels", {"code": "c", "name": "c", "kind": "online"}),
        ("/api/products", {"code": "p", "name": "p"}),
        ("/api/skus", {"product_id": str(dark.ids.products["zinc"]), "code": "s", "name": "s"}),
    ):
        api_error(owner.post(path, json=body), 404, "not_found")
    api_error(owner.patch(f"/api/skus/{dark.ids.skus['zinc']}", json={"name": "x"}), 404, "not_found")
    api_error(owner.patch(f"/api/channels/{dark.ids.channels['retail']}", json={"name": "x"}), 404, "not_found")


def test_deactivate_and_reactivate_skus_and_channels(clients, cat_a, cat_b):
    ops = clients["ops"]
    product = str(cat_a.ids.products["zinc"])
    sku = _created(ops.post("/api/skus", json={"product_id": product, "code": _code("ACT"), "name": "Toggle me"}))
    channel = _created(ops.post("/api/channels", json={"code": _code("CH"), "name": "Toggle", "kind": "online"}))
    for path, row, entity in (
        (f"/api/skus/{sku['id']}", sku, "sku"),
        (f"/api/channels/{channel['id']}", channel, "channel"),
    ):
        off = ops.patch(path, json={"is_active": False})
        assert off.status_code == 200, off.text
        assert off.json()["is_active"] is False
        action, before, after = _audit(cat_a, row["id"])[-1]
        assert (action, before, after) == (f"{entity}.deactivate", {"is_active": True}, {"is_active": False})
        count = len(_audit(cat_a, row["id"]))
        assert ops.patch(path, json={"is_active": False}).json()["is_active"] is False  # no-op: nothing written
        assert len(_audit(cat_a, row["id"])) == count
        # refused: wrong types, null, other roles, other tenants — and nothing written
        for bad in ({"is_active": "true"}, {"is_active": 1}, {"is_active": None}):
            assert "is_active" in api_error(ops.patch(path, json=bad), 422, "validation_error")["fields"], bad
        api_error(clients["viewer"].patch(path, json={"is_active": True}), 403, "forbidden")
        api_error(clients["sales"].patch(path, json={"is_active": True}), 403, "forbidden")
        api_error(clients["b_owner"].patch(path, json={"is_active": True}), 404, "not_found")
        assert len(_audit(cat_a, row["id"])) == count
        on = clients["admin"].patch(path, json={"is_active": True, "name": "Toggled back"})
        assert on.status_code == 200 and on.json()["is_active"] is True and on.json()["name"] == "Toggled back"
        action, before, after = _audit(cat_a, row["id"])[-1]
        assert action == f"{entity}.reactivate"
        assert (before, after) == (
            {"is_active": False, "name": "Toggle" if entity == "channel" else "Toggle me"},
            {"is_active": True, "name": "Toggled back"},
        )
        listed = ops.get(f"/api/{entity}s", params={"q": row["code"]}).json()["items"]
        assert [r["is_active"] for r in listed] == [True]
    foreign_sku, foreign_channel = cat_b.ids.skus["zinc"], cat_b.ids.channels["online"]
    api_error(ops.patch(f"/api/skus/{foreign_sku}", json={"is_active": False}), 404, "not_found")
    api_error(ops.patch(f"/api/channels/{foreign_channel}", json={"is_active": False}), 404, "not_found")
    api_error(
        ops.post("/api/channels", json={"code": _code("C"), "name": "x", "kind": "online", "is_active": False}),
        422,
        "validation_error",
    )
