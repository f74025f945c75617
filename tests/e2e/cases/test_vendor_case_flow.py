"""Vendor cases in Chromium: staff open a case and invite a vendor person, the vendor accepts the
link and lands in the vendor portal, answers with evidence, and staff approve; a vendor sent to a
staff page lands back in its portal and sees only its own organization's cases."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_staff_open_invite_vendor_answers_with_evidence_staff_approve(page, browser, live_app, tmp_path):
    subject = f"Short shipment {uuid.uuid4().hex[:6]}"
    signed_in(page, "owner@demo.test")
    page.goto("/cases")
    expect(page.get_by_test_id("case-row").first).to_be_visible()
    page.get_by_test_id("new-case").click()
    page.get_by_test_id("new-case-vendor").click()
    page.get_by_role("option", name="Apex Packaging Supplies").click()
    page.get_by_test_id("new-case-subject").fill(subject)
    page.get_by_test_id("new-case-message").fill("PO 4411 arrived with 40 cartons instead of 48.")
    page.get_by_test_id("new-case-save").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("case-subject")).to_have_text(subject)
    expect(page.get_by_test_id("case-status")).to_have_text("open")
    case_url = page.url

    email = f"vendor-{uuid.uuid4().hex[:6]}@apex.test"
    page.get_by_test_id("invite-email").fill(email)
    page.get_by_test_id("invite-send").click()
    link = page.get_by_test_id("invite-link")
    expect(link).to_have_text(re.compile(r"/invite/accept\?token=[A-Za-z0-9_-]{40,}$"))
    accept_url = link.inner_text()

    vendor = browser.new_context(base_url=live_app.url)
    try:
        tab = vendor.new_page()
        tab.goto(accept_url)
        expect(tab.get_by_test_id("accept-summary")).to_contain_text("vendor")
        tab.get_by_test_id("accept-name").fill("Vera Apex")
        tab.get_by_test_id("accept-password").fill("apex-vendor-pass-1")
        tab.get_by_test_id("accept-confirm").fill("apex-vendor-pass-1")
        tab.get_by_test_id("accept-submit").click()
        tab.wait_for_url(re.compile(r"/portal$"))
        expect(tab.get_by_test_id("portal-org")).to_have_text("Apex Packaging Supplies")
        subjects = tab.get_by_test_id("portal-case-link")
        expect(subjects.filter(has_text=subject)).to_have_count(1)
        expect(subjects.filter(has_text="Fuel surcharge")).to_have_count(0)  # BlueLine's, not Apex's

        tab.goto("/cases")  # a staff page: the vendor lands back in its portal
        tab.wait_for_url(re.compile(r"/portal$"))

        tab.get_by_test_id("portal-case-link").filter(has_text=subject).click()
        expect(tab.get_by_test_id("portal-case-subject")).to_have_text(subject)
        expect(tab.get_by_test_id("portal-action")).to_have_text("Withdraw")
        source = tmp_path / "dispatch-note.pdf"
        source.write_bytes(PDF)
        tab.get_by_test_id("portal-file-label").fill("Dispatch note")
        tab.get_by_test_id("portal-upload").locator("input[type=file]").set_input_files(str(source))
        expect(tab.get_by_test_id("portal-file-chosen")).to_have_text("dispatch-note.pdf")
        tab.get_by_test_id("portal-upload-send").click()
        expect(tab.get_by_test_id("portal-file")).to_contain_text("Dispatch note")
        tab.get_by_test_id("portal-answer").fill("We shipped 40; 8 follow next week. Dispatch note attached.")
        tab.get_by_test_id("portal-answer-send").click()
        expect(tab.get_by_test_id("portal-case-status")).to_have_text("in review")
    finally:
        vendor.close()

    page.goto(case_url)
    expect(page.get_by_test_id("case-status")).to_have_text("in review")
    expect(page.get_by_test_id("evidence-row")).to_contain_text("Dispatch note")
    expect(page.get_by_test_id("timeline-item").filter(has_text="Response from the vendor")).to_have_count(1)
    buttons = page.get_by_test_id("case-action")
    expect(buttons).to_have_count(2)  # the owner: Approve, Reject (Withdraw is the vendor's own)
    page.get_by_test_id("evidence-verify").click()
    expect(page.get_by_test_id("evidence-status")).to_have_text("verified")
    buttons.filter(has_text="Approve").click()
    expect(page.get_by_test_id("case-status")).to_have_text("resolved approved")
    expect(page.get_by_test_id("timeline-item").filter(has_text="approve")).to_have_count(1)
    expect(page.get_by_test_id("case-action")).to_have_count(0)


def test_inbox_keyboard_and_filters(page):
    signed_in(page, "ops@demo.test")
    page.goto("/cases?status=in_review")
    rows = page.get_by_test_id("case-row")
    expect(rows.first).to_be_visible()
    for i in range(rows.count()):
        expect(rows.nth(i)).to_contain_text("in review")
    page.get_by_test_id("cases-table").click()
    page.keyboard.press("j")
    expect(rows.first).to_have_attribute("data-selected", "yes")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("case-status")).to_have_text("in review")
    page.goto("/cases?age=overdue")
    expect(page.get_by_test_id("case-overdue").first).to_be_visible()
