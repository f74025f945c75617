"""Login budgets (issue 17, item 2): one budget per normalised e-mail + IP whatever the spelling, a
per-IP budget against password spraying, Retry-After on every 429, and e-mails normalised where
they enter (login, user creation)."""

from __future__ import annotations

import random
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from models.core.db import owner_session
from models.core.identity import create_tenant, ensure_user, normalise_email
from tests.support.api_clients import create_test_api
from tests.support.env import settings_env

WRONG = "not-the-password"


@pytest.fixture(scope="module")
def api():
    return create_test_api()


def fresh_ip() -> str:
    """An address no other test used, so each test starts with whole budgets."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def client_from(api, ip: str) -> TestClient:
    return TestClient(api, raise_server_exceptions=False, client=(ip, 40000))


def login(client, email, password):
    return client.post("/api/auth/login", json={"email": email, "password": password})


def assert_limited(response):
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert "token" not in response.text and "set-cookie" not in response.headers
    retry = int(response.headers["retry-after"])
    assert 1 <= retry <= 3600
    return retry


def spellings(email: str) -> list[str]:
    local, domain = email.split("@")
    return [
        " " + email,
        email + " ",
        email.upper(),
        f"\t{local.title()}@{domain.upper()}\n",
        "\u00a0" + email,  # no-break space
        "\u3000" + email + "\u2003",  # ideographic and em spaces
        email.swapcase(),
        f"  {email}  ",
        email,
        "\r\n" + email.upper(),
    ]


def test_every_spelling_of_an_email_spends_the_same_budget(api, tenant_a):
    client = client_from(api, fresh_ip())
    variants = spellings(tenant_a.owner_email)
    for variant in variants:  # 10 = PHAROS_LOGIN_FAILURES_PER_MINUTE in the test settings
        assert login(client, variant, WRONG).status_code == 401
    for variant in [tenant_a.owner_email, " " + tenant_a.owner_email, tenant_a.owner_email.upper()]:
        retry = assert_limited(login(client, variant, tenant_a.password))
        assert retry <= 60  # the account budget is per minute


def test_any_spelling_signs_in_as_the_same_user(api, tenant_a):
    client = client_from(api, fresh_ip())
    ids = set()
    for variant in spellings(tenant_a.owner_email)[:4]:
        response = login(client, variant, tenant_a.password)
        assert response.status_code == 200, response.text
        assert response.json()["user"]["email"] == tenant_a.owner_email
        ids.add(response.json()["user"]["id"])
    assert len(ids) == 1


def test_password_spraying_from_one_ip_meets_the_ip_budget(api, tenant_a, tenant_b):
    """30 e-mails × 1 try: the first 20 (PHAROS_LOGIN_IP_LIMIT default 20/minute) answer 401, the rest
    429 — the right password included — while another address is untouched."""
    ip = fresh_ip()
    client = client_from(api, ip)
    emails = [f"spray-{i}-{uuid.uuid4().hex[:6]}@x.test" for i in range(28)] + [tenant_b.owner_email]
    answers = [login(client, email, "Summer2025!").status_code for email in emails]
    assert answers == [401] * 20 + [429] * 9
    assert_limited(login(client, tenant_a.owner_email, tenant_a.password))
    assert login(client_from(api, fresh_ip()), tenant_a.owner_email, tenant_a.password).status_code == 200


def test_a_correct_password_does_not_refill_the_ip_budget(api, tenant_a):
    client = client_from(api, fresh_ip())
    with settings_env() as configure:
        configure(PHAROS_LOGIN_IP_LIMIT="3/minute")
        for i in range(2):
            assert login(client, f"nobody-{i}@x.test", WRONG).status_code == 401
        assert login(client, tenant_a.owner_email, tenant_a.password).status_code == 200
        assert login(client, "nobody-last@x.test", WRONG).status_code == 401  # the 3rd failure
        assert_limited(login(client, tenant_a.owner_email, tenant_a.password))


def test_a_correct_password_refills_that_accounts_budget(api, tenant_a):
    client = client_from(api, fresh_ip())
    with settings_env() as configure:
        configure(PHAROS_LOGIN_FAILURES_PER_MINUTE="3")
        for _ in range(2):
            assert login(client, tenant_a.owner_email, WRONG).status_code == 401
        assert login(client, tenant_a.owner_email, tenant_a.password).status_code == 200
        for _ in range(2):
            assert login(client, tenant_a.owner_email, WRONG).status_code == 401
        assert login(client, tenant_a.owner_email, tenant_a.password).status_code == 200
        for _ in range(3):
            assert login(client, tenant_a.owner_email, WRONG).status_code == 401
        assert_limited(login(client, tenant_a.owner_email, tenant_a.password))


def test_the_retry_after_of_an_hourly_budget_is_the_time_left_in_that_hour(api):
    client = client_from(api, fresh_ip())
    with settings_env() as configure:
        configure(PHAROS_LOGIN_IP_LIMIT="100/minute;2/hour")
        for i in range(2):
            assert login(client, f"h{i}@x.test", WRONG).status_code == 401
        retry = assert_limited(login(client, "h-last@x.test", WRONG))
    assert 60 < retry <= 3600


def test_forwarded_for_from_an_untrusted_client_buys_no_fresh_budget(api):
    """Without PHAROS_TRUSTED_PROXIES, X-Forwarded-For is the client's word and is ignored."""
    client = client_from(api, fresh_ip())
    with settings_env() as configure:
        configure(PHAROS_LOGIN_IP_LIMIT="3/minute")
        for i in range(3):
            headers = {"X-Forwarded-For": f"203.0.113.{i}"}
            response = client.post(
                "/api/auth/login", json={"email": f"n{i}@x.test", "password": WRONG}, headers=headers
            )
            assert response.status_code == 401
        response = client.post(
            "/api/auth/login",
            json={"email": "n-last@x.test", "password": WRONG},
            headers={"X-Forwarded-For": "203.0.113.99"},
        )
        assert_limited(response)


