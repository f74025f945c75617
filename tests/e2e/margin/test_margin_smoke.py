"""The Margin Defense spec's locked smoke tests, in Chromium against the real app + a real worker.

Phase 1: /api/health answers {ok: true}; /, /dealers, /bulk, /execution, /reports, /alert/<id>
render with zero console errors. Phase 4: the dashboard's figures are the API's
(GET /api/dashboard/summary); clicking a breach opens /alert/:id with its evidence rows.
Phase 5: a batch created in the /bulk wizard (as ops) and started runs on a real `python -m workers`
process while /execution follows it to "completed". Phase 6: that batch's report page shows the
totals and deltas of GET /api/reports/enforcement/{id}. Expected values always come from the API
in the same browser session (the ops user's cookie), never hard-coded.

The session's `live_app` starts no worker, so this module uses `worker` (tests/e2e/margin/conftest.py:
one real worker process on the test database and Redis, stopped at the end of the module).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import UUID_RE, signed_in

pytestmark = pytest.mark.e2e

RUN_TIMEOUT_MS = 60_000  # a handful of items on one worker; generous for a loaded 2-core box


@pytest.fixture(scope="module")
def flow() -> dict[str, Any]:
    """What the wizard test created, for the report test."""
    return {}


def api(page, path: str) -> Any:
    """GET an API path with the page's session cookie; the JSON body."""
    response = page.request.get(path)
    assert response.status == 200, f"GET {path}: {response.status} {response.text()[:300]}"
    return response.json()


def money(value: Any) -> str:
    """The pages' money format (two decimals, thousands separators)."""
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):,.2f}"


# --- Phase 1 ---------------------------------------------------------------------------------------


def test_health_answers_ok(page):
    response = page.request.get("/api/health")
    assert response.status == 200
    assert response.json()["ok"] is True


def test_routes_render_without_console_errors(page, console):
    signed_in(page, "ops@demo.test")
    alert_id = api(page, "/api/alerts?limit=1")["items"][0]["id"]
    checks = {
        "/": "margin-dashboard",
        "/dealers": "dealer-link",
        "/bulk": "bulk-preview",
        "/execution": "execution-status",
        "/reports": "report-row",
        f"/alert/{alert_id}": "evidence-row",
    }
    for path, testid in checks.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.get_by_test_id(testid).first).to_be_visible()
        expect(page.get_by_test_id("page-error")).to_have_count(0)
        assert console.unexpected() == [], f"{path}: {console.unexpected()}"


# --- Phase 4 ---------------------------------------------------------------------------------------


def test_dashboard_figures_come_from_the_api(page):
    signed_in(page, "owner@demo.test")
    ids = {
        "kpi-open-alerts": "open_alerts",
        "kpi-dealers": "dealers_in_breach",
        "kpi-tasks-due": "tasks_due",
        "kpi-batches": "running_batches",
    }
    # a running demo batch may move figures while the page loads: take a snapshot the API
    # reports identically before and after the page rendered
    for _ in range(5):
        before = api(page, "/api/dashboard/summary")
        page.goto("/")
        expect(page.get_by_test_id("margin-dashboard")).to_be_visible()
        expect(page.get_by_test_id("kpi-open-alerts")).not_to_have_text("")
        shown = {key: page.get_by_test_id(testid).inner_text() for testid, key in ids.items()}
        shown["lost_margin_period"] = page.get_by_test_id("kpi-lost-margin").inner_text()
        after = api(page, "/api/dashboard/summary")
        if all(before[k] == after[k] for k in [*ids.values(), "lost_margin_period"]):
            break
    else:
        pytest.fail("dashboard figures kept changing")
    assert after["open_alerts"] > 0  # the demo seed has breaches
    assert shown == {
        **{key: str(after[key]) for key in ids.values()},
        "lost_margin_period": money(after["lost_margin_period"]),
    }


def test_clicking_a_breach_opens_the_alert_with_its_evidence_rows(page):
    signed_in(page, "ops@demo.test")
    expect(page.get_by_test_id("breach-link").first).to_be_visible()
    page.get_by_test_id("breach-link").first.click()
    page.wait_for_url(re.compile(rf"/alert/{UUID_RE}$"))
    alert_id = page.url.rsplit("/", 1)[-1]
    evidence = api(page, f"/api/alerts/{alert_id}/evidence")["items"]
    assert evidence, "a breach has evidence"
    expect(page.get_by_test_id("evidence-row")).to_have_count(len(evidence))
    detail = api(page, f"/api/alerts/{alert_id}")
    assert detail["id"] == alert_id


# --- Phase 5 ---------------------------------------------------------------------------------------


def _pick(page, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_test_id(testid)).to_have_text(option)


