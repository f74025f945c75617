"""Organization status decisions in Chromium, through the generic decision dialog: ops puts an
organization on hold with a reason and reinstates it; a viewer is offered no decision."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e


def _new_supplier() -> tuple[str, str]:
    from engine.context import TenantContext
    from models.catalog import actions
    from models.catalog.inputs import OrgCreate
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    name = f"E2E Status {uuid.uuid4().hex[:6].upper()}"
    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    org = actions.create_org(ctx, OrgCreate(type="supplier", code=name.replace(" ", "-"), name=name))
    return str(org.id), name


def _decide(page, label: str, reason: str) -> None:
    page.get_by_test_id("org-action").filter(has_text=label).click()
    page.get_by_test_id("reason-input").fill(reason)
    page.get_by_test_id("reason-confirm").click()


def test_ops_holds_and_reinstates_an_organization(page, console):
    from engine.context import TenantContext
    from models.catalog import queries
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    org_id, name = _new_supplier()
    signed_in(page, "ops@demo.test")
    page.goto("/catalog/organizations")
    row = page.get_by_test_id("org-row").filter(has_text=name)
    row.get_by_test_id("org-open").click()
    detail = page.get_by_test_id("org-detail")
    expect(detail).to_contain_text(name)
    _decide(page, "Put on hold", "waiting for the new contract")
    expect(page.get_by_test_id("reason-input")).to_be_hidden()
    expect(row).to_contain_text("on_hold")
    expect(detail).to_contain_text("on_hold")
    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    assert queries.org(ctx, org_id).status == "on_hold"
    _decide(page, "Reinstate", "contract signed")
    expect(row).to_contain_text("active")
    assert queries.org(ctx, org_id).status == "active"
    assert console.unexpected() == []


def test_viewer_is_offered_no_decision(page):
    _org_id, name = _new_supplier()
    signed_in(page, "viewer@demo.test")
    page.goto("/catalog/organizations")
    page.get_by_test_id("org-row").filter(has_text=name).get_by_test_id("org-open").click()
    expect(page.get_by_test_id("org-detail")).to_contain_text(name)
    expect(page.get_by_test_id("org-action")).to_have_count(0)
