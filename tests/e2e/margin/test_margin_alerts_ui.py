"""QA fixes on the Margin pages in Chromium (demo seed): competitor names are not dealer links (#6),
dashboard labels (#8), long text wraps (#9), counters instead of silent cuts (#10), assignees hold
margin.tasks.write (#12), the /search box updates the URL (#14), floor labels and the "why this
price?" deep link (#15), /alerts filters in the URL, competitor orgs in the filter, Load more on
/tasks (#17), task dialog and reason dialog keys (#18), currency and messages (#19), 390 px (#21)."""

from __future__ import annotations

import contextlib
import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.e2e.conftest import UUID_RE, demo_db, signed_in

pytestmark = pytest.mark.e2e


def _first_alert(rule: str):
    from models.margin import alerts as alert_repo

    def find(session, ctx):
        a = alert_repo.list_alerts(session, ctx, rule=rule, open_only=True, limit=1).items[0]
        return str(a.id), str(a.dealer_id), str(a.sku_id)

    return demo_db(find)


# elements of the page (shell and body) that stick out of the viewport without a scrolling/clipping
# ancestor: they would make the whole page scroll sideways
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && !clipped(e)) {
      out.push(e.tagName + ' ' + (e.textContent || '').slice(0, 40));
    }
  }
  if (document.documentElement.scrollWidth > width + 1) out.push('document ' + document.documentElement.scrollWidth);
  return out;
}"""


# resolves once web fonts are in and two frames were painted: the layout the user sees
SETTLED_JS = """async () => {
  await document.fonts.ready;
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""


def _no_page_scroll(page) -> None:
    """Nothing on the page makes it scroll sideways (tables scroll in their card; on a phone the top
    bar's title shrinks and its tenant/role badges step aside). Checked once the layout has settled
    (fonts loaded, frames painted) and retried like expect() while late rows still lay out."""
    page.evaluate(SETTLED_JS)
    with contextlib.suppress(PlaywrightTimeout):  # the assertion below names what sticks out
        page.wait_for_function(f"() => ({OVERFLOW_JS})().length === 0", timeout=5_000)
    assert page.evaluate(OVERFLOW_JS) == []


def test_competitor_names_are_not_dealer_links(page):
    alert_id, org_id, _ = _first_alert("competitor_undercut")
    signed_in(page, "ops@demo.test")
    page.goto(f"/alert/{alert_id}")
    org = page.get_by_test_id("alert-org").first
    expect(org).to_be_visible()
    assert org.evaluate("e => e.tagName") != "A"
    expect(page.locator(f'a[href="/dealers/{org_id}"]')).to_have_count(0)
    expect(page.get_by_test_id("floor-kind")).to_have_text(re.compile(r"^Our price"))
    # a MAP alert's dealer keeps its dealer link
    map_id, dealer_id, _ = _first_alert("map_breach")
    page.goto(f"/alert/{map_id}")
    expect(page.locator(f'a[href="/dealers/{dealer_id}"]').first).to_be_visible()
    expect(page.get_by_test_id("floor-kind")).to_have_text(re.compile(r"^MAP"))


def test_why_this_price_is_a_deep_link_with_the_alerts_data(page):
    from models.catalog.tables import Sku
    from models.margin import alerts as alert_repo

    alert_id, dealer_id, sku_id = _first_alert("mrp_breach")
    alert = demo_db(lambda s, c: alert_repo.get_alert(s, c, uuid.UUID(alert_id)))
    code = demo_db(lambda s, c: s.get(Sku, uuid.UUID(sku_id)).code)
    signed_in(page, "viewer@demo.test")
    page.goto(f"/alert/{alert_id}")
    href = page.get_by_test_id("why-price-link").get_attribute("href")
    url = urlparse(href)
    assert url.path == "/catalog/pricing"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query == {
        "sku": code,
        "org": dealer_id,
        "kind": "mrp",
        "at": (alert.last_seen or alert.opened_at).strftime("%Y-%m-%d"),
    }
    from models.catalog.tables import PriceBook, PriceRule

    def book(session, ctx):
        rule = session.get(PriceRule, alert.floor_rule_id)
        return session.get(PriceBook, rule.price_book_id)

    price_book = demo_db(book)
    expect(page.get_by_test_id("price-rule")).to_contain_text(f"{price_book.name}: ")
    expect(page.get_by_test_id("price-rule")).to_contain_text(f" {price_book.currency}, effective from ")
    expect(page.get_by_test_id("alert-impact")).to_have_text(re.compile(r"^[\d,]+\.\d\d [A-Z]{3}$"))


def test_alert_filters_live_in_the_url_and_offer_competitors(page):
    _, competitor_id, _ = _first_alert("competitor_undercut")
    signed_in(page, "sales@demo.test")
    page.goto("/alerts")
    expect(page.get_by_test_id("alert-row").first).to_be_visible()
    page.get_by_role("combobox", name="Status").click()
    page.get_by_role("option", name="open", exact=True).click()
    page.wait_for_url(re.compile(r"/alerts\?status=open$"))
    page.get_by_role("combobox", name="Dealer").click()
    expect(page.get_by_role("option", name=re.compile(r"\(competitor\)$"))).to_have_count(1)
    page.get_by_role("option", name=re.compile(r"\(competitor\)$")).click()
    page.wait_for_url(re.compile(rf"/alerts\?status=open&dealer={competitor_id}$"))
    rows = page.get_by_test_id("alert-row")
    # every row shown is a competitor undercut (waits for the filtered list, not a count read mid-load)
    expect(rows.filter(has_text="Competitor undercut").first).to_be_visible()
    expect(rows.filter(has_not_text="Competitor undercut")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("combobox", name="Status")).to_have_text("open")
    expect(rows.filter(has_text="Competitor undercut").first).to_be_visible()
    expect(rows.filter(has_not_text="Competitor undercut")).to_have_count(0)
    page.go_back()
    page.wait_for_url(re.compile(r"/alerts\?status=open$"))


def test_note_counter_never_cuts_and_long_text_wraps(page):
    alert_id, _, _ = _first_alert("map_breach")
    signed_in(page, "sales@demo.test")
    page.goto(f"/alert/{alert_id}")
    box = page.get_by_test_id("note-input")
    box.fill("B" * 4001)
    expect(page.get_by_test_id("note-counter")).to_contain_text("4001 / 4,000")
    expect(page.get_by_test_id("note-counter")).to_contain_text("too long")
    expect(page.get_by_test_id("note-add")).to_be_disabled()
    assert len(box.input_value()) == 4001  # nothing was cut
    box.fill("W" * 4000)
    expect(page.get_by_test_id("note-add")).to_be_enabled()
    page.get_by_test_id("note-add").click()
    expect(page.get_by_text("Note added.")).to_be_visible()
    expect(page.get_by_test_id("timeline-item").filter(has_text="W" * 100).first).to_be_visible()
    _no_page_scroll(page)


def test_reason_dialog_keeps_text_on_escape_and_confirms_with_ctrl_enter(page):
    from engine.margin.machines import DEALER_MACHINE
    from models.margin import dealers as dealer_repo

    signed_in(page, "ops@demo.test")
    page.goto("/dealers")
    page.get_by_test_id("dealer-link").first.click()
    page.wait_for_url(re.compile(rf"/dealers/{UUID_RE}$"))
    dealer_id = uuid.UUID(page.url.rsplit("/", 1)[-1])
    before = demo_db(lambda s, c: dealer_repo.statuses(s, c, [dealer_id])[dealer_id])
    forward = next(t for t in DEALER_MACHINE.transitions if before in t.sources and t.action != "step_down")
    back = next(t for t in DEALER_MACHINE.transitions if forward.target in t.sources and t.target == before)
    button = page.get_by_test_id("dealer-action").filter(has_text=re.compile(rf"^{re.escape(forward.display)}$"))
    note = f"kept {uuid.uuid4().hex[:8]} " + "y" * 300  # long unbroken text too
    button.click()
    page.get_by_test_id("reason-input").fill(note)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    button.click()
    expect(page.get_by_test_id("reason-input")).to_have_value(note)
    page.get_by_test_id("reason-input").press("Control+Enter")
    expect(page.get_by_test_id("history-row").filter(has_text=note[:20])).to_have_count(1)
    expect(page.get_by_test_id("dealer-status")).to_have_text(forward.target.replace("_", " "))
    _no_page_scroll(page)
    # put the demo dealer back (other browser tests rely on the seed)
    page.get_by_test_id("dealer-action").filter(has_text=re.compile(rf"^{re.escape(back.display)}$")).click()
    expect(page.get_by_test_id("reason-input")).to_have_value("")  # another action starts empty
    page.get_by_test_id("reason-input").fill("e2e revert")
    page.get_by_test_id("reason-confirm").click()
    expect(page.get_by_test_id("dealer-status")).to_have_text(before.replace("_", " "))


def test_tasks_assignees_dialog_keys_messages_and_load_more(page):
    from engine.margin.machines import TASK_MACHINE
    from models.core.decisions import decide
    from models.core.pagination import DEFAULT_LIMIT
    from models.margin import tasks as task_repo
    from models.margin.inputs import TaskCreate

    tag = uuid.uuid4().hex[:6]

    def many(session, ctx):  # enough tasks for a second page; closed, so no open figure moves
        for i in range(DEFAULT_LIMIT + 5):
            task = task_repo.create_task(session, ctx, TaskCreate(title=f"page {tag} {i}"))
            decide(session, ctx, TASK_MACHINE, task, "complete")

    demo_db(many)
    signed_in(page, "sales@demo.test")
    page.goto("/tasks")
    rows = page.get_by_test_id("task-row")
    expect(rows.first).to_be_visible()
    shown = rows.count()
    assert shown == 50
    page.get_by_test_id("tasks-load-more").click()
    expect(rows).not_to_have_count(shown)
    assert rows.count() > shown
    # Enter in the new task's title submits
    title = f"Enter submits {tag}"
    page.get_by_test_id("task-new").click()
    page.get_by_test_id("task-new-title").fill(title)
    page.get_by_test_id("task-new-title").press("Enter")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("Task created.")).to_be_visible()
    page.get_by_role("radio", name="All tasks").click()
    row = page.get_by_test_id("task-row").filter(has_text=title)
    expect(row).to_have_count(1)
    row.get_by_test_id("task-edit").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox", name="Assignee").click()
    expect(page.get_by_role("option", name="Sasha Sales")).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("Viewer"))).to_have_count(0)
    page.keyboard.press("Escape")
    expect(dialog.get_by_test_id("task-action").filter(has_text=re.compile(r"^Cancel task$"))).to_have_count(1)
    expect(dialog.get_by_role("button", name="Close")).to_be_visible()
    dialog.get_by_role("textbox", name="Notes").fill("n" * 4001)
    expect(dialog.get_by_test_id("task-notes-counter")).to_contain_text("too long")
    dialog.get_by_test_id("task-save").click()
    expect(dialog.get_by_text("Notes is 4,001 characters long; at most 4,000 can be saved.")).to_be_visible()
    dialog.get_by_role("textbox", name="Notes").fill("")
    dialog.get_by_test_id("task-action").filter(has_text="Mark done").click()
    expect(page.get_by_text("Task marked done.")).to_be_visible()


