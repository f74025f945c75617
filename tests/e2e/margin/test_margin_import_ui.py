"""Margin data in through the browser, with a real worker: ops opens "Import sales" from the nav,
sends a CSV export, keeps the suggested columns, reads the validation report (a decimal comma named
with its fix), imports the valid rows only, and the dashboard's Last import card says what the file
brought — the file's name, rows imported and skipped, one new breach — whose alert shows its math.

The breach is made for a (dealer, SKU) pair that has no open MRP alert at the time, found in the
database, so the count does not depend on what earlier tests did; the floor is read from the
evidence detection stored, and the expected loss is computed here from the file's own figures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import demo_db, signed_in

pytestmark = pytest.mark.e2e

JOB_TIMEOUT_MS = 90_000  # validation, import and detection on one worker of a loaded 2-core box
QTY = 3
PRICE = Decimal("100.00")  # far under the demo's MRP floors (hundreds of rupees): an MRP breach


def _free_dealer() -> tuple[str, str, str, str]:
    """(dealer id, dealer name, sku id, sku code): a demo dealer with no open MRP alert on the d3 SKU."""
    from sqlmodel import col, select

    from engine.margin.frames import MRP_BREACH
    from engine.margin.machines import ALERT_OPEN_STATES
    from models.catalog.tables import Organization, Sku
    from models.margin.tables import MarginAlert
    from seeds.ids import demo_id

    def find(session, ctx):
        sku = session.get(Sku, demo_id("sku", "d3"))  # by id: a catalog test may have renamed its code
        busy = set(
            session.exec(
                select(MarginAlert.dealer_id).where(
                    MarginAlert.rule == MRP_BREACH,
                    MarginAlert.sku_id == sku.id,
                    col(MarginAlert.status).in_(ALERT_OPEN_STATES),
                )
            ).all()
        )
        for dealer in session.exec(
            select(Organization).where(Organization.type == "dealer").order_by(Organization.name)
        ):
            if dealer.id not in busy:
                return str(dealer.id), dealer.name, str(sku.id), sku.code
        raise AssertionError(f"every demo dealer already has an open MRP alert on {sku.code}")

    return demo_db(find)


def _open_alert(dealer_id: str, sku_id: str):
    from sqlmodel import col, select

    from engine.margin.frames import MRP_BREACH
    from engine.margin.machines import ALERT_OPEN_STATES
    from models.margin.tables import MarginAlert

    query = select(MarginAlert).where(
        MarginAlert.rule == MRP_BREACH,
        MarginAlert.dealer_id == uuid.UUID(dealer_id),
        MarginAlert.sku_id == uuid.UUID(sku_id),
        col(MarginAlert.status).in_(ALERT_OPEN_STATES),
    )
    return demo_db(lambda s, c: s.exec(query).one())


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,}"


def test_ops_imports_a_sales_file_and_the_dashboard_shows_its_breach(page, worker, tmp_path: Path):
    dealer_id, dealer_name, sku_id, sku_code = _free_dealer()
    day = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    source = tmp_path / f"tally-sales-{uuid.uuid4().hex[:6]}.csv"
    remarks = f"Remarks {uuid.uuid4().hex[:6]}"  # a header of its own: no saved preset matches it
    source.write_text(
        f"Party Name,Item Code,Invoice Date,Qty,Net Rate,{remarks}\n"
        f"{dealer_name},{sku_code},{day},{QTY},{PRICE},\n"
        f'{dealer_name},{sku_code},{day},1,"1.234,50",\n',
        encoding="utf-8",
    )
    signed_in(page, "ops@demo.test")
    page.get_by_test_id("nav-link").filter(has_text="Import sales").click()
    page.wait_for_url("**/imports/new?target=margin.sales")
    page.get_by_test_id("upload-drop").locator("input[type=file]").set_input_files(source)
    page.get_by_test_id("upload-send").click()
    page.wait_for_url("**/imports/file?upload=*", timeout=60_000)
    upload_id = page.url.split("upload=")[1]

    selects = page.get_by_test_id("map-select")  # the suggestions are preselected, in the fields' order
    for position, header in enumerate(("Party Name", "Item Code", "Invoice Date", "Qty", "Net Rate")):
        expect(selects.nth(position)).to_have_value(header)
    page.get_by_test_id("validate").click()
    expect(page.get_by_test_id("import-status")).to_have_text("invalid", timeout=JOB_TIMEOUT_MS)
    report = page.get_by_test_id("report-row")
    expect(report).to_have_count(1)
    expect(report).to_contain_text("1.234,50")
    expect(report).to_contain_text("write 1234.50")

    page.get_by_test_id("valid-only").click()
    page.get_by_test_id("import").click()
    expect(page.get_by_test_id("import-status")).to_have_text("imported", timeout=JOB_TIMEOUT_MS)

    page.goto("/")
    card = page.get_by_test_id("last-import-breaches")
    for _ in range(JOB_TIMEOUT_MS // 1_000):  # the card is read on load; detection runs after the import
        if card.text_content() == "1":
            break
        page.wait_for_timeout(1_000)
        page.reload()
    expect(card).to_have_text("1")
    expect(page.get_by_test_id("last-import-target")).to_have_text("Sale rows")
    expect(page.get_by_test_id("last-import-file")).to_have_text(source.name)
    expect(page.get_by_test_id("last-import-rows")).to_have_text("1")
    expect(page.get_by_test_id("last-import-skipped")).to_have_text("1")
    expect(page.get_by_test_id("last-import-report")).to_have_attribute("href", f"/imports/file?upload={upload_id}")

    alert = _open_alert(dealer_id, sku_id)
    (term,) = alert.explanation["terms"]
    floor = Decimal(term["values"]["floor"])
    assert Decimal(term["values"]["price"]) == PRICE and int(term["values"]["qty"]) == QTY
    page.goto(f"/alert/{alert.id}")
    expect(page.get_by_test_id("alert-formula")).to_contain_text(f"{QTY} × ({floor:.2f} − {PRICE:.2f})")
    expect(page.get_by_test_id("alert-impact")).to_contain_text(_money(QTY * (floor - PRICE)))
