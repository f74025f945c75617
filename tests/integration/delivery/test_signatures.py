"""Our webhooks verify with the Standard Webhooks reference library (`standardwebhooks`), and a
mutated body, id or timestamp — or a stranger's secret — is rejected by it."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from engine.delivery import signing
from models.delivery import actions
from models.delivery.dispatcher import Dispatcher
from tests.integration.delivery.conftest import decide_something


async def test_a_delivered_webhook_verifies_with_the_reference_library(tenant, receiver, local_delivery):
    created = actions.create_endpoint(tenant.ctx(), receiver.url("/hook"), ["invitation.cancel"])
    assert created.secret.startswith("whsec_")
    invitation_id = decide_something(tenant)
    dispatcher = Dispatcher()
    try:
        await dispatcher.run_until_idle()
    finally:
        await dispatcher.aclose()
    [got] = receiver.to("/hook")
    payload = Webhook(created.secret).verify(got.body, got.headers)
    assert payload["type"] == "invitation.cancel"
    assert payload["version"] == 1
    assert payload["data"]["entity_id"] == str(invitation_id)
    assert payload["data"]["to"] == "cancelled"
    assert got.headers["webhook-id"].startswith("msg_")
    assert got.headers["content-type"] == "application/json"

    def rejected(body: bytes, headers: dict[str, str], secret: str = created.secret) -> None:
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(body, headers)

    mutated = json.loads(got.body)
    mutated["data"]["to"] = "pending"
    rejected(json.dumps(mutated, separators=(",", ":"), sort_keys=True).encode(), got.headers)
    rejected(got.body + b" ", got.headers)
    rejected(got.body, {**got.headers, "webhook-id": got.headers["webhook-id"] + "x"})
    rejected(got.body, {**got.headers, "webhook-timestamp": str(int(got.headers["webhook-timestamp"]) + 1)})
    rejected(got.body, got.headers, secret=signing.new_secret())


def test_signing_matches_the_reference_library_byte_for_byte():
    from datetime import UTC, datetime

    secret = signing.new_secret()
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    body = '{"type":"x.y","data":{}}'
    assert signing.sign(secret, "msg_1", int(at.timestamp()), body) == Webhook(secret).sign("msg_1", at, body)


async def test_during_a_rotation_both_secrets_sign_and_either_verifies(tenant, receiver, local_delivery):
    created = actions.create_endpoint(tenant.ctx(), receiver.url("/rotating"), [])
    rotated = actions.rotate_secret(tenant.ctx(), created.endpoint.id)
    assert rotated.secret != created.secret and rotated.endpoint.rotating_until is not None
    decide_something(tenant)
    dispatcher = Dispatcher()
    try:
        await dispatcher.run_until_idle()
    finally:
        await dispatcher.aclose()
    got = receiver.to("/rotating")
    assert got, "nothing was delivered"
    signatures = got[0].headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    for secret in (created.secret, rotated.secret):
        for request in got:
            Webhook(secret).verify(request.body, request.headers)
