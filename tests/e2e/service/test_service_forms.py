"""The service pages' forms in Chromium on the demo tenant: an admin creates a service policy (a
row per step) and edits it; ops creates an engineer after a problem shown under its field; an admin
creates an agreement and an SLA policy whose rule the formula engine refuses first (the error, with
line and column, under that rule) and accepts once fixed; a viewer sees no forms. Expected values
come from the module's queries."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import demo_ctx, pick_in_dialog, signed_in

pytestmark = pytest.mark.e2e


def test_admin_creates_and_edits_a_service_policy(page, console):
    from models.service import queries

    code = f"P-E2E-{uuid.uuid4().hex[:5].upper()}"
    signed_in(page, "admin@demo.test")
    page.goto("/service/policies")
    expect(page.get_by_test_id("policy-row")).to_have_count(len(queries.policy_page(demo_ctx(), limit=200).items))
    page.get_by_test_id("new-policy").click()
    dialog = page.get_by_role("dialog")
    page.get_by_test_id("field-code").fill(code)
    page.get_by_test_id("field-name").fill("Partner for the South")
    # a category of its own: the policy must not change which organization other tests' tickets get
    page.get_by_test_id("field-category").fill(f"e2e {code}")
    page.get_by_test_id("field-effective_from").fill("2026-01-01T00:00")
    # step 1 starts as "dealer"; step 2 appears once step 1 is used: a fixed organization
    expect(dialog.get_by_test_id("step-fields")).to_have_count(2)
    pick_in_dialog(page, "Step 2 role", "organization")
    expect(dialog.get_by_test_id("step-fields")).to_have_count(3)
    page.get_by_test_id("form-save").click()
    # no organization picked for the organization step: named under it, nothing saved
    expect(page.get_by_test_id("error-steps.1.org_id")).to_have_text("an 'organization' step needs org_id")
    pick_in_dialog(page, "Step 2 organization", "Swift Field Services")
    page.get_by_test_id("field-steps.1.territories").fill("South, East")
    page.get_by_test_id("field-steps.1.territories").press("Enter")  # Enter saves
    row = page.get_by_test_id("policy-row").filter(has_text=code)
    expect(row).to_contain_text("dealer → Swift Field Services (in South, East)")
    expect(page.get_by_test_id("notice")).to_have_text(f"Saved policy {code}.")
    [made] = [p for p in queries.policy_page(demo_ctx(), limit=200).items if p.code == code]
    assert [s.role for s in made.steps] == ["dealer", "organization"]

    row.get_by_test_id("edit-policy").click()
    expect(page.get_by_test_id("field-code")).to_have_value(code)
    expect(page.get_by_test_id("field-code")).to_be_disabled()
    page.get_by_test_id("field-name").fill("Swift first")
    page.get_by_test_id("field-priority").fill("7")
    page.get_by_test_id("form-save").click()
    expect(row).to_contain_text("Swift first")
    after = queries.policy(demo_ctx(), made.id)
    assert (after.name, after.priority) == ("Swift first", 7)
    assert console.unexpected() == []


def test_ops_creates_an_engineer_after_fixing_a_skill(page, console):
    from models.service import queries

    code = f"ENG-E2E-{uuid.uuid4().hex[:5].upper()}"
    signed_in(page, "ops@demo.test")
    page.goto("/service/engineers")
    expect(page.get_by_test_id("engineer-row").first).to_be_visible()
    page.get_by_test_id("new-engineer").click()
    page.get_by_test_id("field-code").fill(code)
    page.get_by_test_id("field-name").fill(f"Gina {code}")  # not a seeded engineer's name
    pick_in_dialog(page, "Organization", "Northstar Distribution")
    page.get_by_test_id("field-skills").fill("install:9, repair")
    page.get_by_test_id("field-regions").fill("North")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("error-skills")).to_have_text("Input should be less than or equal to 5")
    page.get_by_test_id("field-skills").fill("install:4, repair")
    expect(page.get_by_test_id("error-skills")).to_have_count(0)  # typing clears the field's error
    page.get_by_test_id("form-save").click()
    row = page.get_by_test_id("engineer-row").filter(has_text=code)
    expect(row).to_contain_text("install 4, repair 3")
    expect(row).to_contain_text("Northstar Distribution")
    [made] = queries.engineer_page(demo_ctx(), q=code, limit=5).items
    assert [(s.skill, s.level) for s in made.skills] == [("install", 4), ("repair", 3)]
    assert console.unexpected() == []


def test_admin_creates_an_sla_policy_after_a_formula_error(page, console):
    from models.service import queries

    suffix = uuid.uuid4().hex[:5].upper()
    signed_in(page, "admin@demo.test")
    page.goto("/service/agreements")
    expect(page.get_by_test_id("agreement-row").first).to_be_visible()
    page.get_by_test_id("new-agreement").click()
    page.get_by_test_id("field-code").fill(f"AGR-E2E-{suffix}")
    page.get_by_test_id("field-name").fill("E2E agreement")
    pick_in_dialog(page, "Provider", "Swift Field Services")
    page.get_by_test_id("field-effective_from").fill("2026-01-01T00:00")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("agreement-row").filter(has_text=f"AGR-E2E-{suffix}")).to_be_visible()

    page.get_by_test_id("new-sla").click()
    pick_in_dialog(page, "Agreement", f"AGR-E2E-{suffix}")
    page.get_by_test_id("field-code").fill(f"SLA-E2E-{suffix}")
    page.get_by_test_id("field-name").fill("E2E SLA")
    page.get_by_test_id("field-effective_from").fill("2026-02-01T00:00")
    page.get_by_test_id("field-response_hours_expr").fill('if (priority == "urgent") then 4 else 24')
    page.get_by_test_id("field-resolution_hours_expr").fill("response_hours * 3 + hours_left")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("error-resolution_hours_expr")).to_have_text(
        "line 1, column 22: unknown name 'hours_left'"
    )
    expect(page.get_by_test_id("error-response_hours_expr")).to_have_count(0)
    page.get_by_test_id("field-resolution_hours_expr").fill("response_hours * 3")
    page.get_by_test_id("form-save").click()
    sla_row = page.get_by_test_id("sla-row").filter(has_text=f"SLA-E2E-{suffix}")
    expect(sla_row).to_contain_text("response_hours * 3")
    [agreement] = [a for a in queries.agreement_page(demo_ctx(), limit=200).items if a.code == f"AGR-E2E-{suffix}"]
    assert [p.code for p in agreement.sla_policies] == [f"SLA-E2E-{suffix}"]
    assert console.unexpected() == []


def test_a_viewer_sees_no_forms(page, console):
    signed_in(page, "viewer@demo.test")
    for path, kind, row in (
        ("/service/policies", "policy", "policy-row"),
        ("/service/engineers", "engineer", "engineer-row"),
        ("/service/agreements", "agreement", "agreement-row"),
    ):
        page.goto(path)
        expect(page.get_by_test_id(row).first).to_be_visible()
        expect(page.get_by_test_id(f"new-{kind}")).to_have_count(0)
        expect(page.get_by_test_id(f"edit-{kind}")).to_have_count(0)
    assert console.unexpected() == []
