"""Single sign-on end to end against a real local OIDC provider: the happy path and every refusal
(bad state, replayed callback and nonce, wrong audience, expired token, unverified or unknown
e-mail, a foreign signing key, a denial), and the allowed-domain sign-up."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.support.api_clients import login_client
from tests.support.effects import rows
from tests.support.env import settings_env
from tests.support.oidc_provider import ProviderUser
from tests.support.sso_flow import at_provider, refusals, sign_in, start, users_with_email
from tests.support.tenants import make_tenant
from tests.support.users import add_user


@pytest.fixture(scope="module")
def sso(api, idp):
    """A tenant with a provider row (domain sign-up allowed for signup.test, as sales)."""
    tenant = make_tenant("sso")
    owner = login_client(api, tenant.owner_email)
    made = owner.post(
        "/api/settings/sso",
        json=idp.settings_body("Test IdP", allowed_domains=["signup.test"], default_role="sales"),
    )
    assert made.status_code == 201, made.text
    return tenant, made.json()["id"]


def _member(tenant, role: str = "ops") -> str:
    return add_user(tenant, role, f"{role}-{uuid.uuid4().hex[:8]}@members.test")


def assert_no_session(client: TestClient) -> None:
    assert "pharos_session" not in client.cookies
    assert client.get("/api/auth/me").status_code == 401


def test_a_member_signs_in_and_the_session_works(api, idp, sso):
    tenant, provider_id = sso
    email = _member(tenant)
    idp.reset(ProviderUser(email=email.upper()))
    done = sign_in(api, provider_id, next="/margin/alerts")
    assert (done.answer.status_code, done.location) == (302, "/margin/alerts")
    cookie = done.answer.headers.get_list("set-cookie")
    assert any(c.startswith("pharos_session=") and "HttpOnly" in c and "SameSite=lax" in c for c in cookie)
    me = done.client.get("/api/auth/me").json()
    assert (me["user"]["email"], me["role"], me["tenant"]["slug"]) == (email, "ops", tenant.slug)
    # PKCE verified by the provider, the client authenticated with its secret
    assert idp.token_calls == [{"client_auth": "client_secret_basic", "pkce_ok": True}]


def test_the_login_page_lists_the_tenant_providers_without_secrets(api, sso):
    tenant, provider_id = sso
    client = TestClient(api)
    listed = client.get("/api/auth/oidc/providers", params={"tenant": tenant.slug})
    assert listed.json() == {
        "providers": [{"id": provider_id, "name": "Test IdP", "start_url": f"/api/auth/oidc/{provider_id}/start"}]
    }
    assert client.get("/api/auth/oidc/providers").json() == {"providers": []}
    assert client.get("/api/auth/oidc/providers", params={"tenant": "no-such-tenant"}).json() == {"providers": []}


def test_a_provider_configured_by_environment(api, idp):
    tenant = make_tenant("ssoenv")
    email = _member(tenant, "viewer")
    idp.reset(ProviderUser(email=email))
    with settings_env() as configure:
        configure(
            PHAROS_OIDC_ISSUER=idp.issuer,
            PHAROS_OIDC_CLIENT_ID=idp.client_id,
            PHAROS_OIDC_CLIENT_SECRET=idp.client_secret,
            PHAROS_OIDC_NAME="Corporate SSO",
            PHAROS_OIDC_TENANT=tenant.slug,
        )
        client = TestClient(api, follow_redirects=False)
        assert client.get("/api/auth/oidc/providers").json()["providers"] == [
            {"id": "default", "name": "Corporate SSO", "start_url": "/api/auth/oidc/default/start"}
        ]
        done = sign_in(api, "default", client=client)
    assert (done.answer.status_code, done.location) == (302, "/")
    assert done.client.get("/api/auth/me").json()["user"]["email"] == email
    # without the environment there is no `default` provider
    assert TestClient(api, follow_redirects=False).get("/api/auth/oidc/default/start").headers["location"] == (
        "/login?error=unknown_provider"
    )


def test_a_user_of_two_tenants_lands_in_the_provider_tenant(api, idp, sso):
    tenant, provider_id = sso
    other = make_tenant("ssoother")
    email = _member(tenant, "viewer")
    add_user(other, "ops", email)
    idp.reset(ProviderUser(email=email))
    done = sign_in(api, provider_id)
    me = done.client.get("/api/auth/me").json()
    assert (me["tenant"]["slug"], me["role"], len(me["tenants"])) == (tenant.slug, "viewer", 2)


def test_bad_state_is_refused(api, idp, sso):
    tenant, provider_id = sso
    idp.reset(ProviderUser(email=_member(tenant)))
    client = TestClient(api, follow_redirects=False)
    forged = client.get("/api/auth/oidc/callback", params={"state": "made-up", "code": "x"})
    assert forged.headers["location"] == "/login?error=bad_state"
    missing = client.get("/api/auth/oidc/callback")
    assert missing.headers["location"] == "/login?error=bad_state"
    assert_no_session(client)


def test_a_callback_from_another_browser_is_refused(api, idp, sso):
    tenant, provider_id = sso
    idp.reset(ProviderUser(email=_member(tenant)))
    victim = TestClient(api, follow_redirects=False)
    callback_url = at_provider(start(victim, provider_id))
    attacker = TestClient(api, follow_redirects=False)  # no binding cookie
    assert attacker.get(callback_url).headers["location"] == "/login?error=bad_state"
    assert_no_session(attacker)
    # the state is spent: the right browser cannot use it afterwards either
    assert victim.get(callback_url).headers["location"] == "/login?error=bad_state"
    assert_no_session(victim)


def test_a_replayed_callback_is_refused(api, idp, sso):
    tenant, provider_id = sso
    idp.reset(ProviderUser(email=_member(tenant)))
    browser = TestClient(api, follow_redirects=False)
    callback_url = at_provider(start(browser, provider_id))
    binding = browser.cookies["pharos_sso"]
    assert browser.get(callback_url).headers["location"] == "/"
    replay = TestClient(api, follow_redirects=False)
    replay.cookies.set("pharos_sso", binding, path="/api/auth/oidc")  # even with the right binding
    assert replay.get(callback_url).headers["location"] == "/login?error=bad_state"
    assert_no_session(replay)


def test_a_replayed_nonce_is_refused_and_audited(api, idp, sso):
    tenant, provider_id = sso
    email = _member(tenant)
    idp.reset(ProviderUser(email=email))
    assert sign_in(api, provider_id).error is None
    idp.reset(ProviderUser(email=email), "replay_nonce")  # the ID token of the previous sign-in's nonce
    before = len(refusals(tenant.ctx(), "replayed"))
    done = sign_in(api, provider_id)
    assert done.error == "replayed"
    assert_no_session(done.client)
    assert len(refusals(tenant.ctx(), "replayed")) == before + 1


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("wrong_audience", "wrong_audience"),
        ("expired", "expired_token"),
        ("unverified", "unverified_email"),
        ("foreign_key", "invalid_token"),
    ],
)
def test_a_bad_id_token_is_refused_and_audited(api, idp, sso, fault, code):
    tenant, provider_id = sso
    email = _member(tenant)
    idp.reset(ProviderUser(email=email), fault)
    before = refusals(tenant.ctx(), code)
    done = sign_in(api, provider_id)
    assert done.error == code
    assert_no_session(done.client)
    after = refusals(tenant.ctx(), code)
    assert len(after) == len(before) + 1
    assert after[-1]["provider"] == "Test IdP"


def test_an_unverified_email_of_an_allowed_domain_creates_nothing(api, idp, sso):
    tenant, provider_id = sso
    email = f"new-{uuid.uuid4().hex[:8]}@signup.test"
    idp.reset(ProviderUser(email=email, email_verified=False))
    done = sign_in(api, provider_id)
    assert done.error == "unverified_email"
    assert users_with_email(email) == 0


def test_an_unknown_email_is_refused_and_nothing_is_created(api, idp, sso):
    tenant, provider_id = sso
    memberships = rows(tenant.ctx(), "memberships")
    for email in (f"who-{uuid.uuid4().hex[:8]}@elsewhere.test", f"x-{uuid.uuid4().hex[:8]}@evil-signup.test"):
        idp.reset(ProviderUser(email=email))
        done = sign_in(api, provider_id)
        assert done.error == "unknown_user"
        assert_no_session(done.client)
        assert users_with_email(email) == 0
        assert [r["email"] for r in refusals(tenant.ctx(), "unknown_user") if r["email"] == email] == [email]
    assert rows(tenant.ctx(), "memberships") == memberships


def test_a_member_of_another_tenant_only_is_refused(api, idp, sso):
    tenant, provider_id = sso
    elsewhere = make_tenant("ssoelse")
    email = _member(elsewhere)
    idp.reset(ProviderUser(email=email))
    assert sign_in(api, provider_id).error == "unknown_user"
    assert rows(tenant.ctx(), "memberships m join users u on u.id = m.user_id", "u.email = :e", e=email) == 0


def test_an_allowed_domain_signs_up_once_with_the_default_role(api, idp, sso):
    tenant, provider_id = sso
    email = f"new-{uuid.uuid4().hex[:8]}@signup.test"
    idp.reset(ProviderUser(email=email, name="New Colleague"))
    first = sign_in(api, provider_id)
    me = first.client.get("/api/auth/me").json()
    assert (me["user"]["email"], me["user"]["display_name"], me["role"]) == (email, "New Colleague", "sales")
    second = sign_in(api, provider_id)
    assert second.client.get("/api/auth/me").json()["user"]["id"] == me["user"]["id"]
    assert users_with_email(email) == 1
    ctx = tenant.ctx()
    assert rows(ctx, "memberships", "user_id = :u", u=me["user"]["id"]) == 1
    assert rows(ctx, "audit_events", "action = 'auth.sso.sign_up' and entity_id = :u", u=me["user"]["id"]) == 1
    assert rows(ctx, "audit_events", "action = 'membership.create' and after->>'email' = :e", e=email) == 1
    # the new user has no password: only the provider signs them in
    assert TestClient(api).post("/api/auth/login", json={"email": email, "password": "anything"}).status_code == 401


def test_a_denial_at_the_provider_is_refused(api, idp, sso):
    tenant, provider_id = sso
    idp.reset(ProviderUser(email=_member(tenant)), "deny")
    done = sign_in(api, provider_id)
    assert done.error == "provider_denied"
    assert_no_session(done.client)


def test_unknown_or_disabled_providers_are_refused(api, idp, sso):
    tenant, provider_id = sso
    client = TestClient(api, follow_redirects=False)
    for bad in ("nope", str(uuid.uuid4())):
        assert client.get(f"/api/auth/oidc/{bad}/start").headers["location"] == "/login?error=unknown_provider"
    owner = login_client(api, tenant.owner_email)
    assert owner.patch(f"/api/settings/sso/{provider_id}", json={"enabled": False}).status_code == 200
    try:
        assert client.get(f"/api/auth/oidc/{provider_id}/start").headers["location"] == (
            "/login?error=unknown_provider"
        )
        assert client.get("/api/auth/oidc/providers", params={"tenant": tenant.slug}).json() == {"providers": []}
    finally:
        assert owner.patch(f"/api/settings/sso/{provider_id}", json={"enabled": True}).status_code == 200
