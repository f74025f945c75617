"""Compensation runs in Chromium: HR starts a run of the demo plan over the demo's imported analysts
and watches it finish live (the run's job runs in this process, on the worker's code path, while
the page follows it); the manager, HR and finance approve in turn, finance finalizes; the statement
PDF downloads and its text holds the employee's payout (read from the API, never hard-coded)."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import UUID_RE, signed_in

pytestmark = pytest.mark.e2e


def _demo_ctx():
    from engine.context import TenantContext
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    return TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)


def _run_job(run_id: str) -> None:
    import models.comp.kinds  # noqa: F401 - the comp.run kind, registered in this process as a worker does
    from models.comp.runs import queries
    from models.jobs.runner import run_job_sync

    view = queries.run_detail(_demo_ctx(), __import__("uuid").UUID(run_id))
    assert view.job_id is not None
    run_job_sync(_demo_ctx().tenant_id, view.job_id)


def _sign_out(page) -> None:
    page.context.clear_cookies()


def _approve(page, email: str, run_url: str, label: str, status: str) -> None:
    _sign_out(page)
    signed_in(page, email)
    page.goto(run_url)
    button = page.get_by_test_id("run-action").filter(has_text=label)
    expect(button).to_have_count(1)
    expect(page.get_by_test_id("run-action")).to_have_count(1)  # only the button this role may press
    button.click()
    expect(page.get_by_test_id("run-status")).to_contain_text(status, timeout=30_000)


def test_hr_runs_and_three_roles_approve_and_the_statement_downloads(page):
    signed_in(page, "hr@demo.test")
    page.goto("/comp/runs")
    # an earlier browser test may have locked a plan of its own: choose the demo plan by name
    page.get_by_test_id("run-plan").click()
    page.get_by_role("option", name="2025 Analyst Bonus Plan v1").click()
    expect(page.get_by_test_id("run-plan")).to_contain_text("2025 Analyst Bonus Plan v1")
    expect(page.get_by_test_id("run-upload")).to_contain_text("analysts-2025.csv")
    page.get_by_test_id("run-scenario").fill("Browser run")
    page.get_by_test_id("run-start").click()
    page.wait_for_url(re.compile(rf"/comp/runs/{UUID_RE}$"), timeout=30_000)
    run_url = page.url
    run_id = run_url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("run-progress-text")).to_have_text("Waiting for a worker")

    _run_job(run_id)  # the page follows the job: no reload
    expect(page.get_by_test_id("run-progress-text")).to_have_text("Computed: 40 employees", timeout=30_000)
    from models.comp.runs import queries

    view = queries.run_detail(_demo_ctx(), __import__("uuid").UUID(run_id))
    expect(page.get_by_test_id("run-employees")).to_have_text("40")
    expect(page.get_by_test_id("run-hash")).to_have_text(view.snapshot_hash or "")
    expect(page.get_by_test_id("result-row")).to_have_count(40)

    # the tape of one employee
    first = queries.tape(_demo_ctx(), view.id, "AN-001")
    page.get_by_test_id("result-employee").first.click()
    expect(page.get_by_test_id("tape-ref")).to_have_text("AN-001")
    expect(page.get_by_test_id("tape-payout")).to_have_text(first.payout or "")
    expect(page.get_by_test_id("tape-step")).to_have_count(len(first.steps))
    # a reload of the page (its on_load runs again) keeps the selected employee's tape
    page.reload()
    expect(page.get_by_test_id("run-employees")).to_have_text("40")
    expect(page.get_by_test_id("tape-ref")).to_have_text("AN-001")
    expect(page.get_by_test_id("tape-step")).to_have_count(len(first.steps))
    # and a search's results
    page.get_by_test_id("results-search").fill("AN-01")
    page.get_by_test_id("results-search-go").click()
    expect(page.get_by_test_id("result-row")).to_have_count(10)  # AN-010 … AN-019
    page.reload()
    expect(page.get_by_test_id("run-employees")).to_have_text("40")
    expect(page.get_by_test_id("results-search")).to_have_value("AN-01")
    expect(page.get_by_test_id("result-row")).to_have_count(10)
    expect(page.get_by_test_id("tape-ref")).to_have_text("AN-001")
    page.get_by_test_id("results-search").fill("")
    page.get_by_test_id("results-search-go").click()
    expect(page.get_by_test_id("result-row")).to_have_count(40)

    # against the demo's finalized "Base" run of the same plan and data: nobody's payout moved
    from models.comp.runs import deltas
    from seeds.comp_runs import FINALIZED_RUN

    same = deltas.run_deltas(_demo_ctx(), view.id, FINALIZED_RUN)
    assert same.totals.counts["same"] == 40
    page.get_by_test_id("delta-baseline").click()
    page.get_by_role("option").filter(has_text="Base ·").first.click()
    expect(page.get_by_test_id("delta-counts")).to_have_text("40 same")
    expect(page.get_by_test_id("delta-total")).to_have_text("0.00")
    expect(page.get_by_test_id("delta-run-total")).to_have_text(f"{same.totals.payout:,.2f}")
    expect(page.get_by_test_id("delta-row")).to_have_count(0)  # changed employees only

    _approve(page, "manager@demo.test", run_url, "Approve (manager)", "manager approved")
    _approve(page, "hr@demo.test", run_url, "Approve (HR)", "hr approved")
    expect(page.get_by_test_id("approval-row")).to_have_count(2)
    expect(page.get_by_test_id("approvals-table")).to_contain_text("nothing changed since the manager's approval")
    _approve(page, "finance@demo.test", run_url, "Approve (finance)", "finance approved")
    page.get_by_test_id("run-action").filter(has_text="Finalize").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("finalized", timeout=30_000)
    expect(page.get_by_test_id("run-action")).to_have_count(0)

    # the statement of the first employee, as the browser downloads it
    page.get_by_test_id("result-employee").first.click()
    link = page.get_by_test_id("statement-download")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href and href.endswith("/statements/AN-001.pdf"), href
    res = page.request.get(href)
    assert res.status == 200 and res.headers["content-type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(res.body())).pages)
    assert f"Exact value: {first.payout}" in text
    assert "AN-001" in text


def test_finance_makes_all_statements_as_one_zip_and_a_viewer_cannot(page):
    """The demo's finalized run: the bundle job queued from the page, run here on the worker's code
    path while the page follows it, then the ZIP downloads with one PDF per employee."""
    import zipfile

    import models.comp.kinds  # noqa: F401 - the comp.statements kind, registered here as a worker does
    from models.comp.runs import bundles, queries
    from models.jobs.runner import run_job_sync
    from seeds.comp_runs import FINALIZED_RUN

    view = queries.run_detail(_demo_ctx(), FINALIZED_RUN)
    signed_in(page, "viewer@demo.test")
    page.goto(f"/comp/runs/{FINALIZED_RUN}")
    expect(page.get_by_test_id("run-employees")).to_have_text(str(view.employees))
    expect(page.get_by_test_id("bundle-request")).to_have_count(0)
    _sign_out(page)

    signed_in(page, "finance@demo.test")
    page.goto(f"/comp/runs/{FINALIZED_RUN}")
    expect(page.get_by_test_id("run-employees")).to_have_text(str(view.employees))
    before = bundles.latest_bundle(_demo_ctx(), FINALIZED_RUN)
    page.get_by_test_id("bundle-request").click()
    expect(page.get_by_test_id("bundle-progress-text")).to_have_text(
        f"0 of {view.employees} statements · queued", timeout=30_000
    )
    bundle = bundles.latest_bundle(_demo_ctx(), FINALIZED_RUN)
    assert bundle is not None and (before is None or bundle.job_id != before.job_id)
    run_job_sync(_demo_ctx().tenant_id, bundle.job_id)  # the page follows the job: no reload
    expect(page.get_by_test_id("bundle-progress-text")).to_have_text(
        f"{view.employees} of {view.employees} statements · completed", timeout=30_000
    )
    link = page.get_by_test_id("bundle-download")
    expect(link).to_contain_text(f"{view.employees} statements")
    href = link.get_attribute("href")
    assert href == f"/api/v1/runs/{FINALIZED_RUN}/statements/bundle/{bundle.job_id}.zip", href
    res = page.request.get(href)
    assert res.status == 200 and res.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(res.body())).namelist()
    assert len(names) == len(set(names)) == view.employees
    assert names[0] == "000001-AN-001.pdf"
    # a reload shows the finished bundle again
    page.reload()
    expect(page.get_by_test_id("bundle-download")).to_have_attribute("href", href)
