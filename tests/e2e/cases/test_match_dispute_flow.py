"""The money side in Chromium: a vendor opens its match pack in the portal, reads why a line is an
exception (rule, tolerance, variance), disputes that line with a note; staff see the dispute on the
pack and open the linked case, in review, with the vendor's note; the payment of the invoice waits
on hold meanwhile. The other vendor cannot open the pack."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import demo_db, login, signed_in

pytestmark = pytest.mark.e2e


def _fresh_pack() -> dict[str, str]:
    """A new Apex pack with one price exception and a payment of its invoice, as staff make them."""
    from engine.context import TenantContext
    from engine.rbac import Role
    from models.cases import ledger, match_packs, payments
    from models.cases.ledger_inputs import (
        Allocation,
        InvoiceCreate,
        InvoiceLineIn,
        PackCreate,
        PaymentCreate,
        POCreate,
        POLineIn,
        ReceiptCreate,
    )
    from seeds.ids import demo_id

    tag = uuid.uuid4().hex[:6].upper()
    apex = demo_id("organization", "vendor-apex")

    def make(session, system):
        ops = TenantContext(
            system.tenant_id, demo_id("user", "ops@demo.test"), Role.OPS, tenant_slug=system.tenant_slug
        )
        po = ledger.create_po(
            session,
            ops,
            POCreate(
                vendor_id=apex,
                number=f"PO-E2E-{tag}",
                currency="INR",
                lines=[
                    POLineIn(
                        line_no=1, description="Shipping carton", quantity="48", unit_price="11.90", tax_rate="0.18"
                    )
                ],
            ),
        )
        line = ledger.po_lines(session, ops, [po.id])[0]
        ledger.add_receipt(session, ops, ReceiptCreate(po_line_id=line.id, number=f"GR-{tag}", quantity="48"))
        inv = ledger.create_invoice(
            session,
            ops,
            InvoiceCreate(
                vendor_id=apex,
                number=f"INV-E2E-{tag}",
                currency="INR",
                issued_at=po.ordered_at,
                lines=[
                    InvoiceLineIn(line_no=1, po_line_id=line.id, quantity="40", unit_price="12.40", tax_amount="89.28")
                ],
            ),
        )
        pack = match_packs.build_pack(
            session, ops, PackCreate(vendor_id=apex, invoice_ids=[inv.id], title=f"E2E {tag}")
        )
        pay = payments.create_payment(
            session,
            ops,
            PaymentCreate(
                vendor_id=apex,
                reference=f"PAY-E2E-{tag}",
                currency="INR",
                allocations=[Allocation(invoice_id=inv.id, amount=str(inv.total))],
            ),
        )
        return {"pack": str(pack.id), "payment": str(pay.id), "invoice": inv.number, "title": pack.title}

    return demo_db(make)


def test_a_vendor_disputes_a_match_line_and_staff_see_the_linked_case(page, browser, live_app):
    made = _fresh_pack()
    vendor = browser.new_context(base_url=live_app.url)
    try:
        tab = vendor.new_page()
        login(tab, "vendor@demo.test")
        tab.wait_for_url(re.compile(r"/portal$"))
        tab.goto("/portal/match-packs")
        tab.get_by_test_id("portal-money-link").filter(has_text=made["title"]).click()
        tab.wait_for_url(re.compile(rf"/portal/match-packs/{made['pack']}$"))
        expect(tab.get_by_test_id("portal-pack-title")).to_have_text(made["title"])
        expect(tab.get_by_test_id("portal-line-exceptions")).to_have_text("Price variance")
        explanation = tab.get_by_test_id("portal-line-explanation")
        expect(explanation).to_contain_text("a difference of 0.5 per unit (allowed 0.0595)")
        expect(explanation).to_contain_text("tolerance 0.01 per unit or 0.5 % of the PO unit price")
        tab.get_by_test_id("portal-dispute-start").click()
        tab.get_by_test_id("portal-dispute-note").fill("The March price list says 12.40 per carton.")
        tab.get_by_test_id("portal-dispute-send").click()
        expect(tab.get_by_test_id("portal-pack-notice")).to_contain_text("is in review")
        expect(tab.get_by_test_id("portal-line-dispute")).to_be_visible()
        expect(tab.get_by_test_id("portal-dispute-start")).to_have_count(0)
        tab.get_by_test_id("portal-line-dispute").click()
        tab.wait_for_url(re.compile(r"/portal/cases/[0-9a-f-]{36}$"))
        expect(tab.get_by_test_id("portal-case-status")).to_have_text("in review")
    finally:
        vendor.close()

    other = browser.new_context(base_url=live_app.url)
    try:
        tab = other.new_page()
        login(tab, "vendor2@demo.test")
        tab.wait_for_url(re.compile(r"/portal$"))
        tab.goto(f"/portal/match-packs/{made['pack']}")
        expect(tab.get_by_text("This match pack does not exist for your organization.")).to_be_visible()
        expect(tab.get_by_test_id("portal-pack-title")).to_have_count(0)
    finally:
        other.close()

    signed_in(page, "ops@demo.test")
    page.goto(f"/match-packs/{made['pack']}")
    expect(page.get_by_test_id("pack-status")).to_have_text("open")
    dispute = page.get_by_test_id("line-dispute")
    expect(dispute).to_contain_text(f"Dispute: invoice {made['invoice']} line 1")
    dispute.click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("case-status")).to_have_text("in review")
    expect(page.get_by_test_id("timeline-item").filter(has_text="March price list")).to_have_count(1)
    page.goto(f"/payments/{made['payment']}")
    expect(page.get_by_test_id("payment-status")).to_have_text("on hold")
    expect(page.get_by_test_id("payment-holding-case")).to_contain_text(f"Dispute: invoice {made['invoice']}")
