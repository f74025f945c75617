"""Single sign-on in Chromium: the login page of a tenant (`/login?tenant=<slug>`) offers its
provider, and the button signs a member in through a real local OIDC provider; a person the tenant
does not know comes back to the login page with the reason."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.oidc_provider import ProviderUser
from tests.support.tenants import make_tenant
from tests.support.users import PASSWORD, add_user

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sso_tenant(live_app, idp):
    """A tenant whose owner configured the provider through the running app's REST API."""
    tenant = make_tenant("ssoe2e")
    with httpx.Client(base_url=live_app.url, timeout=15) as client:
        signed = client.post("/api/auth/login", json={"email": tenant.owner_email, "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        made = client.post("/api/settings/sso", json=idp.settings_body("Local IdP"))
        assert made.status_code == 201, made.text
    return tenant


def test_the_login_button_signs_a_member_in_through_the_provider(page, idp, sso_tenant):
    email = add_user(sso_tenant, "ops", f"ops-{uuid.uuid4().hex[:8]}@e2e-sso.test")
    idp.reset(ProviderUser(email=email, name="Ops Person"))
    page.goto(f"/login?tenant={sso_tenant.slug}")
    link = page.get_by_test_id("sso-link")
    expect(link).to_have_text("Sign in with Local IdP")
    link.click()
    page.wait_for_url(re.compile(r"^[^?]*/(\?.*)?$"))
    expect(page.get_by_test_id("tenant-name")).to_have_text(re.compile(sso_tenant.slug.split("-")[-1]))
    expect(page.get_by_test_id("role-badge")).to_have_text("ops")
    assert idp.token_calls == [{"client_auth": "client_secret_basic", "pkce_ok": True}]


def test_an_unknown_person_is_sent_back_with_the_reason(page, idp, sso_tenant):
    idp.reset(ProviderUser(email=f"stranger-{uuid.uuid4().hex[:8]}@nowhere.test"))
    page.goto(f"/login?tenant={sso_tenant.slug}")
    page.get_by_test_id("sso-link").click()
    page.wait_for_url(re.compile(r"/login\?error=unknown_user$"))
    expect(page.get_by_test_id("login-error")).to_have_text(re.compile("no active account for this e-mail"))
    expect(page.locator("#login-email")).to_be_visible()
