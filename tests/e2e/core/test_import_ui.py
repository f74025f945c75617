"""The import pages in Chromium: ops uploads a sales file for the test target, maps it with the
suggestions (preselected), reads the validation report, imports the valid rows and sees the counts.
The jobs run in this process (the worker's own code path), and the page follows them live."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import signed_in

pytestmark = pytest.mark.e2e

BODY = (
    "Customer,Item code,Net price,Qty,Invoice date,Currency\n"
    "Metro Pharma Retail,SKU-1,12.50,3,2024-03-04,INR\n"
    'City Medicos,SKU-2,"1.234,50",1,2024-03-05,INR\n'
)


def _demo_ctx():
    from engine.context import TenantContext
    from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID

    return TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)


def _run_latest_job(upload_id: str) -> None:
    import models.imports.kinds  # noqa: F401  (registers the import kinds in this process, as a worker does)
    from models.imports import queries
    from models.jobs.runner import run_job_sync

    view = queries.import_status(_demo_ctx(), upload_id)
    assert view is not None and view.job_id is not None
    run_job_sync(_demo_ctx().tenant_id, view.job_id)


def test_upload_map_validate_and_import_in_the_browser(page, tmp_path: Path):
    source = tmp_path / f"sales-{uuid.uuid4().hex[:6]}.csv"
    source.write_text(BODY, encoding="utf-8")
    signed_in(page, "ops@demo.test")
    page.goto("/imports/new?target=tests.sales")
    page.get_by_test_id("upload-drop").locator("input[type=file]").set_input_files(source)
    page.get_by_test_id("upload-send").click()
    page.wait_for_url("**/imports/file?upload=*", timeout=60_000)
    upload_id = page.url.split("upload=")[1]

    selects = page.get_by_test_id("map-select")
    expect(selects.first).to_have_value("Customer")  # the suggestion is preselected
    expect(page.get_by_test_id("preview")).to_contain_text("Metro Pharma Retail")
    expect(page.get_by_test_id("preview")).to_contain_text("uses a comma as decimal separator")
    preset = f"Weekly export {uuid.uuid4().hex[:4]}"
    page.get_by_test_id("preset-name").fill(preset)
    page.get_by_test_id("validate").click()
    expect(page.get_by_test_id("import-status")).to_have_text("validating")
    _run_latest_job(upload_id)
    expect(page.get_by_test_id("import-status")).to_have_text("invalid", timeout=30_000)
    expect(page.get_by_test_id("report-row")).to_have_count(1)
    expect(page.get_by_test_id("report-row")).to_contain_text("write 1234.50")

    page.get_by_test_id("valid-only").click()
    page.get_by_test_id("import").click()
    expect(page.get_by_test_id("import-status")).to_have_text("importing")
    _run_latest_job(upload_id)
    expect(page.get_by_test_id("import-status")).to_have_text("imported", timeout=30_000)
    expect(page.get_by_text("Inserted")).to_be_visible()

    # the mapping was saved as a preset: listed with its columns, then deleted after a confirmation
    page.get_by_test_id("presets-link").click()
    row = page.get_by_test_id("preset-row").filter(has_text=preset)
    expect(row).to_contain_text("Dealer ← Customer")
    page.screenshot(path=str(tmp_path / "presets.png"))
    row.get_by_test_id("preset-delete").click()
    page.get_by_test_id("preset-keep").click()
    expect(row).to_have_count(1)
    row.get_by_test_id("preset-delete").click()
    page.get_by_test_id("preset-confirm").click()
    expect(page.get_by_text(f"Preset '{preset}' deleted.")).to_be_visible()
    expect(page.get_by_test_id("preset-row").filter(has_text=preset)).to_have_count(0)


def test_a_workbooks_sheet_is_picked_on_the_mapping_page(page, tmp_path: Path):
    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Read me"
    notes.append(["Exported on Monday"])
    book.create_sheet("Sales").append(["Customer", "Item code", "Net price", "Qty", "Invoice date", "Currency"])
    source = tmp_path / "two-sheets.xlsx"
    book.save(source)
    signed_in(page, "ops@demo.test")
    page.goto("/imports/new?target=tests.sales")
    page.get_by_test_id("upload-drop").locator("input[type=file]").set_input_files(source)
    page.get_by_test_id("upload-send").click()
    page.wait_for_url("**/imports/file?upload=*", timeout=60_000)
    picker = page.get_by_test_id("sheet-select")
    expect(picker).to_have_text("Read me")
    expect(page.get_by_test_id("map-select").first).to_have_value("__none__")  # nothing fits the notes sheet
    picker.click()
    page.get_by_role("option", name="Sales").click()
    expect(picker).to_have_text("Sales")
    expect(page.get_by_test_id("map-select").first).to_have_value("Customer")
