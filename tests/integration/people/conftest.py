"""Members and invitations: a fresh tenant per test and the REST app in process."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.api_clients import login_client
from tests.support.tenants import make_tenant


@pytest.fixture
def people(api):
    """A tenant with its owner's client; `invite` returns the created body; `accept` posts a link."""
    tenant = make_tenant("people")
    owner = login_client(api, tenant.owner_email, tenant.password)
    return tenant, owner


def token_of(accept_url: str) -> str:
    return accept_url.split("token=", 1)[1]


def invite(client, email: str, role: str = "ops") -> dict:
    res = client.post("/api/members/invitations", json={"email": email, "role": role})
    assert res.status_code == 201, res.text
    return res.json()


def accept(api, accept_url: str, password: str = "new-member-pw", name: str = "New Member", **extra):
    """The invitee's browser: no session, only the link's token."""
    return TestClient(api).post(
        "/api/invitations/accept",
        json={"token": token_of(accept_url), "password": password, "display_name": name, **extra},
    )