def test_search_box_updates_the_url(page):
    signed_in(page, "owner@demo.test")
    page.goto("/search?q=metro%20zinc")
    hits = page.get_by_test_id("search-hit")
    expect(hits.first).to_be_visible()
    box = page.get_by_test_id("search-input")
    box.fill("coastal")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=coastal$"))
    expect(hits.filter(has_text=re.compile("coastal", re.I)).first).to_be_visible()
    page.go_back()
    page.wait_for_url(re.compile(r"/search\?q=metro(%20|\+)zinc$"))
    expect(box).to_have_value("metro zinc")


def test_empty_tenant_says_no_alerts_yet(page):
    from tests.support.tenants import make_tenant

    tenant = make_tenant("empty")
    signed_in(page, tenant.owner_email, tenant.password)
    expect(page.get_by_test_id("margin-dashboard")).to_be_visible()
    page.goto("/alerts")
    expect(page.get_by_test_id("empty-state")).to_contain_text("No alerts yet", timeout=30_000)
    page.goto("/alerts?status=open")
    expect(page.get_by_test_id("empty-state")).to_contain_text("No alerts match these filters", timeout=30_000)


def test_dashboard_labels(page):
    from models.margin import dashboard

    signed_in(page, "viewer@demo.test")
    figures = demo_db(lambda s, c: dashboard.summary(s, c))
    expect(page.get_by_test_id("open-impact")).to_contain_text("MAP/MRP open impact")
    expect(page.get_by_test_id("kpi-tasks-overdue")).to_have_text(f"{figures['tasks_overdue']} overdue")
    expect(page.get_by_text(re.compile(r"date opened"))).to_be_visible()


@pytest.mark.parametrize(
    "path,testid",
    [
        ("/", "breach-row"),
        ("/alerts", "alert-row"),
        ("/alert", "evidence-row"),
        ("/dealers", "dealer-row"),
        ("/tasks", "task-row"),
    ],
)
def test_no_horizontal_page_scroll_at_390px(page, path, testid):
    if path == "/alert":
        path = "/alert/" + _first_alert("map_breach")[0]
    signed_in(page, "owner@demo.test")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    expect(page.get_by_test_id(testid).first).to_be_visible()
    _no_page_scroll(page)
