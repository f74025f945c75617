"""The one search and the one inbox in the browser (issue 10): the top-bar search finds a SKU and an
alert and goes to each; /inbox (and the top bar's badge) shows a task assigned to the signed-in user."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import UUID_RE, demo_db, signed_in


def _search_from_the_top_bar(page, q: str) -> None:
    box = page.get_by_test_id("global-search")
    box.fill(q)
    box.press("Enter")
    page.wait_for_url(re.compile(rf"/search\?q={re.escape(q)}$"))


def test_the_top_bar_search_finds_a_sku_and_an_alert_and_goes_there(page):
    signed_in(page, "owner@demo.test")
    _search_from_the_top_bar(page, "AUR-ZINC-30")
    sku = page.locator("[data-testid=search-hit][data-kind=skus]")
    expect(sku).to_have_count(1)
    expect(sku).to_contain_text("AUR-ZINC-30")
    alerts = page.locator("[data-testid=search-hit][data-kind=alerts]")
    expect(alerts.first).to_contain_text("AUR-ZINC-30")
    sku.click()
    page.wait_for_url(re.compile(r"/catalog/skus$"))
    expect(page.get_by_text("AUR-ZINC-30").first).to_be_visible()

    page.go_back()
    page.wait_for_url(re.compile(r"/search\?q=AUR-ZINC-30$"))
    alerts.first.click()
    page.wait_for_url(re.compile(rf"/alert/{UUID_RE}$"))
    expect(page.get_by_text("AUR-ZINC-30").first).to_be_visible()


def _assign_a_task_to(email: str, title: str) -> None:
    from models.core.identity import find_user_by_email
    from models.margin import actions
    from models.margin.inputs import TaskCreate

    def assign(session, ctx):
        user = find_user_by_email(session, email)
        assert user is not None
        return ctx, user.id

    ctx, user_id = demo_db(assign)
    actions.create_task(ctx, TaskCreate(title=title, assignee_user_id=user_id))


def test_the_inbox_shows_a_task_assigned_to_me(page):
    title = f"Call Metro about the zinc floor {uuid.uuid4().hex[:6]}"
    _assign_a_task_to("sales@demo.test", title)
    signed_in(page, "sales@demo.test")
    badge = page.get_by_test_id("inbox-badge")
    expect(badge).to_contain_text(re.compile(r"[1-9]"))
    badge.click()
    page.wait_for_url(re.compile(r"/inbox$"))
    item = page.get_by_test_id("inbox-item").filter(has_text=title)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Assigned to you")
    item.click()
    page.wait_for_url(re.compile(r"/tasks$"))
