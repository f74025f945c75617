"""Catalog forms in Chromium: create a SKU (a taken code is refused next to the field and nothing
typed is lost), then a price rule for it, and see the "why this price?" panel pick that rule."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e


def _pick(page, label: str, option: str) -> None:
    dialog = page.get_by_test_id("entity-form")
    dialog.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=re.compile(re.escape(option))).click()


def _open(page, path: str, user: str, row: str, button: str):
    """Sign in, open the page, wait for its rows, click a New… button: the form dialog."""
    signed_in(page, user)
    page.goto(path)
    expect(page.get_by_test_id(row).first).to_be_visible()
    page.get_by_test_id(button).click()
    form = page.get_by_test_id("entity-form")
    expect(form).to_be_visible()
    return form


def _new_rule(page, sku_code: str, amount: str, start: str) -> None:
    page.get_by_test_id("new-rule").click()
    form = page.get_by_test_id("entity-form")
    expect(form).to_be_visible()
    _pick(page, "Book", "MAP (INR)")
    expect(form.get_by_test_id("rule-currency")).to_have_text("INR")
    _pick(page, "SKU", sku_code)
    form.get_by_label("Amount (exact decimal)").fill(amount)
    form.get_by_label("Effective from (UTC)").fill(start)
    form.get_by_test_id("form-save").click()
    expect(form).to_be_hidden()


def _explain(page, sku_code: str, day: str) -> None:
    page.get_by_role("combobox", name="SKU").click()
    page.get_by_role("option", name=re.compile(re.escape(sku_code))).click()
    page.get_by_label("Currency").fill("INR")
    page.get_by_test_id("why-date").fill(day)
    page.get_by_test_id("why-run").click()


def test_create_sku_then_price_rule_and_explain_it(page, console):
    import os

    shots = os.environ.get("PHAROS_E2E_SHOTS")
    code = f"AUR-E2E-{uuid.uuid4().hex[:6].upper()}"
    form = _open(page, "/catalog/skus", "owner@demo.test", "sku-row", "new-sku")
    _pick(page, "Product", "Vitamin D3")
    form.get_by_label("Code", exact=True).fill("AUR-D3-60")  # taken
    form.get_by_label("Name", exact=True).fill("Vitamin D3 120 (e2e)")
    form.get_by_label("Name", exact=True).press("Enter")  # Enter submits
    expect(form.get_by_test_id("error-code")).to_have_text("taken")
    expect(form.get_by_label("Name", exact=True)).to_have_value("Vitamin D3 120 (e2e)")  # nothing lost
    form.get_by_label("Code", exact=True).fill(code)
    form.get_by_test_id("form-save").click()
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("notice")).to_contain_text(code)
    expect(page.get_by_test_id("sku-row").filter(has_text=code)).to_have_count(1)

    page.goto("/catalog/pricing")
    expect(page.get_by_test_id("why-panel")).to_be_visible()
    _new_rule(page, code, "612.35", "2026-01-01T00:00")
    expect(page.get_by_test_id("notice")).to_contain_text("612.35 INR")
    expect(page.get_by_test_id("rule-warnings")).to_have_count(0)
    expect(page.get_by_test_id("rule-row").filter(has_text=code)).to_have_count(1)
    # a later rule at the same step: saved, with the overlap warning the API would return
    _new_rule(page, code, "599.90", "2026-03-01T00:00")
    expect(page.get_by_test_id("rule-warning")).to_have_count(1)
    expect(page.get_by_test_id("rule-warning")).to_contain_text("info")
    if shots:
        page.screenshot(path=f"{shots}/rule-saved.png", full_page=True)

    _explain(page, code, "2026-02-01")
    expect(page.get_by_test_id("why-price")).to_have_text("612.35 INR")
    expect(page.get_by_test_id("candidate-row")).to_have_count(2)
    _explain(page, code, "2026-06-01")
    expect(page.get_by_test_id("why-price")).to_have_text("599.9 INR")
    expect(page.get_by_test_id("candidate-row").filter(has_text="winner")).to_contain_text("599.9 INR")
    expect(page.get_by_test_id("candidate-row").filter(has_text="outranked")).to_contain_text("612.35 INR")
    assert console.unexpected() == []


def test_viewer_sees_no_create_or_edit_buttons(page):
    signed_in(page, "viewer@demo.test")
    page.goto("/catalog/skus")
    expect(page.get_by_test_id("sku-row").first).to_be_visible()
    expect(page.get_by_test_id("new-sku")).to_have_count(0)
    expect(page.get_by_test_id("edit-sku")).to_have_count(0)
    page.goto("/catalog/pricing")
    expect(page.get_by_test_id("why-panel")).to_be_visible()
    expect(page.get_by_test_id("new-rule")).to_have_count(0)


def test_create_and_edit_an_organization_with_its_type_profile(page):
    import os

    shots = os.environ.get("PHAROS_E2E_SHOTS")
    code = f"DLR-E2E-{uuid.uuid4().hex[:6].upper()}"
    form = _open(page, "/catalog/organizations", "ops@demo.test", "org-row", "new-org")
    expect(form.get_by_label("Tier")).to_be_visible()  # dealer (the default type): a dealer's profile
    expect(form.get_by_label("Brands (comma separated)")).to_have_count(0)
    _pick(page, "Type", "competitor")
    expect(form.get_by_label("Brands (comma separated)")).to_be_visible()
    expect(form.get_by_label("Tier")).to_have_count(0)
    _pick(page, "Type", "supplier")  # not a dealer: the margin pages' dealer lists stay as they are
    form.get_by_label("Code", exact=True).fill(code)
    form.get_by_label("Name", exact=True).fill("E2E Supplies")
    form.get_by_label("Categories").fill("Vitamins, Minerals")
    form.get_by_label("Payment terms").fill("45")
    form.get_by_label("Country").fill("india")
    form.get_by_test_id("form-save").click()
    expect(form.get_by_test_id("error-profile.country")).to_be_visible()
    if shots:
        page.screenshot(path=f"{shots}/org-form-error.png")
    expect(form.get_by_label("Categories")).to_have_value("Vitamins, Minerals")
    form.get_by_label("Country").fill("IN")
    form.get_by_label("Country").press("Enter")
    expect(form).to_be_hidden()
    detail = page.get_by_test_id("org-detail")
    expect(detail).to_contain_text("E2E Supplies")
    expect(detail).to_contain_text("Vitamins, Minerals")

    detail.get_by_test_id("edit-org").click()
    expect(form.get_by_label("Payment terms")).to_have_value("45")
    form.get_by_label("Name", exact=True).fill("E2E Supplies & Co")
    form.get_by_test_id("form-save").click()
    expect(form).to_be_hidden()
    expect(detail).to_contain_text("E2E Supplies & Co")
    expect(page.get_by_test_id("org-row").filter(has_text="E2E Supplies & Co")).to_have_count(1)


def test_deactivate_a_sku_hides_it_from_the_price_panel_then_reactivate(page, console):
    from engine.context import TenantContext
    from models.catalog import catalog
    from models.catalog.inputs import SkuCreate
    from models.core.db import tenant_session
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID
    from seeds.ids import demo_id

    code = f"AUR-OFF-{uuid.uuid4().hex[:6].upper()}"
    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    with tenant_session(ctx) as session:
        catalog.create_sku(session, ctx, SkuCreate(product_id=demo_id("product", "zinc"), code=code, name="Toggle"))
    signed_in(page, "ops@demo.test")
    page.goto("/catalog/skus")
    row = page.get_by_test_id("sku-row").filter(has_text=code)
    expect(row).to_contain_text("active")
    row.get_by_test_id("toggle-sku").click()
    expect(page.get_by_test_id("notice")).to_have_text(f"Deactivated SKU {code}.")
    expect(row.get_by_test_id("inactive-badge")).to_be_visible()
    expect(row.get_by_test_id("toggle-sku")).to_have_text("Reactivate")

    page.goto("/catalog/pricing")
    page.get_by_test_id("why-panel").get_by_role("combobox", name="SKU").click()
    expect(page.get_by_role("option", name=re.compile(r"AUR-D3-60"))).to_be_visible()
    expect(page.get_by_role("option", name=re.compile(re.escape(code)))).to_have_count(0)
    page.keyboard.press("Escape")

    page.goto("/catalog/skus")
    row = page.get_by_test_id("sku-row").filter(has_text=code)
    row.get_by_test_id("toggle-sku").click()
    expect(page.get_by_test_id("notice")).to_have_text(f"Reactivated SKU {code}.")
    expect(row.get_by_test_id("inactive-badge")).to_have_count(0)
    assert console.unexpected() == []
