"""REST API test clients: the app in process and a client signed in as one user (Bearer token)."""

from __future__ import annotations


def create_test_api():
    from app.api.main import create_api

    return create_api()


def login_client(api, email: str, password: str, *, raise_server_exceptions: bool = True):
    """A TestClient with the user's session token; `client.user_id` is the signed-in user's id.
    `raise_server_exceptions=False` lets a test see the 500 contract instead of the exception."""
    from fastapi.testclient import TestClient

    client = TestClient(api, raise_server_exceptions=raise_server_exceptions)
    res = client.post("/api/auth/login", json={"email": email, "password": password})
    assert res.status_code == 200, res.text
    client.headers["Authorization"] = f"Bearer {res.json()['token']}"
    client.user_id = res.json()["user"]["id"]
    return client
