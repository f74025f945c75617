"""The "why this price?" panel in Chromium: the price and the candidate table it shows are the
resolver's answer for the chosen SKU, organization, kind and date, read from the database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e


def _expected(sku_code: str, org_name: str | None, kind: str, day: date):
    from sqlmodel import select

    from engine.context import TenantContext
    from models.catalog.pricing import resolve_price
    from models.catalog_tables import Organization, Sku
    from models.db import owner_tenant_session
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    with owner_tenant_session(ctx) as session:
        sku = session.exec(select(Sku).where(Sku.tenant_id == DEMO_TENANT_ID, Sku.code == sku_code)).one()
        org = (
            session.exec(select(Organization).where(Organization.tenant_id == DEMO_TENANT_ID, Organization.name == org_name)).one()
            if org_name
            else None
        )
        result = resolve_price(
            session, ctx, sku_id=sku.id, org_id=org.id if org else None, currency="INR", kind=kind,
            at=datetime.combine(day, time.min, tzinfo=UTC), record=False,
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
    from app.web.pages.catalog_pricing import _amount

    expect(page.get_by_test_id("why-price")).to_have_text(f"{_amount(price)} INR")
    expect(page.get_by_test_id("candidate-row")).to_have_count(candidates)
    expect(page.get_by_test_id("candidate-row").filter(has_text="winner")).to_have_count(1)
    assert console.unexpected() == []
