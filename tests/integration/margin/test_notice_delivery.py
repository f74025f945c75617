"""A dealer's notice preference over REST: `GET /api/notice-delivery` lists every dealer of the
caller's tenant by name with its preference and the endpoints a preference may name; `PUT
/api/dealers/{id}/notice-delivery` sets or clears one (owner/admin/ops), validated per field,
audited, another tenant's dealer or endpoint refused; a refusal changes nothing."""

from __future__ import annotations

from models.delivery import actions as delivery_actions
from tests.support.api_clients import api_error
from tests.support.effects import rows, unchanged


def _listed(client) -> dict:
    res = client.get("/api/notice-delivery")
    assert res.status_code == 200, res.text
    return res.json()


def _audit(ctx, dealer_id) -> int:
    return rows(ctx, "audit_events", "entity_id = :e and action like 'margin_notice_preference.%'", e=str(dealer_id))


def test_the_list_names_every_dealer_and_the_endpoints(clients, margin_a, margin_b):
    ctx = margin_a.ctx()
    endpoint = delivery_actions.create_endpoint(
        ctx, "https://hooks.dealers.example/notices", ["margin.notice.sent"], "dealer hub"
    ).endpoint
    body = _listed(clients["viewer"])
    dealers = rows(ctx, "organizations", "type = 'dealer'")
    assert len(body["items"]) == dealers
    assert [d["name"] for d in body["items"]] == sorted(d["name"] for d in body["items"])
    assert {d["channel"] for d in body["items"]} == {"none"}
    assert body["endpoints"] == [
        {
            "id": str(endpoint.id),
            "url": "https://hooks.dealers.example/notices",
            "description": "dealer hub",
            "status": "enabled",
        }
    ]
    # tenant B sees its own dealers and none of A's endpoints
    theirs = _listed(clients["b_owner"])
    assert not {d["dealer_id"] for d in theirs["items"]} & {d["dealer_id"] for d in body["items"]}
    assert theirs["endpoints"] == []


def test_setting_a_preference_is_validated_audited_and_listed(clients, margin_a, margin_b):
    ctx = margin_a.ctx()
    ops, viewer = clients["ops"], clients["viewer"]
    dealer = _listed(viewer)["items"][0]["dealer_id"]
    url = f"/api/dealers/{dealer}/notice-delivery"
    foreign_endpoint = delivery_actions.create_endpoint(
        margin_b.ctx(), "https://hooks.other.example/x", ["margin.notice.sent"]
    ).endpoint
    with unchanged(lambda: rows(ctx, "margin_notice_preferences"), lambda: rows(ctx, "audit_events")):
        api_error(viewer.put(url, json={"channel": "email", "email": "a@b.example"}), 403, "forbidden")
        err = api_error(ops.put(url, json={"channel": "email", "email": "not mail"}), 422, "validation_error")
        assert err["fields"] == {"email": "invalid e-mail"}
        err = api_error(ops.put(url, json={"channel": "email"}), 422, "validation_error")
        assert err["fields"] == {"email": "required"}
        err = api_error(ops.put(url, json={"channel": "webhook"}), 422, "validation_error")
        assert err["fields"] == {"endpoint_id": "required"}
        api_error(ops.put(url, json={"channel": "webhook", "endpoint_id": str(foreign_endpoint.id)}), 404, "not_found")
        api_error(ops.put(url, json={"channel": "fax"}), 422, "validation_error")
        theirs = _listed(clients["b_owner"])["items"][0]["dealer_id"]
        api_error(ops.put(f"/api/dealers/{theirs}/notice-delivery", json={"channel": "none"}), 404, "not_found")

    res = ops.put(url, json={"channel": "email", "email": "Notices@Dealer.example"})
    assert res.status_code == 200, res.text
    [row] = [d for d in _listed(viewer)["items"] if d["dealer_id"] == dealer]
    assert (row["channel"], row["email"], row["endpoint_url"]) == ("email", res.json()["email"], None)
    assert row["updated_at"] is not None
    assert _audit(ctx, dealer) == 1
    assert ops.put(url, json={"channel": "none"}).json()["channel"] == "none"
    [row] = [d for d in _listed(viewer)["items"] if d["dealer_id"] == dealer]
    assert (row["channel"], row["email"], row["updated_at"]) == ("none", None, None)
    assert _audit(ctx, dealer) == 2  # set, clear
