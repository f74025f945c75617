"""The one search (GET /api/search, models/core/search.py) over margin's and the catalog's
providers: every word must match (each may match a different field), LIKE wildcards are literal,
hits are grouped and ranked (exact code, code prefix, title prefix, contained), and only the
caller's tenant and what the caller's role may read appear — QA #14, issue 10."""

from __future__ import annotations

import pytest

from models.core import text_search
from models.core.flags import update_flags
from tests.support.api_clients import api_error, role_clients

CATALOG_FLAGS = {"ENABLE_ORG": True, "ENABLE_CHANNELS": True, "ENABLE_PRICE_BOOKS": True}
CATALOG_TYPES = {"skus", "products", "organizations", "channels", "price_rules"}
MARGIN_TYPES = {"alerts", "dealers", "tasks"}
COMP_TYPES = {"bonus_plans"}  # comp.read: owner, admin, hr, manager, finance, auditor, viewer
CASES_TYPES = {"cases", "invoices", "payments", "match_packs", "statements"}  # the owner reads cases too
GRAPH_TYPES = {"participants"}  # graph.read: owner, admin, ops, auditor


@pytest.fixture(scope="module")
def client(api, margin_a, margin_b):
    for tenant in (margin_a, margin_b):
        update_flags(tenant.ctx(), CATALOG_FLAGS)
    made = role_clients(api, margin_a.tenant, ("hr", "vendor"), others={"b": margin_b.tenant})
    made["a"] = made["owner"]
    return made


def _get(client, q: str, **params) -> dict:
    res = client.get("/api/search", params={"q": q, "limit": 50, **params})
    assert res.status_code == 200, res.text
    return res.json()


def hits(body: dict, kind: str) -> list[dict]:
    return next((g["hits"] for g in body["groups"] if g["type"] == kind), [])


def test_multi_word_search_matches_each_word_in_any_field(client):
    body = _get(client["a"], "metro zinc")
    alerts = hits(body, "alerts")
    assert alerts, "Metro's AUR-ZINC-30 alerts"
    assert all("Metro" in a["title"] and a["title"].endswith("AUR-ZINC-30") for a in alerts)
    metro = {a["id"] for a in hits(_get(client["a"], "metro"), "alerts")}
    zinc = {a["id"] for a in hits(_get(client["a"], "zinc"), "alerts")}
    assert {a["id"] for a in alerts} == metro & zinc
    assert hits(body, "dealers") == [] and hits(body, "skus") == []  # no single dealer/SKU holds both


def test_word_order_case_and_extra_spaces_do_not_matter(client):
    ids = {a["id"] for a in hits(_get(client["a"], "metro zinc"), "alerts")}
    assert {a["id"] for a in hits(_get(client["a"], "  ZINC   Metro "), "alerts")} == ids


def test_a_word_matching_nothing_empties_every_group(client):
    body = _get(client["a"], "metro zzqxnothing")
    assert {g["type"] for g in body["groups"]} == MARGIN_TYPES | CATALOG_TYPES | COMP_TYPES | CASES_TYPES | GRAPH_TYPES
    assert all(g["hits"] == [] for g in body["groups"])


def test_words_match_within_one_field_too(client):
    assert [d["subtitle"] for d in hits(_get(client["a"], "metro dlr"), "dealers")] == ["DLR-METRO"]
    rules = hits(_get(client["a"], "map breach"), "alerts")
    assert rules and all(a["title"].startswith("MAP breach") for a in rules)


def test_the_catalog_groups_find_skus_products_orgs_channels_and_price_rules(client):
    body = _get(client["a"], "aur-zinc-30")
    assert [(s["title"], s["rank"]) for s in hits(body, "skus")] == [("AUR-ZINC-30", 0)]
    assert hits(body, "price_rules") and all(r["title"].startswith("AUR-ZINC-30 · ") for r in hits(body, "price_rules"))
    assert [c["title"] for c in hits(_get(client["a"], "online"), "channels")] == ["Online marketplace"]
    orgs = hits(_get(client["a"], "northstar"), "organizations")
    assert [(o["title"], o["subtitle"]) for o in orgs] == [("Northstar Distribution", "DIST-NORTH · distributor")]
    assert [p["title"] for p in hits(_get(client["a"], "aur-d3"), "products")] == ["Aurora Vitamin D3"]


def _new_sku(client, margin_a, code: str, name: str) -> None:
    body = {"product_id": str(margin_a.id("product", "d3")), "code": code, "name": name}
    assert client.post("/api/skus", json=body).status_code == 201


def test_exact_code_first_then_code_prefix_then_name_prefix_then_contained(client, margin_a):
    for code, name in (("ZZ-RNK-1", "ranked d"), ("QQ-9", "rnk-1 sample"), ("RNK-10", "ranked b"), ("RNK-1", "c")):
        _new_sku(client["a"], margin_a, code, name)
    found = hits(_get(client["a"], "rnk-1", types="skus"), "skus")
    assert [(s["title"], s["rank"]) for s in found] == [("RNK-1", 0), ("RNK-10", 1), ("QQ-9", 2), ("ZZ-RNK-1", 3)]
    assert [s["title"] for s in hits(_get(client["a"], "rnk-1", types="skus", limit=2), "skus")] == ["RNK-1", "RNK-10"]


def test_percent_and_underscore_are_literal(client, margin_a):
    _new_sku(client["a"], margin_a, "PCT-1", "50%_off pack")
    _new_sku(client["a"], margin_a, "PCT-2", "50xyoff pack")
    assert [s["title"] for s in hits(_get(client["a"], "50%_off", types="skus"), "skus")] == ["PCT-1"]
    assert [s["title"] for s in hits(_get(client["a"], "%", types="skus"), "skus")] == ["PCT-1"]
    assert [s["title"] for s in hits(_get(client["a"], "pct_", types="skus"), "skus")] == []
    assert hits(_get(client["a"], "metro %"), "alerts") == []


def test_only_the_callers_tenant(client, margin_a, margin_b):
    a_ids = {x["id"] for g in _get(client["a"], "aur")["groups"] for x in g["hits"]}
    b_ids = {x["id"] for g in _get(client["b"], "aur")["groups"] for x in g["hits"]}
    assert a_ids and b_ids and not a_ids & b_ids
    assert hits(_get(client["b"], "rnk-1", types="skus"), "skus") == []  # A's own SKUs


def test_only_what_the_role_may_read(client):
    hr = {g["type"] for g in _get(client["hr"], "aur")["groups"]}
    assert hr == CATALOG_TYPES | COMP_TYPES  # hr holds catalog.read, pricing.read and comp.read, not margin.read
    vendor = client["vendor"].get("/api/search", params={"q": "aur"})
    assert vendor.status_code == 200  # vendor: neither margin nor catalog; its own cases only
    assert {g["type"] for g in vendor.json()["groups"]} == CASES_TYPES
    assert all(g["hits"] == [] for g in vendor.json()["groups"])
    assert {g["type"] for g in _get(client["hr"], "aur", types="alerts,skus")["groups"]} == {"skus"}


def test_bad_input_is_refused_naming_the_field(client):
    api_error(client["a"].get("/api/search"), 422, "validation_error")
    error = api_error(
        client["a"].get("/api/search", params={"q": "x", "types": "alerts,nope"}), 422, "validation_error"
    )
    assert "types" in error["fields"] and "nope" in error["message"]


def test_search_words_helper():
    assert text_search.search_words("  Metro  zinc metro ") == ["metro", "zinc"]
    assert text_search.search_words("") == []
    assert len(text_search.search_words(" ".join(f"w{i}" for i in range(20)))) == text_search.MAX_WORDS
