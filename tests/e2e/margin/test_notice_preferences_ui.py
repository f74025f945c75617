"""/notice-delivery in Chromium on the demo tenant: ops sees every dealer with how it receives its
enforcement notices, changes one inline (a bad address is named under its field, the row stays open
with what was typed), saves with Enter (audited), and puts it back; a viewer reads without editing.
Expected values come from the module's queries and the audit chain."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import demo_ctx, demo_db, signed_in

pytestmark = pytest.mark.e2e


def _audits(dealer_id) -> list[tuple[str, dict | None]]:
    from sqlmodel import col, select

    from models.core.tables import AuditEvent

    def read(session, ctx):
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.tenant_id == ctx.tenant_id, AuditEvent.entity_id == str(dealer_id))
            .where(col(AuditEvent.action).like("margin_notice_preference.%"))
            .order_by(col(AuditEvent.seq))
        ).all()
        return [(r.action, r.after) for r in rows]

    return demo_db(read)


def test_ops_changes_a_dealers_notice_delivery_inline(page, console):
    from models.margin.queries.dealers import notice_deliveries

    found = notice_deliveries(demo_ctx()).dealers
    dealer = next(d for d in found if d.channel == "none")
    before = _audits(dealer.dealer_id)
    signed_in(page, "ops@demo.test")
    page.goto("/notice-delivery")
    rows = page.get_by_test_id("pref-row")
    expect(rows).to_have_count(len(found))
    row = rows.filter(has_text=dealer.name)
    expect(row.get_by_test_id("pref-channel-label")).to_have_text("Webhook subscriptions only")

    row.get_by_test_id("pref-edit").click()
    editor = page.get_by_test_id("pref-editor")
    expect(editor).to_contain_text(dealer.name)
    editor.get_by_role("combobox", name="Channel").click()
    page.get_by_role("option", name="E-mail").click()
    page.get_by_test_id("pref-email").fill("not an address")
    page.get_by_test_id("pref-save").click()
    expect(page.get_by_test_id("error-email")).to_have_text("invalid e-mail")
    expect(page.get_by_test_id("pref-email")).to_have_value("not an address")
    assert _audits(dealer.dealer_id) == before  # refused: nothing written
    page.get_by_test_id("pref-email").fill("notices@coastal.example")
    page.get_by_test_id("pref-email").press("Enter")  # Enter saves
    expect(page.get_by_test_id("pref-editor")).to_have_count(0)
    row = page.get_by_test_id("pref-row").filter(has_text=dealer.name)
    expect(row.get_by_test_id("pref-channel-label")).to_have_text("E-mail")
    expect(row.get_by_test_id("pref-target")).to_have_text("notices@coastal.example")
    expect(page.get_by_test_id("notice")).to_have_text(f"{dealer.name}: E-mail.")
    [now] = [d for d in notice_deliveries(demo_ctx()).dealers if d.dealer_id == dealer.dealer_id]
    assert (now.channel, now.email) == ("email", "notices@coastal.example")
    assert _audits(dealer.dealer_id)[len(before) :] == [
        ("margin_notice_preference.set", {"channel": "email", "email": "notices@coastal.example", "endpoint_id": None})
    ]

    # Escape leaves it as it was; then back to none (cleared, audited)
    row.get_by_test_id("pref-edit").click()
    page.get_by_test_id("pref-email").press("Escape")
    expect(page.get_by_test_id("pref-editor")).to_have_count(0)
    row.get_by_test_id("pref-edit").click()
    page.get_by_test_id("pref-editor").get_by_role("combobox", name="Channel").click()
    page.get_by_role("option", name="Webhook subscriptions only").click()
    page.get_by_test_id("pref-save").click()
    expect(row.get_by_test_id("pref-channel-label")).to_have_text("Webhook subscriptions only")
    assert [a for a, _ in _audits(dealer.dealer_id)[len(before) :]] == [
        "margin_notice_preference.set",
        "margin_notice_preference.clear",
    ]
    assert console.unexpected() == []


def test_a_viewer_reads_notice_delivery_without_editing(page, console):
    signed_in(page, "viewer@demo.test")
    page.goto("/notice-delivery")
    expect(page.get_by_test_id("pref-row").first).to_be_visible()
    expect(page.get_by_test_id("pref-edit")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Notice delivery"))).to_be_visible()
    assert console.unexpected() == []
