"""Detection on the dashboard, in Chromium with a real worker: the Last import card (empty before any
import; test_margin_import_ui.py fills it), Run detection for ops followed live to its end, no button
for sales, and the import entries in the nav for ops only. Expected values come from the database."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e

RUN_TIMEOUT_MS = 90_000  # one detection item on one worker; generous for a loaded 2-core box


def test_sales_sees_no_run_button_and_no_import_entries(page):
    signed_in(page, "sales@demo.test")
    expect(page.get_by_test_id("margin-dashboard")).to_be_visible()
    expect(page.get_by_test_id("last-import-empty")).to_be_visible()  # no margin import yet in this run
    expect(page.get_by_test_id("run-detection")).to_have_count(0)
    expect(page.get_by_test_id("nav-link").filter(has_text="Import sales")).to_have_count(0)


def test_ops_runs_detection_and_follows_it_to_the_end(page, worker):
    signed_in(page, "ops@demo.test")
    expect(page.get_by_test_id("margin-dashboard")).to_be_visible()
    page.get_by_test_id("run-detection").click()
    status = page.get_by_test_id("detection-status")
    expect(status).to_have_text(re.compile(r"^Detection finished · \d+ new breaches$"), timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("run-detection")).to_be_enabled()
