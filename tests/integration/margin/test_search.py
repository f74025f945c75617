"""Search matches every word (an AND of words, each an ILIKE over the searchable fields) — QA #14."""

from __future__ import annotations

import pytest

from models.core import text_search
from models.core.db import tenant_session
from models.margin import dashboard


@pytest.fixture(scope="module")
def client(margin_a, margin_b):
    from fastapi.testclient import TestClient

    from app.api.main import create_api

    made = {}
    for key, tenant in (("a", margin_a), ("b", margin_b)):
        c = TestClient(create_api(), raise_server_exceptions=False)
        res = c.post("/api/auth/login", json={"email": tenant.tenant.owner_email, "password": tenant.tenant.password})
        assert res.status_code == 200, res.text
        c.headers["Authorization"] = f"Bearer {res.json()['token']}"
        made[key] = c
    return made


def _get(client, q: str) -> dict:
    res = client.get("/api/search", params={"q": q, "limit": 50})
    assert res.status_code == 200, res.text
    return res.json()


def test_multi_word_search_matches_each_word_in_any_field(client):
    body = _get(client["a"], "metro zinc")
    assert body["alerts"], "Metro's AUR-ZINC-30 alerts"
    assert all("metro" in a["dealer"].lower() and a["sku"] == "AUR-ZINC-30" for a in body["alerts"])
    metro = {a["id"] for a in _get(client["a"], "metro")["alerts"]}
    zinc = {a["id"] for a in _get(client["a"], "zinc")["alerts"]}
    assert {a["id"] for a in body["alerts"]} == metro & zinc
    assert body["dealers"] == [] and body["skus"] == []  # no single dealer/SKU holds both words


def test_word_order_case_and_extra_spaces_do_not_matter(client):
    ids = {a["id"] for a in _get(client["a"], "metro zinc")["alerts"]}
    assert {a["id"] for a in _get(client["a"], "  ZINC   Metro ")["alerts"]} == ids


def test_a_word_matching_nothing_empties_the_result(client):
    body = _get(client["a"], "metro zzqxnothing")
    assert body == {"alerts": [], "dealers": [], "skus": [], "tasks": []}


def test_words_match_within_one_field_too(client):
    dealers = _get(client["a"], "metro dlr")["dealers"]  # name and code of the same dealer
    assert [d["code"] for d in dealers] == ["DLR-METRO"]
    rules = _get(client["a"], "map breach")["alerts"]
    assert rules and all(a["rule"] == "map_breach" for a in rules)


def test_wildcards_are_literal_and_tenants_are_isolated(client, margin_b):
    assert _get(client["a"], "metro %")["alerts"] == []
    a_ids = {x["id"] for x in _get(client["a"], "metro zinc")["alerts"]}
    b_ids = {x["id"] for x in _get(client["b"], "metro zinc")["alerts"]}
    assert a_ids and b_ids and not a_ids & b_ids
    ctx = margin_b.ctx("viewer")
    with tenant_session(ctx) as session:
        assert {x["id"] for x in dashboard.search(session, ctx, "metro zinc", limit=50)["alerts"]} == b_ids


def test_search_words_helper():
    assert text_search.search_words("  Metro  zinc metro ") == ["metro", "zinc"]
    assert text_search.search_words("") == []
    assert len(text_search.search_words(" ".join(f"w{i}" for i in range(20)))) == text_search.MAX_WORDS
