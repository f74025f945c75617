"""The payout history page in Chromium: the demo's finalized run drawn as a stacked bar per run, each
team's (then fund's) exact total in the table equal to the module's figures (read from
models.comp.runs.history, never hard-coded), the run linked to its page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e


def _history(by: str):
    from engine.context import TenantContext
    from models.comp.runs import history
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    return history.payout_history(TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG), by=by)


def _money(value) -> str:
    from app.web.kit import format as fmt

    return fmt.money(value)


def test_finance_reads_the_payout_history_by_team_and_by_fund(page):
    by_team = _history("team")
    assert by_team.runs, "the demo has a finalized run"
    signed_in(page, "finance@demo.test")
    page.goto("/comp/history")
    expect(page.get_by_test_id("history-run-row")).to_have_count(len(by_team.runs))
    expect(page.get_by_test_id("history-total")).to_have_text(_money(by_team.payout))
    rows = page.get_by_test_id("history-group-row")
    expect(rows).to_have_count(len(by_team.groups))
    for i, group in enumerate(by_team.groups):
        expect(rows.nth(i)).to_contain_text(group.group or "(none)")
        expect(rows.nth(i).get_by_test_id("history-group-payout")).to_have_text(_money(group.payout))
    # the chart: one stacked segment per team the run paid (a team paid nothing has no height)
    chart = page.get_by_test_id("history-chart")
    paid = [c for c in by_team.cells if int(c.payout.to_integral_value()) != 0]
    expect(chart.locator(".recharts-bar-rectangle")).to_have_count(len(paid))
    expect(chart.locator(".recharts-legend-item")).to_have_count(len(by_team.groups))

    by_fund = _history("fund")
    page.get_by_test_id("history-by").click()
    page.get_by_role("option", name="Fund").click()
    expect(rows).to_have_count(len(by_fund.groups))
    for i, group in enumerate(by_fund.groups):
        expect(rows.nth(i)).to_contain_text(group.group or "(none)")
        expect(rows.nth(i).get_by_test_id("history-group-payout")).to_have_text(_money(group.payout))
    expect(page.get_by_test_id("history-total")).to_have_text(_money(by_fund.payout))

    page.get_by_test_id("history-run-link").first.click()
    expect(page).to_have_url(f"{page.url.split('/comp/')[0]}/comp/runs/{by_team.runs[-1].run_id}")
    expect(page.get_by_test_id("run-status")).to_contain_text("finalized")
