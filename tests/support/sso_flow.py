"""Driving a single sign-on round trip: our API in process (TestClient, which keeps the browser's
cookies) and the local OIDC provider over real HTTP (httpx)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import text


@dataclass
class Round:
    client: TestClient
    answer: httpx.Response  # the callback's redirect
    callback_url: str

    @property
    def location(self) -> str:
        return self.answer.headers["location"]

    @property
    def error(self) -> str | None:
        query = parse_qs(urlsplit(self.location).query)
        return query["error"][0] if urlsplit(self.location).path == "/login" and "error" in query else None


def start(client: TestClient, provider_id: str, **params: str) -> str:
    """The provider's authorization URL our start route redirects to (binding cookie now set)."""
    started = client.get(f"/api/auth/oidc/{provider_id}/start", params=params)
    assert started.status_code == 302, started.text
    return started.headers["location"]


def at_provider(authorize_url: str) -> str:
    """The URL the provider sends the browser back to."""
    approved = httpx.get(authorize_url, follow_redirects=False, timeout=10)
    assert approved.status_code == 302, approved.text
    return approved.headers["location"]


def sign_in(api, provider_id: str, *, client: TestClient | None = None, **params: str) -> Round:
    client = client or TestClient(api, follow_redirects=False)
    callback_url = at_provider(start(client, provider_id, **params))
    return Round(client, client.get(callback_url), callback_url)


def users_with_email(email: str) -> int:
    """Every user row with this e-mail, whatever the tenant (owner connection: tests only)."""
    from models.core.db import owner_session

    with owner_session() as session:
        return session.execute(text("select count(*) from users where lower(email) = lower(:e)"), {"e": email}).scalar()


def refusals(ctx, code: str) -> list[dict]:
    """The tenant's `auth.sso.refused` audit events with this code (their `after`)."""
    from models.core.db import tenant_session

    with tenant_session(ctx) as session:
        found = session.execute(
            text("select after from audit_events where action = 'auth.sso.refused' and after->>'code' = :c"),
            {"c": code},
        ).all()
    return [row.after for row in found]
