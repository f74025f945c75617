"""The SSRF guard, with private receivers not allowed (production's setting): loopback, metadata,
IPv6 loopback and a name that resolves to 10.x are refused at connect time, after resolution, and no
byte reaches them; literal addresses and plain http are refused when the endpoint is added.

"A name resolving to 10.x" does not depend on this machine's DNS or hosts file: PHAROS_WEBHOOK_RESOLVE
pins a name to addresses (curl's --resolve; also what a deployment uses for split-horizon names), and
the guard checks pinned addresses like resolved ones. The refusal happens before any connection, so
no packet is ever sent to 10.x or 169.254.169.254."""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from models.delivery import actions
from models.delivery.dispatcher import Dispatcher
from tests.integration.delivery.conftest import decide_something, webhook_deliveries


@pytest.mark.parametrize(
    ("url", "field_error"),
    [
        ("http://hooks.example.com/x", "https only"),
        ("https://127.0.0.1/x", "address refused"),
        ("https://[::1]/x", "address refused"),
        ("https://169.254.169.254/latest/meta-data", "address refused"),
        ("https://10.1.2.3/x", "address refused"),
        ("https://user:pw@hooks.example.com/x", "credentials in URL"),
    ],
)
def test_refused_when_the_endpoint_is_added(tenant, url, field_error):
    with pytest.raises(ValidationFailed) as refused:
        actions.create_endpoint(tenant.ctx(), url, [])
    assert refused.value.fields == {"url": field_error}


async def test_inward_addresses_are_refused_at_connect_time(tenant, receiver, local_delivery):
    port = receiver.port
    local_delivery(
        PHAROS_WEBHOOK_RESOLVE=(
            "loopback.example=127.0.0.1;v6.example=::1;metadata.example=169.254.169.254;internal.example=10.20.30.40"
        )
    )
    # added while private receivers were allowed (development), then production's rule applies
    names = {
        "loopback.example": "127.0.0.1 is a loopback address",
        "v6.example": "::1 is a loopback address",
        "metadata.example": "169.254.169.254 is a cloud metadata address",
        "internal.example": "10.20.30.40 is a private address",
    }
    made = {
        name: actions.create_endpoint(tenant.ctx(), f"https://{name}:{port}/hook", ["invitation.cancel"]).endpoint
        for name in names
    }
    literal = actions.create_endpoint(tenant.ctx(), f"https://127.0.0.1:{port}/hook", ["invitation.cancel"]).endpoint
    local_delivery(PHAROS_WEBHOOK_ALLOW_PRIVATE="0")
    decide_something(tenant)
    dispatcher = Dispatcher()
    try:
        await dispatcher.run_once()
    finally:
        await dispatcher.aclose()
    for name, why in names.items():
        [delivery] = webhook_deliveries(tenant, made[name].id)
        error = delivery.attempts[0].error or ""
        assert f"refused {name}: {why}" in error, error
        assert delivery.attempts[0].status_code is None
    [direct] = webhook_deliveries(tenant, literal.id)
    assert "127.0.0.1 is a loopback address" in (direct.attempts[0].error or "")
    assert receiver.requests == [], "a refused receiver was reached"


async def test_plain_http_is_refused_at_send_time_once_private_receivers_are_not_allowed(
    tenant, receiver, local_delivery
):
    endpoint = actions.create_endpoint(tenant.ctx(), receiver.url("/plain"), ["invitation.cancel"]).endpoint
    local_delivery(PHAROS_WEBHOOK_ALLOW_PRIVATE="0")
    decide_something(tenant)
    dispatcher = Dispatcher()
    try:
        await dispatcher.run_once()
    finally:
        await dispatcher.aclose()
    [delivery] = webhook_deliveries(tenant, endpoint.id)
    assert "https://" in (delivery.attempts[0].error or "")
    assert receiver.requests == []
