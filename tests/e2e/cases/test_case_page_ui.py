"""The staff case page in Chromium: the assignee is chosen among the tenant's staff (and shown after
a reload), and "As of" shows the case as it stood at a past moment (open, before the vendor
answered), read-only, until "Back to now" (in review). The moments are the case's own: it is opened
at a fixed past time, and answered now."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import demo_db, signed_in

pytestmark = pytest.mark.e2e

OPENED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def _answered_case(subject: str) -> tuple[str, str]:
    """An Apex case opened at OPENED and answered by the vendor now; and ops's display name."""
    from engine.context import TenantContext
    from engine.rbac import Role
    from models.cases import cases
    from models.core.tables import User
    from seeds.ids import demo_id

    apex = demo_id("organization", "vendor-apex")

    def make(session, system):
        ops = TenantContext(
            system.tenant_id, demo_id("user", "ops@demo.test"), Role.OPS, tenant_slug=system.tenant_slug
        )
        row = cases.open_case(session, ops, vendor_id=apex, subject=subject, opened_at=OPENED)
        vendor = TenantContext(
            system.tenant_id, demo_id("user", "vendor@demo.test"), Role.VENDOR, apex, system.tenant_slug
        )
        cases.respond(session, vendor, row, "We shipped what was ordered.")
        return str(row.id), session.get(User, demo_id("user", "ops@demo.test")).display_name

    return demo_db(make)


def test_assign_a_case_and_read_it_as_of_before_the_vendor_answered(page):
    subject = f"Pallets damaged {uuid.uuid4().hex[:6]}"
    case_id, ops_name = _answered_case(subject)
    signed_in(page, "ops@demo.test")
    page.goto(f"/cases/{case_id}")
    expect(page.get_by_test_id("case-status")).to_have_text("in review")

    page.get_by_test_id("case-assignee").click()
    page.get_by_role("option", name=ops_name, exact=True).click()
    expect(page.get_by_text("Assignee changed.")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("case-assignee")).to_have_text(ops_name)

    page.get_by_test_id("case-as-of").fill("2026-01-05T10:30")
    page.get_by_test_id("case-as-of-show").click()
    expect(page.get_by_test_id("case-as-of-banner")).to_contain_text("2026-01-05 10:30 UTC")
    expect(page.get_by_test_id("case-status")).to_have_text("open")
    expect(page.get_by_test_id("case-assignee-name")).to_contain_text("—")  # unassigned then
    expect(page.get_by_test_id("timeline-item").filter(has_text="Response from the vendor")).to_have_count(0)
    expect(page.get_by_test_id("reply-input")).to_have_count(0)  # the past is read-only
    expect(page.get_by_test_id("case-action")).to_have_count(0)

    page.get_by_test_id("case-as-of-now").click()
    expect(page.get_by_test_id("case-as-of-banner")).to_have_count(0)
    expect(page.get_by_test_id("case-status")).to_have_text("in review")
    expect(page.get_by_test_id("timeline-item").filter(has_text="Response from the vendor")).to_have_count(1)
    expect(page.get_by_test_id("reply-input")).to_be_visible()
