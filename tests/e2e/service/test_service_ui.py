"""Field service in Chromium on the demo tenant: ops opens a ticket, reads "why this organization?",
sees the eligible engineers ranked with their reasons, assigns one (audited) and sees the due times;
an owner sees the feature flags of built features only. Expected values come from the queries."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import demo_ctx, pick_in_dialog, signed_in

pytestmark = pytest.mark.e2e


def test_ops_opens_a_ticket_reads_why_and_assigns_an_engineer(page, console):
    from models.service import queries

    title = f"E2E chiller {uuid.uuid4().hex[:6]}"
    signed_in(page, "ops@demo.test")
    page.goto("/service/tickets")
    expect(page.get_by_test_id("tickets-table")).to_be_visible()
    expect(page.get_by_test_id("breached-badge").first).to_be_visible()  # the seeded overdue ticket
    page.get_by_test_id("new-ticket").click()
    page.get_by_test_id("field-title").fill(title)
    pick_in_dialog(page, "Priority", "high")
    pick_in_dialog(page, "Dealer", "Metro Pharma Retail")
    pick_in_dialog(page, "SKU", "AUR-D3-60")
    pick_in_dialog(page, "Channel", "RETAIL")
    page.get_by_test_id("field-region").fill("North")
    page.get_by_test_id("field-required_skills").fill("install")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("ticket-row").filter(has_text=title)).to_be_visible()
    page.get_by_test_id("open-created").click()

    expect(page.get_by_test_id("ticket-heading")).to_contain_text(title)
    ticket_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    shown = queries.ticket(demo_ctx(), ticket_id)
    assert shown.responsible_org == "Northstar Distribution"
    expect(page.get_by_test_id("responsible-org")).to_have_text("Northstar Distribution")
    why = page.get_by_test_id("why-panel")
    expect(page.get_by_test_id("why-summary")).to_have_text(shown.policy_provenance["summary"])
    expect(why.get_by_test_id("step-row")).to_have_count(len(shown.policy_provenance["steps"]))
    expect(why.get_by_test_id("step-row").first).to_contain_text("lacks certification 'field-service'")
    expect(why.get_by_test_id("policy-row").filter(has_text="GLOBAL-DEALER")).to_contain_text("outranked")

    # due times: high → 8 h to respond, RETAIL → 24 h to resolve (the page shows what the query says)
    from app.web.kit.format import when

    expect(page.get_by_test_id("response-due")).to_have_text(when(shown.response_due_at))
    expect(page.get_by_test_id("resolution-due")).to_have_text(when(shown.resolution_due_at))
    expect(page.get_by_test_id("response-breach")).to_have_text("on time")
    expect(page.get_by_test_id("rule-row")).to_have_count(2)

    ranked = queries.ticket_eligible_engineers(demo_ctx(), ticket_id)
    eligible = [r for r in ranked.items if r.eligible]
    rows = page.get_by_test_id("engineer-row")
    expect(rows).to_have_count(len(ranked.items))
    first = rows.nth(0)
    expect(first).to_contain_text(eligible[0].name)
    expect(first).to_contain_text(eligible[0].summary)
    expect(rows.filter(has_text="Dev Patel")).to_contain_text("not a member of Northstar Distribution")
    second = eligible[1]
    # by position (the page lists them in the query's order): another row's reason may name this engineer
    rows.nth(ranked.items.index(second)).get_by_test_id("assign-engineer").click()
    expect(page.get_by_test_id("assigned-engineer")).to_have_text(second.name)
    after = queries.ticket(demo_ctx(), ticket_id)
    assert after.assigned_engineer == second.name

    # a decision through the decision path: Start work stamps the first response
    page.get_by_test_id("ticket-action").filter(has_text="Start work").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("in progress")
    assert queries.ticket(demo_ctx(), ticket_id).first_response_at is not None
    assert console.unexpected() == []


def test_policies_page_explains_a_ticket_before_it_is_opened(page, console):
    from models.service import queries

    signed_in(page, "viewer@demo.test")
    page.goto("/service/policies")
    expect(page.get_by_test_id("policy-row")).to_have_count(len(queries.policy_page(demo_ctx(), limit=200).items))
    panel = page.get_by_test_id("why-panel")
    panel.get_by_role("combobox", name="Dealer").click()
    page.get_by_role("option", name="Coastal Health Mart").click()
    panel.get_by_role("combobox", name="SKU").click()
    page.get_by_role("option", name=re.compile("AUR-OMEGA-90")).click()
    panel.get_by_label("Region").fill("South")
    page.get_by_test_id("why-run").click()
    expect(page.get_by_test_id("why-summary")).to_have_text(
        "Swift Field Services is responsible as the default of policy BRAND-SUPPLEMENTS "
        "('Aurora supplements: brand, then distributor, then dealer', manufacturer_category): "
        "no step found an organization."
    )
    expect(page.get_by_test_id("why-step")).to_have_count(3)
    assert console.unexpected() == []


def test_owner_sees_only_built_feature_flags(page, console):
    signed_in(page, "owner@demo.test")
    page.goto("/settings/features")
    rows = page.get_by_test_id("flag-row")
    expect(rows.filter(has_text="ENABLE_SERVICE_POLICIES")).to_have_count(1)
    expect(rows.filter(has_text="ENABLE_ENGINEERS")).to_have_count(1)
    expect(rows.filter(has_text="ENABLE_DUAL_WRITE")).to_have_count(0)
    from models.core.flags import OFFERED_FLAGS

    expect(rows).to_have_count(len(OFFERED_FLAGS))
    assert console.unexpected() == []