def test_forwarded_for_from_a_trusted_proxy_names_the_client(api):
    """Behind a trusted proxy each client has its own budget, and spraying through it still stops."""
    proxy = client_from(api, "192.0.2.10")
    sprayer, other = fresh_ip(), fresh_ip()
    with settings_env() as configure:
        configure(PHAROS_LOGIN_IP_LIMIT="3/minute", PHAROS_TRUSTED_PROXIES="192.0.2.0/24")
        for i in range(3):
            response = proxy.post(
                "/api/auth/login",
                json={"email": f"p{i}@x.test", "password": WRONG},
                headers={"X-Forwarded-For": sprayer},
            )
            assert response.status_code == 401
        limited = proxy.post(
            "/api/auth/login", json={"email": "p@x.test", "password": WRONG}, headers={"X-Forwarded-For": sprayer}
        )
        assert_limited(limited)
        fine = proxy.post(
            "/api/auth/login", json={"email": "p@x.test", "password": WRONG}, headers={"X-Forwarded-For": other}
        )
        assert fine.status_code == 401


def test_normalise_email_trims_any_whitespace_and_casefolds():
    assert normalise_email("\u00a0\t Sales@Demo.TEST \u3000\n") == "sales@demo.test"
    assert normalise_email("STRASSE@x.test") == normalise_email("strasse@X.test")


def test_users_are_created_under_the_normalised_email():
    suffix = uuid.uuid4().hex[:8]
    tenant = create_tenant(
        name=f"Norm {suffix}",
        owner_email=f"  Owner-{suffix}@Norm.TEST\u00a0",
        owner_password="correct-horse",
        slug=f"norm-{suffix}",
    )
    with owner_session() as session:
        stored = session.execute(
            text("select u.email from users u join memberships m on m.user_id = u.id where m.tenant_id = :t"),
            {"t": str(tenant.id)},
        ).scalar_one()
        assert stored == f"owner-{suffix}@norm.test"
        again = ensure_user(session, email=f"OWNER-{suffix}@norm.test ", display_name="x", password=None)
        assert again.email == stored  # the same user, not a second one
