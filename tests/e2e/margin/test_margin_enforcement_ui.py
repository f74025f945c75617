"""Enforcement pages in Chromium (QA report fixes): the report's CSV button downloads the file the
API serves; one "Create batch" per preview even on a double-click; the wizard is locked once the
batch exists and a draft can be started (and cancelled, after a confirmation) from /execution;
/execution without a batch id never prefers a draft over real runs, and a bad or unknown id shows
an error and nothing stale; the bulk preview explains an empty result with human labels; /reports
pages through every batch with "Load more".

Expected values come from the API in the same browser session (the user's cookie), never
hard-coded. No worker runs in this module: started batches stay queued and are cancelled here, so
nothing is sent and the alerts other modules use keep their state.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import UUID_RE, signed_in

pytestmark = pytest.mark.e2e

LOAD_MS = 15_000  # first render after a navigation (guard + on_load) on a loaded 2-core box
ACTION_LABELS = {
    "warning_notice": "Warning notice",
    "final_notice": "Final notice",
    "suspend_dealer": "Suspend dealer",
    "request_price_correction": "Request price correction",
}


def api(page, path: str) -> Any:
    response = page.request.get(path)
    assert response.status == 200, f"GET {path}: {response.status} {response.text()[:300]}"
    return response.json()


def all_batches(page) -> list[dict[str, Any]]:
    out, cursor = [], ""
    while True:
        data = api(page, "/api/enforcement/batches?limit=100" + (f"&cursor={cursor}" if cursor else ""))
        out += data["items"]
        cursor = data["next_cursor"]
        if not cursor:
            return out


def _pick(page, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_test_id(testid)).to_have_text(option)


def _create_draft(page, name: str) -> str:
    """Preview "Request price correction" in /bulk and create the batch; its id."""
    page.goto("/bulk")
    _pick(page, "bulk-action", "Request price correction")
    page.get_by_test_id("bulk-preview").click()
    expect(page.get_by_test_id("preview-row").first).to_be_visible(timeout=LOAD_MS)
    page.get_by_label("Batch name").fill(name)
    page.get_by_test_id("bulk-create").click()
    expect(page.get_by_test_id("bulk-start")).to_be_enabled()
    href = page.get_by_test_id("bulk-open-execution").get_attribute("href") or ""
    match = re.search(rf"batchId=({UUID_RE})", href)
    assert match, href
    return match.group(1)


# --- #2: the CSV button downloads -----------------------------------------------------------------


def test_report_csv_button_downloads_the_api_csv(page):
    signed_in(page, "ops@demo.test")
    batch = next(b for b in all_batches(page) if b["item_count"] > 0)
    expected = page.request.get(f"/api/reports/enforcement/{batch['id']}.csv")
    assert expected.status == 200
    expected_rows = list(csv.reader(io.StringIO(expected.text())))
    page.goto(f"/reports/{batch['id']}")
    button = page.get_by_test_id("report-csv")
    expect(button).to_be_visible(timeout=LOAD_MS)
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == f"enforcement-{batch['id']}.csv"
    with open(download.path(), encoding="utf-8") as fh:
        rows = list(csv.reader(io.StringIO(fh.read())))
    assert rows[0] == expected_rows[0] and rows[0][0] == "batch"
    assert len(rows) == len(expected_rows) > 1
    assert rows == expected_rows
    # the page did not navigate (no client-side 404)
    assert re.search(rf"/reports/{batch['id']}$", page.url)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    # money cells have two decimals
    floors = [r[8] for r in rows[1:] if r[8]]
    assert floors and all(re.fullmatch(r"-?\d+\.\d{2}", f) for f in floors)


# --- #3 / #4: one batch per preview, locked wizard, start a draft from /execution -----------------


def test_double_click_create_makes_one_batch_and_locks_the_wizard(page):
    signed_in(page, "owner@demo.test")
    before = {b["id"] for b in all_batches(page)}
    page.goto("/bulk")
    _pick(page, "bulk-action", "Request price correction")
    page.get_by_test_id("bulk-preview").click()
    expect(page.get_by_test_id("preview-row").first).to_be_visible(timeout=LOAD_MS)
    page.get_by_label("Batch name").fill("E2E double click")
    page.get_by_test_id("bulk-create").dblclick()
    expect(page.get_by_test_id("bulk-start")).to_be_enabled()
    # locked: filters, action and preview are disabled, Start stays reachable
    expect(page.get_by_test_id("bulk-action")).to_be_disabled()
    expect(page.get_by_test_id("bulk-rule")).to_be_disabled()
    expect(page.get_by_test_id("bulk-preview")).to_be_disabled()
    expect(page.get_by_test_id("bulk-create")).to_have_count(0)
    expect(page.get_by_test_id("bulk-start")).to_be_visible()
    href = page.get_by_test_id("bulk-open-execution").get_attribute("href") or ""
    match = re.fullmatch(rf"/execution\?batchId=({UUID_RE})", href)
    assert match, href
    # "New preview" unlocks explicitly. Reflex handles one client's events in order, so once the
    # unlock shows, the double-click's second create has been handled too: the count below is final.
    page.get_by_test_id("bulk-new-preview").click()
    expect(page.get_by_test_id("bulk-action")).to_be_enabled()
    expect(page.get_by_test_id("bulk-start")).to_have_count(0)
    created = [b for b in all_batches(page) if b["id"] not in before]
    assert [(b["id"], b["name"], b["status"]) for b in created] == [(match.group(1), "E2E double click", "draft")]
    # the draft is untouched by the unlocked wizard
    _pick(page, "bulk-action", "Final notice")
    assert api(page, f"/api/enforcement/batches/{created[0]['id']}")["status"] == "draft"


def test_a_draft_starts_from_execution_and_cancel_asks_first(page):
    signed_in(page, "ops@demo.test")
    batch_id = _create_draft(page, "E2E start from execution")
    # /reports offers the draft's start (through /execution)
    page.goto("/reports")
    row = page.get_by_test_id("report-row").filter(has_text="E2E start from execution")
    expect(row.get_by_test_id("report-start-draft")).to_have_attribute(
        "href", f"/execution?batchId={batch_id}", timeout=LOAD_MS
    )
    page.goto(f"/execution?batchId={batch_id}")
    expect(page.get_by_test_id("execution-status")).to_have_text("draft", timeout=LOAD_MS)
    expect(page.get_by_test_id("execution-draft")).to_be_visible()
    page.get_by_test_id("execution-start").click()
    expect(page.get_by_test_id("execution-status")).not_to_have_text("draft")
    expect(page.get_by_test_id("execution-start")).to_have_count(0)
    assert api(page, f"/api/enforcement/batches/{batch_id}")["status"] in ("queued", "running", "completed")
    # Cancel asks first; "Keep running" keeps it
    page.get_by_test_id("execution-cancel").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Cancel this batch?")
    page.get_by_test_id("execution-cancel-keep").click()
    expect(dialog).to_have_count(0)
    assert api(page, f"/api/enforcement/batches/{batch_id}")["status"] != "cancelled"
    page.get_by_test_id("execution-cancel").click()
    page.get_by_test_id("execution-cancel-confirm").click()
    expect(page.get_by_test_id("execution-status")).to_have_text("cancelled")
    assert api(page, f"/api/enforcement/batches/{batch_id}")["status"] == "cancelled"


def test_sales_cannot_start_or_cancel_from_execution(page):
    signed_in(page, "ops@demo.test")
    draft_id = _create_draft(page, "E2E draft sales may not start")
    page.context.clear_cookies()
    signed_in(page, "sales@demo.test")
    page.goto(f"/execution?batchId={draft_id}")
    expect(page.get_by_test_id("execution-status")).to_have_text("draft", timeout=LOAD_MS)
    expect(page.get_by_test_id("execution-start")).to_have_count(0)
    expect(page.get_by_test_id("execution-cancel")).to_have_count(0)


def test_execution_default_prefers_real_runs_over_drafts(page):
    signed_in(page, "ops@demo.test")
    _create_draft(page, "E2E newest draft")  # the newest batch is now a never-started draft
    batches = all_batches(page)  # newest first
    expected = (
        next((b for b in batches if b["status"] == "running"), None)
        or next((b for b in batches if b["status"] == "queued"), None)
        or next((b for b in batches if b["job_id"]), None)
        or batches[0]
    )
    assert expected["status"] != "draft"
    page.goto("/execution")
    expect(page.get_by_test_id("execution-report")).to_have_attribute(
        "href", f"/reports/{expected['id']}", timeout=LOAD_MS
    )
    expect(page.get_by_test_id("execution-status")).not_to_have_text("draft")


# --- #7: unknown or malformed batch id ------------------------------------------------------------


@pytest.mark.parametrize("bad", ["00000000-0000-0000-0000-000000000000", "garbage"])
def test_execution_with_a_bad_batch_id_shows_an_error_and_nothing_stale(page, bad):
    signed_in(page, "ops@demo.test")
    batch = next(b for b in all_batches(page) if b["job_id"])
    page.goto(f"/execution?batchId={batch['id']}")
    expect(page.get_by_test_id("feed-row").first).to_be_visible(timeout=LOAD_MS)
    page.goto(f"/execution?batchId={bad}")
    expect(page.get_by_test_id("page-error")).to_contain_text("not found", timeout=LOAD_MS)
    expect(page.get_by_test_id("execution-empty")).to_be_visible()
    for testid in ("execution-status", "execution-progress", "execution-count", "feed-row", "execution-outcome"):
        expect(page.get_by_test_id(testid)).to_have_count(0)
    expect(page.get_by_text(batch["name"], exact=True)).to_have_count(0)


# --- #13: empty preview, labels -------------------------------------------------------------------


def _empty_preview_case(page) -> tuple[str, str, dict[str, Any]]:
    """A dealer and an action whose preview sends nothing but skips something. One always exists:
    every rung of the ladder refuses some action (active: suspend; warned or later: warning)."""
    for dealer in api(page, "/api/dealers?limit=100")["items"]:
        for action in ACTION_LABELS:
            filters = {"rules": ["map_breach", "mrp_breach"], "dealer_ids": [dealer["id"]]}
            res = page.request.post("/api/enforcement/preview", data={"filters": filters, "action": action})
            assert res.status == 200, res.text()[:300]
            data = res.json()
            if not data["items"] and data["skipped"]:
                return dealer["name"], action, data
    raise AssertionError("no dealer/action previews empty: the demo's dealers have no open MAP/MRP alerts")


def test_bulk_preview_explains_an_empty_result_with_human_labels(page):
    signed_in(page, "ops@demo.test")
    dealer, action, data = _empty_preview_case(page)
    page.goto("/bulk")
    page.get_by_test_id("bulk-dealer").click()
    page.get_by_role("option", name=re.compile("^" + re.escape(dealer) + " · ")).click()
    _pick(page, "bulk-action", ACTION_LABELS[action])
    page.get_by_test_id("bulk-preview").click()
    empty = page.get_by_test_id("bulk-empty")
    expect(empty).to_be_visible(timeout=LOAD_MS)
    expect(empty).to_contain_text("No dealer is eligible")
    for detail in {s["detail"] for s in data["skipped"]}:
        n = sum(1 for s in data["skipped"] if s["detail"] == detail)
        expect(page.get_by_test_id("bulk-skip-reasons")).to_contain_text(f"{detail} ({n})")
    expect(page.get_by_test_id("preview-table")).to_have_count(0)
    expect(page.get_by_test_id("bulk-create")).to_be_disabled()
    skipped = page.get_by_test_id("skipped-row")
    expect(skipped).to_have_count(len(data["skipped"]))
    rules = {r.locator("td").nth(1).inner_text().strip() for r in skipped.all()}
    assert rules and rules <= {"MAP breach", "MRP breach", "Competitor undercut", "Dead stock"}


def test_preview_and_report_show_status_labels_and_no_no_op_transition(page):
    signed_in(page, "ops@demo.test")
    page.goto("/bulk")
    _pick(page, "bulk-action", "Request price correction")
    page.get_by_test_id("bulk-preview").click()
    rows = page.get_by_test_id("preview-row")
    expect(rows.first).to_be_visible(timeout=LOAD_MS)
    for cell in page.get_by_test_id("status-change").all():
        text = cell.inner_text()
        assert "_" not in text and "→" not in text and "no change" in text
    batch = next(b for b in all_batches(page) if b["item_count"] > 0 and b["job_id"])
    page.goto(f"/reports/{batch['id']}")
    expect(page.get_by_test_id("report-line").first).to_be_visible(timeout=LOAD_MS)
    for line in page.get_by_test_id("report-line").all():
        text = line.inner_text()
        assert "_" not in text, text
        status = line.get_by_test_id("status-change").inner_text()
        assert ("→" in status) != ("no change" in status), status
    expect(page.get_by_test_id("report-currency")).to_have_text(re.compile(r"Amounts in [A-Z]{3}"))


# --- #19: feed times with date and timezone -------------------------------------------------------


def test_execution_feed_shows_date_and_timezone(page):
    signed_in(page, "viewer@demo.test")
    batch = next(b for b in all_batches(page) if b["job_id"])
    page.goto(f"/execution?batchId={batch['id']}")
    first = page.get_by_test_id("feed-row").first
    expect(first).to_be_visible(timeout=LOAD_MS)
    assert re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", first.inner_text().strip())


# --- #17: /reports pages through every batch ------------------------------------------------------


def test_reports_load_more_pages_through_every_batch(page):
    from sqlalchemy import text

    from engine.context import TenantContext
    from models.core.db import owner_tenant_session
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    with owner_tenant_session(ctx) as session:  # old archived drafts (clones of a real batch, no items)
        session.execute(
            text(
                "insert into margin_enforcement_batches (id, tenant_id, name, action, filters, status, job_id, "
                "created_by, item_count, alert_count, skipped_count, expected_recoverable, skipped, created_at) "
                "select gen_random_uuid(), tenant_id, 'E2E archive #' || g, action, filters, 'draft', null, "
                "created_by, 0, 0, 0, 0, '[]'::jsonb, created_at - make_interval(days => 30, secs => g) "
                "from (select * from margin_enforcement_batches where tenant_id = :t order by created_at limit 1) b, "
                "generate_series(1, 55) g"
            ),
            {"t": str(DEMO_TENANT_ID)},
        )
    signed_in(page, "viewer@demo.test")
    expected = [b["id"] for b in all_batches(page)]
    assert len(expected) > 50
    page.goto("/reports")
    rows = page.get_by_test_id("report-row")
    expect(rows).to_have_count(25, timeout=LOAD_MS)
    expect(page.get_by_test_id("report-start-draft")).to_have_count(0)  # viewer: no enforcement
    shown = 25
    while shown < len(expected):
        page.get_by_test_id("reports-more").click()
        shown = min(shown + 25, len(expected))
        expect(rows).to_have_count(shown)
    expect(page.get_by_test_id("reports-more")).to_have_count(0)
    hrefs = [a.get_attribute("href") for a in rows.locator("a").all()]
    assert hrefs == [f"/reports/{i}" for i in expected]


def test_notices_show_sent_time_with_timezone(page):
    signed_in(page, "viewer@demo.test")
    assert api(page, "/api/notices?limit=1")["items"], "the demo seed's completed batch sent a notice"
    page.goto("/notices")
    first = page.get_by_test_id("notice-row").first
    expect(first).to_be_visible(timeout=LOAD_MS)
    assert re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", first.locator("td").first.inner_text().strip())
