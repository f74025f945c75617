"""`/api/webhooks/...` and `/api/settings/email-sender`: owners and admins only; the secret is in the
create and rotate answers only; bad input names the field; another tenant's ids are not found;
refusals change nothing."""

from __future__ import annotations

import uuid

from standardwebhooks.webhooks import Webhook

from models.delivery.dispatcher import Dispatcher
from tests.integration.delivery.conftest import decide_something
from tests.support.api_clients import api_error, role_clients
from tests.support.tenants import make_tenant


async def test_the_endpoint_lifecycle_over_rest(api, tenant, receiver, local_delivery):
    clients = role_clients(api, tenant, ["admin", "ops"], others={"b_owner": make_tenant("delivery-b")})
    owner, admin, ops, stranger = clients["owner"], clients["admin"], clients["ops"], clients["b_owner"]

    types = owner.get("/api/webhooks/event-types").json()
    assert {"invitation.cancel", "margin.notice.sent", "margin_alert.resolve"} <= {t["name"] for t in types}
    assert all(t["version"] >= 1 and t["data_schema"]["type"] == "object" for t in types)

    api_error(ops.post("/api/webhooks/endpoints", json={"url": receiver.url(), "event_types": []}), 403, "forbidden")
    assert owner.get("/api/webhooks/endpoints").json()["items"] == []
    bad = api_error(
        owner.post("/api/webhooks/endpoints", json={"url": receiver.url(), "event_types": ["nope.x"]}),
        422,
        "validation_error",
    )
    assert bad["fields"] == {"event_types": "unknown event type"}

    res = admin.post(
        "/api/webhooks/endpoints", json={"url": receiver.url("/api"), "event_types": ["invitation.cancel"]}
    )
    assert res.status_code == 201, res.text
    made = res.json()
    endpoint_id, secret = made["id"], made["secret"]
    assert secret.startswith("whsec_")
    listed = owner.get("/api/webhooks/endpoints").json()["items"]
    assert [e["id"] for e in listed] == [endpoint_id]
    assert secret not in str(listed) and "secret" not in listed[0]
    api_error(stranger.get(f"/api/webhooks/endpoints/{endpoint_id}"), 404, "not_found")

    patched = owner.patch(f"/api/webhooks/endpoints/{endpoint_id}", json={"description": "ERP"}).json()
    assert patched["description"] == "ERP" and patched["event_types"] == ["invitation.cancel"]

    decide_something(tenant)
    dispatcher = Dispatcher()
    try:
        await dispatcher.run_until_idle()
        deliveries = owner.get(f"/api/webhooks/endpoints/{endpoint_id}/deliveries").json()["items"]
        [delivery] = deliveries
        assert delivery["status"] == "delivered" and delivery["attempts"][0]["status_code"] == 200
        Webhook(secret).verify(receiver.to("/api")[0].body, receiver.to("/api")[0].headers)

        api_error(owner.post(f"/api/webhooks/deliveries/{uuid.uuid4()}/replay"), 404, "not_found")
        api_error(stranger.post(f"/api/webhooks/deliveries/{delivery['id']}/replay"), 404, "not_found")
        again = owner.post(f"/api/webhooks/deliveries/{delivery['id']}/replay").json()
        assert again["status"] == "pending" and again["message_id"] == delivery["message_id"]
        await dispatcher.run_until_idle()
        assert [r.headers["webhook-id"] for r in receiver.to("/api")] == [delivery["message_id"]] * 2

        rotated = owner.post(f"/api/webhooks/endpoints/{endpoint_id}/rotate").json()
        assert rotated["secret"] != secret and rotated["endpoint"]["rotating_until"]

        disabled = owner.post(f"/api/webhooks/endpoints/{endpoint_id}/disable", json={"reason": "maintenance"}).json()
        assert disabled["status"] == "disabled"
        api_error(owner.post(f"/api/webhooks/endpoints/{endpoint_id}/disable", json={}), 409, "invalid_transition")
        res = owner.post(f"/api/webhook-endpoints/{endpoint_id}/update", json={"action": "enable"})
        assert res.status_code == 200 and res.json()["status"] == "enabled"
        api_error(owner.post(f"/api/webhook-endpoints/{endpoint_id}/update", json={"action": "gone"}), 403, "forbidden")
        # the invitation's e-mail is the one dead letter: it was cancelled before it went out
        [dead] = owner.get("/api/webhooks/deliveries?status=dead").json()["items"]
        assert dead["channel"] == "email" and "nothing to send" in dead["last_error"]
        assert owner.post("/api/webhooks/dead-letters/replay", json={"endpoint_id": endpoint_id}).json() == {
            "replayed": 0
        }
        assert owner.post("/api/webhooks/dead-letters/replay", json={}).json() == {"replayed": 1}
        api_error(owner.get("/api/webhooks/deliveries?status=lost"), 422, "validation_error")
    finally:
        await dispatcher.aclose()


def test_the_email_sender_setting(api, tenant):
    clients = role_clients(api, tenant, ["ops"])
    owner = clients["owner"]
    api_error(clients["ops"].get("/api/settings/email-sender"), 403, "forbidden")
    assert owner.get("/api/settings/email-sender").json()["from_address"] == ""
    bad = api_error(
        owner.put("/api/settings/email-sender", json={"from_address": "not-an-address"}), 422, "validation_error"
    )
    assert bad["fields"] == {"from_address": "invalid e-mail"}
    saved = owner.put(
        "/api/settings/email-sender", json={"from_name": "Brand Compliance", "from_address": "compliance@brand.test"}
    ).json()
    assert (saved["from_name"], saved["from_address"]) == ("Brand Compliance", "compliance@brand.test")
