"""REST API test clients: the app in process, clients signed in as one user (Bearer token), and
the one assertion for the error contract."""

from __future__ import annotations

from tests.support.tenants import PASSWORD
from tests.support.users import add_user


def create_test_api():
    from app.api.main import create_api

    return create_api()


def login_client(api, email: str, password: str = PASSWORD, *, raise_server_exceptions: bool = True):
    """A TestClient with the user's session token; `client.user_id` is the signed-in user's id.
    `raise_server_exceptions=False` lets a test see the 500 contract instead of the exception."""
    from fastapi.testclient import TestClient

    client = TestClient(api, raise_server_exceptions=raise_server_exceptions)
    res = client.post("/api/auth/login", json={"email": email, "password": password})
    assert res.status_code == 200, res.text
    client.headers["Authorization"] = f"Bearer {res.json()['token']}"
    client.user_id = res.json()["user"]["id"]
    return client


def role_clients(api, tenant, roles, *, others: dict | None = None, raise_server_exceptions: bool = True) -> dict:
    """Signed-in clients keyed by role: "owner" (the tenant's owner), one new user per role in
    `roles`, and for each `others` entry (e.g. {"b_owner": tenant_b}) that tenant's owner."""

    def sign_in(email: str, password: str = PASSWORD):
        return login_client(api, email, password, raise_server_exceptions=raise_server_exceptions)

    made = {"owner": sign_in(tenant.owner_email, tenant.password)}
    for key, other in (others or {}).items():
        made[key] = sign_in(other.owner_email, other.password)
    for role in roles:
        made[role] = sign_in(add_user(tenant, role))
    return made


def api_error(res, status: int, code: str) -> dict:
    """Assert the error contract (`{"error": {"code": …}}` with `status`); returns the error body."""
    assert res.status_code == status, res.text
    body = res.json()["error"]
    assert body["code"] == code, body
    return body
