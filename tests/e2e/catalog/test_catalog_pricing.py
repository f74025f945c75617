"""The "why this price?" panel in Chromium: the price and the candidate table it shows are the
resolver's answer for the chosen SKU, organization, kind and date, read from the database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e


def _expected(sku_code: str, org_name: str | None, kind: str, day: date):
    from sqlmodel import select

    from engine.context import TenantContext
    from models.catalog.pricing import resolve_price
    from models.catalog.tables import Organization, Sku
    from models.core.db import owner_tenant_session
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    with owner_tenant_session(ctx) as session:
        sku = session.exec(select(Sku).where(Sku.tenant_id == DEMO_TENANT_ID, Sku.code == sku_code)).one()
        org = (
            session.exec(
                select(Organization).where(Organization.tenant_id == DEMO_TENANT_ID, Organization.name == org_name)
            ).one()
            if org_name
            else None
        )
        result = resolve_price(
            session,
            ctx,
            sku_id=sku.id,
            org_id=org.id if org else None,
            currency="INR",
            kind=kind,
            at=datetime.combine(day, time.min, tzinfo=UTC),
            record=False,
        )
        return result.price, len(result.candidates)


def _pick(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=re.compile(re.escape(option))).click()


def _explain(page, sku: str, org: str | None, day: date) -> None:
    _pick(page, "SKU", sku)
    if org:
        _pick(page, "Organization", org)
    page.get_by_label("Currency").fill("INR")
    page.get_by_test_id("why-date").fill(day.isoformat())
    page.get_by_test_id("why-run").click()


@pytest.mark.parametrize(
    ("sku", "org", "day"),
    [
        ("AUR-D3-60", "Metro Pharma Retail", date(2026, 6, 1)),  # the dealer-specific override wins
        ("AUR-D3-60", None, date(2026, 6, 1)),  # the global MAP
        ("AUR-OMEGA-90", None, date(2027, 4, 2)),  # the future-dated rule, once it applies
    ],
)
def test_why_this_price_shows_the_resolvers_answer(page, console, sku, org, day):
    price, candidates = _expected(sku, org, "map", day)
    assert price is not None
    signed_in(page, "owner@demo.test")
    page.goto("/catalog/pricing")
    expect(page.get_by_test_id("why-panel")).to_be_visible()
    _explain(page, sku, org, day)
    from app.web.catalog.price_views import amount_text as _amount

    expect(page.get_by_test_id("why-price")).to_have_text(f"{_amount(price)} INR")
    expect(page.get_by_test_id("candidate-row")).to_have_count(candidates)
    expect(page.get_by_test_id("candidate-row").filter(has_text="winner")).to_have_count(1)
    assert console.unexpected() == []


# --- deep links (the alert page links here) ---------------------------------------------------------


def _metro_link(**extra: str) -> str:
    from urllib.parse import urlencode

    from seeds.ids import demo_id

    params = {
        "sku": "AUR-D3-60",
        "org": str(demo_id("organization", "dealer-metro")),
        "kind": "map",
        "at": "2026-06-01",
    }
    return "/catalog/pricing?" + urlencode({**params, **extra})


def test_deep_link_prefills_and_explains_the_dealer_override(page, console):
    from app.web.catalog.price_views import amount_text as _amount
    from seeds.ids import demo_id

    override = str(demo_id("price_rule", "map:d3:dealer-metro"))
    signed_in(page, "owner@demo.test")
    page.goto(_metro_link(rule=override))
    panel = page.get_by_test_id("why-panel")
    expect(panel.get_by_role("combobox", name="SKU")).to_have_text(re.compile(r"^AUR-D3-60 — "))
    expect(panel.get_by_role("combobox", name="Organization")).to_have_text("Metro Pharma Retail (dealer)")
    expect(panel.get_by_role("combobox", name="Channel")).to_have_text("No channel")
    expect(panel.get_by_role("combobox", name="Kind")).to_have_text("MAP")
    expect(panel.get_by_label("Currency")).to_have_value("INR")
    expect(page.get_by_test_id("why-date")).to_have_value("2026-06-01")

    # the answer is the API's for the same query
    sku_id = next(
        s["id"] for s in page.request.get("/api/skus?q=AUR-D3-60").json()["items"] if s["code"] == "AUR-D3-60"
    )
    response = page.request.get(
        "/api/prices/resolve",
        params={
            "sku_id": sku_id,
            "org_id": str(demo_id("organization", "dealer-metro")),
            "kind": "map",
            "currency": "INR",
            "at": "2026-06-01T00:00:00Z",
        },
    )
    assert response.status == 200, response.text()
    expected = response.json()
    assert expected["rule_id"] == override
    expect(page.get_by_test_id("why-price")).to_have_text(f"{_amount(Decimal(expected['price']))} INR")
    expect(page.get_by_test_id("why-winner")).to_have_text(f"Winning rule: {override}")
    expect(page.get_by_test_id("candidate-row")).to_have_count(len(expected["candidates"]))
    winner = page.locator("[data-testid=candidate-row][data-winner=true]")
    expect(winner).to_have_count(1)
    expect(winner).to_contain_text("linked rule")
    expect(page.get_by_test_id("why-verdict")).to_have_text(re.compile(rf"^Rule {override[:8]} is the winning rule"))
    expect(page.get_by_test_id("link-problems")).to_have_count(0)

    # the same link naming the global MAP rule: it did not win, and the page says which rule beat it
    global_rule = str(demo_id("price_rule", "map:d3"))
    page.goto(_metro_link(rule=global_rule))
    expect(page.get_by_test_id("why-verdict")).to_contain_text(f"Rule {global_rule[:8]} did not win")
    expect(page.get_by_test_id("why-verdict")).to_contain_text(f"Rule {override[:8]} beat it")
    assert console.unexpected() == []


def test_deep_link_with_malformed_params_names_them_and_keeps_the_rest(page, console):
    signed_in(page, "owner@demo.test")
    page.goto(_metro_link(org="metro", at="2026-02-30", kind="msrp"))
    problems = page.get_by_test_id("link-problem")
    expect(problems).to_have_count(3)
    expect(problems.nth(0)).to_contain_text("org:")
    expect(problems.nth(1)).to_contain_text("kind:")
    expect(problems.nth(2)).to_contain_text("at:")
    panel = page.get_by_test_id("why-panel")
    expect(panel.get_by_role("combobox", name="SKU")).to_have_text(re.compile(r"^AUR-D3-60 — "))
    expect(panel.get_by_label("Currency")).to_have_value("INR")
    expect(page.get_by_test_id("why-price")).to_have_count(0)  # nothing ran on a half-valid link
    assert console.unexpected() == []


def test_deep_link_with_another_tenants_ids_looks_unknown(page, console):
    from engine.context import TenantContext
    from models.core.db import tenant_session
    from seeds.catalog import build_catalog, tenant_ids
    from tests.support.tenants import make_tenant

    other = make_tenant("pricelink")
    ctx = TenantContext.system(other.tenant_id, other.slug)
    with tenant_session(ctx) as session:
        ids = build_catalog(session, ctx, tenant_ids(other.tenant_id))
    foreign_org = str(ids.orgs["dealer-metro"])
    signed_in(page, "owner@demo.test")
    page.goto(_metro_link(org=foreign_org, rule=str(ids.rules["map:d3:dealer-metro"])))
    problems = page.get_by_test_id("link-problem")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_have_text(f"org: no organization with id {foreign_org} in this tenant")
    expect(problems.nth(1)).to_contain_text("rule: no price rule with id")
    expect(page.get_by_test_id("why-panel").get_by_role("combobox", name="Organization")).not_to_contain_text("Metro")
    expect(page.get_by_test_id("why-price")).to_have_count(0)
    assert console.unexpected() == []
