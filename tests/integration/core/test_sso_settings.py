"""A tenant's single sign-on providers over REST: managed by owner/admin only, validated, audited,
and the client secret never read back (not in answers, not in the audit chain)."""

from __future__ import annotations

import json

import pytest

from tests.support.api_clients import api_error, role_clients
from tests.support.effects import rows, unchanged
from tests.support.tenants import make_tenant

URL = "/api/settings/sso"
SECRET = "very-secret-value-123"


def _body(**overrides) -> dict:
    return {
        "name": "Okta",
        "issuer": "https://idp.example.com",
        "client_id": "pharos",
        "client_secret": SECRET,
        "allowed_domains": ["Example.com"],
        "default_role": "viewer",
        **overrides,
    }


@pytest.fixture(scope="module")
def tenant(services):
    return make_tenant("ssoset")


@pytest.fixture(scope="module")
def clients(api, tenant):
    return role_clients(api, tenant, ("admin", "viewer", "ops"), others={"b_owner": make_tenant("ssosetb")})


def _audit_text(ctx) -> str:
    from sqlalchemy import text

    from models.core.db import tenant_session

    with tenant_session(ctx) as session:
        found = session.execute(
            text("select before, after from audit_events where entity = 'oidc_providers' order by seq")
        ).all()
    return json.dumps([[r.before, r.after] for r in found])


def test_owner_creates_reads_updates_and_deletes_a_provider(clients, tenant):
    owner = clients["owner"]
    made = owner.post(URL, json=_body())
    assert made.status_code == 201, made.text
    view = made.json()
    assert {k: view[k] for k in ("name", "issuer", "client_id", "has_client_secret", "allowed_domains")} == {
        "name": "Okta",
        "issuer": "https://idp.example.com",
        "client_id": "pharos",
        "has_client_secret": True,
        "allowed_domains": ["example.com"],
    }
    listed = owner.get(URL)
    assert [p["id"] for p in listed.json()["providers"]] == [view["id"]]
    changed = clients["admin"].patch(f"{URL}/{view['id']}", json={"client_secret": "", "default_role": "sales"})
    assert (changed.json()["has_client_secret"], changed.json()["default_role"]) == (False, "sales")
    assert SECRET not in made.text + listed.text + changed.text
    assert SECRET not in _audit_text(tenant.ctx())
    assert rows(tenant.ctx(), "audit_events", "entity_id = :i", i=view["id"]) == 2
    assert owner.delete(f"{URL}/{view['id']}").status_code == 204
    assert owner.get(URL).json() == {"providers": []}
    assert rows(tenant.ctx(), "audit_events", "entity_id = :i and action = 'oidc_providers.delete'", i=view["id"]) == 1


@pytest.mark.parametrize("role", ["viewer", "ops"])
def test_other_roles_may_not_manage_providers(clients, tenant, role):
    made = clients["owner"].post(URL, json=_body(name=f"For {role}"))
    provider_id = made.json()["id"]
    caller = clients[role]
    with unchanged(lambda: clients["owner"].get(URL).json(), lambda: rows(tenant.ctx(), "audit_events")):
        api_error(caller.get(URL), 403, "forbidden")
        api_error(caller.post(URL, json=_body(name="Sneaky")), 403, "forbidden")
        api_error(caller.patch(f"{URL}/{provider_id}", json={"enabled": False}), 403, "forbidden")
        api_error(caller.delete(f"{URL}/{provider_id}"), 403, "forbidden")
    assert clients["owner"].delete(f"{URL}/{provider_id}").status_code == 204


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"issuer": "http://idp.example.com"}, "issuer"),
        ({"issuer": "https://idp.example.com/?x=1"}, "issuer"),
        ({"default_role": "owner"}, "default_role"),
        ({"default_role": "vendor"}, "default_role"),
        ({"allowed_domains": ["not a domain"]}, "allowed_domains"),
        ({"name": "   "}, "name"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(clients, tenant, overrides, field):
    with unchanged(lambda: clients["owner"].get(URL).json(), lambda: rows(tenant.ctx(), "audit_events")):
        error = api_error(clients["owner"].post(URL, json=_body(**overrides)), 422, "validation_error")
    assert any(field in key for key in error["fields"]), error


def test_duplicate_names_conflict_and_other_tenants_rows_are_absent(clients, tenant):
    owner = clients["owner"]
    made = owner.post(URL, json=_body(name="Twice")).json()
    with unchanged(lambda: owner.get(URL).json(), lambda: rows(tenant.ctx(), "audit_events")):
        api_error(owner.post(URL, json=_body(name="Twice")), 409, "conflict")
        other = clients["b_owner"]
        api_error(other.patch(f"{URL}/{made['id']}", json={"enabled": False}), 404, "not_found")
        api_error(other.delete(f"{URL}/{made['id']}"), 404, "not_found")
    assert other.get(URL).json() == {"providers": []}
    assert owner.delete(f"{URL}/{made['id']}").status_code == 204
