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


def test_create_sku_then_price_rule_and_explain_it(page, console):
    code = f"AUR-E2E-{uuid.uuid4().hex[:6].upper()}"
    signed_in(page, "owner@demo.test")

    page.goto("/catalog/skus")
    expect(page.get_by_test_id("sku-row").first).to_be_visible()
    page.get_by_test_id("new-sku").click()
    form = page.get_by_test_id("entity-form")
    expect(form).to_be_visible()
    _pick(page, "Product", "Vitamin D3")
    form.get_by_label("Code").fill("AUR-D3-60")  # taken
    form.get_by_label("Name").fill("Vitamin D3 120 (e2e)")
    form.get_by_label("Name").press("Enter")  # Enter submits
    expect(form.get_by_test_id("error-code")).to_have_text("taken")
    expect(form.get_by_label("Name")).to_have_value("Vitamin D3 120 (e2e)")  # nothing lost
    form.get_by_label("Code").fill(code)
    form.get_by_test_id("form-save").click()
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("notice")).to_contain_text(code)
    expect(page.get_by_test_id("sku-row").filter(has_text=code)).to_have_count(1)

    page.goto("/catalog/pricing")
    expect(page.get_by_test_id("why-panel")).to_be_visible()
    page.get_by_test_id("new-rule").click()
    expect(form).to_be_visible()
    _pick(page, "Book", "MAP (INR)")
    expect(form.get_by_test_id("rule-currency")).to_have_text("INR")
    _pick(page, "SKU", code)
    form.get_by_label("Amount (exact decimal)").fill("612.35")
    form.get_by_label("Effective from (UTC)").fill("2026-01-01T00:00")
    form.get_by_test_id("form-save").click()
    expect(form).to_be_hidden()
    expect(page.get_by_test_id("notice")).to_contain_text("612.35 INR")
    expect(page.get_by_test_id("rule-row").filter(has_text=code)).to_have_count(1)

    page.get_by_role("combobox", name="SKU").click()
    page.get_by_role("option", name=re.compile(re.escape(code))).click()
    page.get_by_label("Currency").fill("INR")
    page.get_by_test_id("why-date").fill("2026-06-01")
    page.get_by_test_id("why-run").click()
    expect(page.get_by_test_id("why-price")).to_have_text("612.35 INR")
    expect(page.get_by_test_id("candidate-row")).to_have_count(1)
    expect(page.get_by_test_id("candidate-row").filter(has_text="winner")).to_have_count(1)
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
