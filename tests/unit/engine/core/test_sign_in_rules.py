"""Single sign-on rules without I/O: exact domain matching, acceptable provider settings, safe
post-sign-in destinations, and one sentence per refusal code (never the URL's own text)."""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from engine.sign_in import (
    GENERIC_REFUSAL,
    REFUSALS,
    SignInRefused,
    clean_domains,
    clean_issuer,
    clean_sign_up_role,
    domain_allowed,
    refusal_message,
    safe_next,
)


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("a@example.com", True),
        ("A@Example.COM", True),
        ("a@evil-example.com", False),
        ("a@sub.example.com", False),
        ("a@example.com.evil.test", False),
        ("no-at-sign", False),
    ],
)
def test_domains_match_exactly(email, allowed):
    assert domain_allowed(email, ["example.com"]) is allowed


def test_issuers_must_be_https_except_on_this_machine():
    assert clean_issuer(" https://idp.example.com/ ") == "https://idp.example.com"
    assert clean_issuer("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert clean_issuer("http://localhost:9000/realms/x") == "http://localhost:9000/realms/x"
    for bad in ("http://idp.example.com", "ftp://idp.example.com", "https://", "https://idp.example.com/?a=1"):
        with pytest.raises(ValidationFailed) as refused:
            clean_issuer(bad)
        assert set(refused.value.fields) == {"issuer"}


def test_domains_and_roles_are_checked():
    assert clean_domains([" Example.COM", "example.com", "b.example.org"]) == ["b.example.org", "example.com"]
    with pytest.raises(ValidationFailed):
        clean_domains(["not a domain"])
    assert clean_sign_up_role("sales") == "sales"
    for role in ("owner", "vendor", "root"):
        with pytest.raises(ValidationFailed):
            clean_sign_up_role(role)


@pytest.mark.parametrize(
    ("asked", "safe"),
    [
        ("/margin/alerts?x=1", "/margin/alerts?x=1"),
        ("//evil.test/x", "/"),
        ("https://evil.test", "/"),
        ("/\\evil.test", "/"),
        ("/login?next=/x", "/"),
        ("/select-tenant", "/"),
        (None, "/"),
    ],
)
def test_only_local_paths_are_destinations(asked, safe):
    assert safe_next(asked) == safe


def test_every_code_has_a_sentence_and_unknown_codes_read_generic():
    assert all(text.endswith(".") for text in REFUSALS.values())
    assert refusal_message("wrong_audience") == REFUSALS["wrong_audience"]
    assert refusal_message("<script>alert(1)</script>") == GENERIC_REFUSAL
    assert SignInRefused("made-up").code == "invalid_token"