def test_bulk_wizard_batch_runs_on_a_worker_to_complete(page, worker, flow):
    proc, log_path = worker
    signed_in(page, "ops@demo.test")
    page.goto("/bulk")
    _pick(page, "bulk-action", "Request price correction")
    page.get_by_test_id("bulk-preview").click()
    rows = page.get_by_test_id("preview-row")
    expect(rows.first).to_be_visible()
    planned = rows.count()
    page.get_by_label("Batch name").fill("Smoke — price corrections")
    page.get_by_test_id("bulk-create").click()
    expect(page.get_by_test_id("bulk-start")).to_be_enabled()
    page.get_by_test_id("bulk-start").click()
    page.wait_for_url(re.compile(rf"/execution\?batchId={UUID_RE}$"))
    batch_id = page.url.rsplit("=", 1)[-1]
    flow["batch_id"] = batch_id

    batch = api(page, f"/api/enforcement/batches/{batch_id}")
    assert batch["name"] == "Smoke — price corrections"
    assert batch["item_count"] == planned
    try:
        expect(page.get_by_test_id("execution-status")).to_have_text("completed", timeout=RUN_TIMEOUT_MS)
    except AssertionError:
        alive = "running" if proc.poll() is None else f"exited {proc.returncode}"
        raise AssertionError(f"batch did not complete (worker {alive}):\n{log_path.read_text()[-3000:]}") from None
    expect(page.get_by_test_id("execution-count")).to_have_text(f"{planned} / {planned} items · 100%")
    expect(page.get_by_test_id("execution-progress")).to_have_attribute("data-value", "100")
    outcomes = page.get_by_test_id("execution-outcome").all_inner_texts()
    assert sum(int(text.rsplit(":", 1)[1]) for text in outcomes) == planned
    expect(page.get_by_test_id("feed-row").first).to_be_visible()
    done = api(page, f"/api/enforcement/batches/{batch_id}")
    assert done["status"] == "completed"


# --- Phase 6 ---------------------------------------------------------------------------------------


def test_report_shows_the_api_totals_and_deltas(page, flow):
    if "batch_id" not in flow:
        pytest.fail("the wizard test did not create a batch")
    batch_id = flow["batch_id"]
    signed_in(page, "ops@demo.test")
    report = api(page, f"/api/reports/enforcement/{batch_id}")
    assert report["batch"]["status"] == "completed"
    page.goto(f"/reports/{batch_id}")
    t, d = report["totals"], report["deltas"]
    expect(page.get_by_test_id("report-total")).to_have_count(5)
    assert [" ".join(x.split()) for x in page.get_by_test_id("report-total").all_inner_texts()] == [
        f"Notices planned {t['items']}",
        f"Notices sent {t['notices_sent']}",
        f"Alerts covered {t['alerts']}",
        f"Skipped at preview {t['skipped_at_preview']}",
        f"Expected recoverable {money(t['expected_recoverable'])}",
    ]
    deltas = page.get_by_test_id("report-delta")
    expect(deltas).to_have_count(2)
    assert [[c.strip() for c in row.locator("td").all_inner_texts()] for row in deltas.all()] == [
        [
            "Lost margin",
            money(d["lost_margin_before"]),
            money(d["lost_margin_after"]),
            money(d["lost_margin_delta"]),
        ],
        ["Breaches", str(d["breaches_before"]), str(d["breaches_after"]), str(d["breaches_delta"])],
    ]
    lines = sum(len(item["alerts"]) for item in report["items"])
    expect(page.get_by_test_id("report-line")).to_have_count(lines)


# --- sent notices (the outbox list) -------------------------------------------------------------


def test_sent_notices_list_and_dealer_filter(page):
    signed_in(page, "viewer@demo.test")
    notices = api(page, "/api/notices?limit=100")["items"]
    page.goto("/notices")
    if not notices:
        expect(page.get_by_test_id("notices-empty")).to_be_visible()
        return
    expect(page.get_by_test_id("notice-row")).to_have_count(min(len(notices), 25))
    dealer_id = notices[0]["dealer_id"]
    name = api(page, f"/api/dealers/{dealer_id}")["name"]
    _pick(page, "notices-dealer", name)
    only = [n for n in notices if n["dealer_id"] == dealer_id]
    expect(page.get_by_test_id("notice-row")).to_have_count(min(len(only), 25))
    assert set(page.get_by_test_id("notice-dealer").all_inner_texts()) == {name}


def test_sent_notices_load_more_pages_through_the_outbox(page):
    """Enough notices for three pages (clones of a real one, as a later batch would record them):
    "Load more" appends the next page until the outbox is exhausted, newest first, no duplicates."""
    from sqlalchemy import text

    from engine.context import TenantContext
    from models.core.db import owner_tenant_session
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    with owner_tenant_session(ctx) as session:
        session.execute(
            text(
                "insert into margin_enforcement_notices "
                "(id, tenant_id, batch_id, dealer_id, action, alert_ids, subject, body, channel, "
                "idempotency_key, created_at) "
                "select gen_random_uuid(), tenant_id, batch_id, dealer_id, action, alert_ids, subject || ' #' || "
                "g, body, "
                "channel, idempotency_key || ':smoke:' || g, created_at - make_interval(secs => g) "
                "from (select * from margin_enforcement_notices where tenant_id = :t limit 1) n, "
                "generate_series(1, 55) g"
            ),
            {"t": str(DEMO_TENANT_ID)},
        )
    signed_in(page, "viewer@demo.test")
    expected = []
    cursor = ""
    while True:
        data = api(page, "/api/notices?limit=100" + (f"&cursor={cursor}" if cursor else ""))
        expected += [n["id"] for n in data["items"]]
        cursor = data["next_cursor"]
        if not cursor:
            break
    assert len(expected) > 50
    page.goto("/notices")
    rows = page.get_by_test_id("notice-row")
    expect(rows).to_have_count(25)
    for shown in (50, len(expected)):
        page.get_by_test_id("notices-more").click()
        expect(rows).to_have_count(min(shown, len(expected)))
    expect(rows).to_have_count(len(expected))
    expect(page.get_by_test_id("notices-more")).to_have_count(0)
