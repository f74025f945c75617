"""The environment's single sign-on provider: off without an issuer; with one, the settings it
needs are required and checked at start-up, each message naming the variable."""

from __future__ import annotations

import pytest

from models.core.settings import get_settings, reset_settings_cache

NAMES = (
    "PHAROS_OIDC_ISSUER",
    "PHAROS_OIDC_CLIENT_ID",
    "PHAROS_OIDC_CLIENT_SECRET",
    "PHAROS_OIDC_NAME",
    "PHAROS_OIDC_TENANT",
    "PHAROS_OIDC_ALLOWED_DOMAINS",
    "PHAROS_OIDC_DEFAULT_ROLE",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    reset_settings_cache()
    yield monkeypatch
    reset_settings_cache()


def test_no_issuer_no_provider():
    assert get_settings().oidc is None


def test_a_complete_provider(clean_env):
    clean_env.setenv("PHAROS_OIDC_ISSUER", "https://login.example.com/")
    clean_env.setenv("PHAROS_OIDC_CLIENT_ID", "pharos")
    clean_env.setenv("PHAROS_OIDC_TENANT", "acme")
    clean_env.setenv("PHAROS_OIDC_ALLOWED_DOMAINS", "Acme.test, acme.example")
    oidc = get_settings().oidc
    assert oidc is not None
    assert (oidc.issuer, oidc.client_id, oidc.tenant, oidc.name) == (
        "https://login.example.com",
        "pharos",
        "acme",
        "single sign-on",
    )
    assert (oidc.allowed_domains, oidc.default_role, oidc.client_secret) == (
        ("acme.example", "acme.test"),
        "viewer",
        "",
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "PHAROS_OIDC_CLIENT_ID and PHAROS_OIDC_TENANT"),
        (
            {"PHAROS_OIDC_CLIENT_ID": "x", "PHAROS_OIDC_TENANT": "t", "PHAROS_OIDC_DEFAULT_ROLE": "owner"},
            "PHAROS_OIDC_DEFAULT_ROLE",
        ),
        (
            {"PHAROS_OIDC_CLIENT_ID": "x", "PHAROS_OIDC_TENANT": "t", "PHAROS_OIDC_ALLOWED_DOMAINS": "a b"},
            "not a domain",
        ),
    ],
)
def test_bad_settings_stop_start_up_naming_the_variable(clean_env, env, named):
    clean_env.setenv("PHAROS_OIDC_ISSUER", "https://login.example.com")
    for name, value in env.items():
        clean_env.setenv(name, value)
    with pytest.raises(RuntimeError, match=named):
        get_settings()


def test_a_plain_http_issuer_elsewhere_is_refused(clean_env):
    for name, value in {
        "PHAROS_OIDC_ISSUER": "http://login.example.com",
        "PHAROS_OIDC_CLIENT_ID": "x",
        "PHAROS_OIDC_TENANT": "t",
    }.items():
        clean_env.setenv(name, value)
    with pytest.raises(RuntimeError, match="PHAROS_OIDC_ISSUER must be an https URL"):
        get_settings()
