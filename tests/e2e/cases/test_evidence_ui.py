"""Evidence in Chromium, on both sides of one case: staff upload a file on the case page (the same
upload path as the portal's); the vendor replaces it in its portal with a new version, which the
REPLACE decision puts in place; staff then see version 2 and the replace decision in the timeline."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import demo_db, login, signed_in

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 32


def _fresh_case(subject: str) -> str:
    """A new open Apex case, as staff open it (ops)."""
    from engine.context import TenantContext
    from engine.rbac import Role
    from models.cases import cases
    from seeds.ids import demo_id

    def make(session, system):
        ops = TenantContext(
            system.tenant_id, demo_id("user", "ops@demo.test"), Role.OPS, tenant_slug=system.tenant_slug
        )
        return str(cases.open_case(session, ops, vendor_id=demo_id("organization", "vendor-apex"), subject=subject).id)

    return demo_db(make)


def test_staff_upload_then_vendor_replaces_the_file(page, browser, live_app, tmp_path):
    subject = f"Damaged pallets {uuid.uuid4().hex[:6]}"
    case_id = _fresh_case(subject)
    signed_in(page, "ops@demo.test")
    page.goto(f"/cases/{case_id}")
    expect(page.get_by_test_id("case-subject")).to_have_text(subject)
    expect(page.get_by_test_id("evidence-row")).to_have_count(0)

    first = tmp_path / "pallet-photo-report.pdf"
    first.write_bytes(PDF)
    page.get_by_test_id("case-file-label").fill("Pallet photos")
    page.get_by_test_id("case-upload").locator("input[type=file]").set_input_files(str(first))
    expect(page.get_by_test_id("case-file-chosen")).to_have_text("pallet-photo-report.pdf")
    page.get_by_test_id("case-upload-send").click()
    expect(page.get_by_test_id("case-upload-message")).to_have_text("The file is stored.")
    row = page.get_by_test_id("evidence-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Pallet photos")
    expect(row).to_contain_text("pallet-photo-report.pdf")
    expect(row).to_contain_text("v1")

    vendor = browser.new_context(base_url=live_app.url)
    try:
        tab = vendor.new_page()
        login(tab, "vendor@demo.test")
        tab.wait_for_url(re.compile(r"/portal$"))
        tab.goto(f"/portal/cases/{case_id}")
        expect(tab.get_by_test_id("portal-case-subject")).to_have_text(subject)
        mine = tab.get_by_test_id("portal-file")
        expect(mine).to_contain_text("Pallet photos")
        expect(mine).to_contain_text("v1")
        tab.get_by_test_id("portal-file-replace").click()
        expect(tab.get_by_test_id("portal-file-label")).to_have_count(0)  # a new version keeps the label
        second = tmp_path / "pallet-photo.png"
        second.write_bytes(PNG)
        tab.get_by_test_id("portal-upload").locator("input[type=file]").set_input_files(str(second))
        tab.get_by_test_id("portal-upload-send").click()
        expect(tab.get_by_test_id("portal-upload-message")).to_have_text("The new version replaces the file.")
        expect(mine).to_have_count(1)
        expect(mine).to_contain_text("pallet-photo.png")
        expect(mine).to_contain_text("v2")
        expect(tab.get_by_test_id("portal-file-status")).to_have_text("submitted")
    finally:
        vendor.close()

    page.reload()
    row = page.get_by_test_id("evidence-row")
    expect(row).to_contain_text("pallet-photo.png")
    expect(row).to_contain_text("v2")
    expect(page.get_by_test_id("timeline-item").filter(has_text="Evidence: replace")).to_have_count(1)
    expect(page.get_by_test_id("timeline-item").filter(has_text="(version 2)")).to_have_count(1)
