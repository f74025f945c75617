"""A vendor sends its invoices as a file in the portal: a file with a bad row is refused whole with
the row's line named; the corrected file is recorded and its invoice is listed under My invoices."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

HEADER = "Invoice number,Invoice date,Currency,Line,Description,Quantity,Unit price,Tax\n"


def test_a_vendor_sends_an_invoice_file_fixes_a_bad_row_and_sees_the_invoice(page, tmp_path):
    number = f"INV-E2E-{uuid.uuid4().hex[:6].upper()}"
    day = datetime.now(UTC).date() - timedelta(days=5)  # a recent invoice date, whatever today is
    bad = tmp_path / "invoices-bad.csv"
    bad.write_text(HEADER + f"{number},{day},INR,1,Cartons,40,12.40,89.28\n{number},{day},INR,2,Tape,0,5,0\n")
    good = tmp_path / "invoices.csv"
    good.write_text(HEADER + f"{number},{day},INR,1,Cartons,40,12.40,89.28\n{number},{day},INR,2,Tape,2,5,0\n")

    login(page, "vendor@demo.test")
    page.wait_for_url(re.compile(r"/portal$"))
    page.get_by_test_id("portal-nav").filter(has_text="Send a file").click()
    page.wait_for_url(re.compile(r"/portal/files$"))
    expect(page.get_by_test_id("vendor-file-columns")).to_contain_text("Invoice number")

    page.get_by_test_id("vendor-file-drop").locator("input[type=file]").set_input_files(str(bad))
    expect(page.get_by_test_id("vendor-file-chosen")).to_have_text("invoices-bad.csv")
    page.get_by_test_id("vendor-file-send").click()
    expect(page.get_by_test_id("vendor-file-outcome")).to_contain_text("1 problem(s)")
    expect(page.get_by_test_id("vendor-file-problem")).to_have_text(
        "line 3: Quantity: the quantity must be more than 0"
    )

    page.get_by_test_id("vendor-file-drop").locator("input[type=file]").set_input_files(str(good))
    expect(page.get_by_test_id("vendor-file-chosen")).to_have_text("invoices.csv")
    page.get_by_test_id("vendor-file-send").click()
    expect(page.get_by_test_id("vendor-file-outcome")).to_have_text(f"Recorded from 2 row(s): {number}")
    expect(page.get_by_test_id("vendor-file-problem")).to_have_count(0)

    page.goto("/portal/invoices")
    expect(page.get_by_test_id("portal-invoices-row").filter(has_text=number)).to_have_count(1)
