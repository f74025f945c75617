"""The whole import flow through the API on the test target: upload → suggestions → map (validated
by the worker's job code) → report → import → rows merged; refusals change nothing."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from tests.integration.imports.conftest import HEADER, MAPPING, TARGET, map_and_validate, run_job, upload
from tests.support.api_clients import api_error
from tests.support.effects import rows, trail, unchanged

CLEAN = (
    HEADER
    + "Metro Pharma Retail,SKU-1,12.50,3,2024-03-04,INR\r\n"
    + "City Medicos,SKU-2,0.0000000001,1,2024-03-05,inr\r\n"
    + "D-1,SKU-3,99,12,2024-03-06,\r\n"
).encode()

BAD = (
    HEADER
    + 'Metro Pharma Retail,SKU-1,"1.234,50",3,2024-03-04,INR\r\n'  # line 2: comma decimal
    + "Metro Pharma,SKU-2,5.00,1,2024-03-05,INR\r\n"  # line 3: unknown dealer
    + 'City Medicos,=HYPERLINK("http://x"),7.00,2,2024-03-06,INR\r\n'  # line 4: a formula, kept as text
    + "D-1,SKU-4,1.00,2,03/07/2024,INR\r\n"  # line 5: not an ISO date
).encode()


def imported_rows(ctx, upload_id):
    from sqlalchemy import text

    from models.core.db import tenant_session

    with tenant_session(ctx) as session:
        query = text(
            "select source_row, dealer, sku, unit_price, qty, currency, sold_on from import_sample_rows"
            " where upload_id = :u order by source_row"
        )
        return [tuple(r) for r in session.execute(query, {"u": upload_id})]


def audit_actions(ctx, entity_id) -> list[str]:
    from sqlalchemy import text

    from models.core.db import tenant_session

    with tenant_session(ctx) as session:
        query = text("select action from audit_events where entity_id::text = :e order by seq")
        return list(session.execute(query, {"e": str(entity_id)}).scalars())


def test_clean_file_end_to_end(clients):
    ops, tenant = clients["ops"], clients["tenant"]
    upload_id = upload(ops, CLEAN)

    suggested = ops.get(f"/api/v1/uploads/{upload_id}/suggestions").json()
    assert {s["target"]: s["column"] for s in suggested["suggestions"]} == MAPPING
    assert all(0 < s["score"] <= 1 for s in suggested["suggestions"])
    preview = ops.get(f"/api/v1/uploads/{upload_id}/preview").json()
    assert [(c["name"], c["kind"]) for c in preview["columns"]] == [
        ("Customer", "text"),
        ("Item code", "code"),
        ("Net price", "decimal"),
        ("Qty", "integer"),
        ("Invoice date", "date"),
        ("Currency", "currency"),
    ]
    assert [r["line"] for r in preview["rows"]] == [2, 3, 4]

    report = map_and_validate(ops, tenant, upload_id)
    assert report["import"]["status"] == "valid"
    assert report["items"] == []
    assert report["import"]["counts"]["rows_total"] == 3

    started = ops.post(f"/api/v1/uploads/{upload_id}/import", json={"valid_rows_only": False})
    assert started.status_code == 202, started.text
    run_job(tenant, started.json()["job_id"])

    status = ops.get(f"/api/v1/uploads/{upload_id}").json()["import"]
    assert (status["status"], status["counts"]["inserted"], status["counts"]["skipped"]) == ("imported", 3, 0)
    assert len(status["sha256"]) == 64
    assert imported_rows(tenant.ctx(), upload_id) == [
        (2, "Metro Pharma Retail", "SKU-1", Decimal("12.5000000000"), 3, "INR", date(2024, 3, 4)),
        (3, "City Medicos", "SKU-2", Decimal("0.0000000001"), 1, "INR", date(2024, 3, 5)),
        (4, "D-1", "SKU-3", Decimal("99.0000000000"), 12, None, date(2024, 3, 6)),
    ]
    import_id = status["id"]
    # the changes (create, mapping, job, checked, merged) and each decision (map, validate, pass, ...)
    assert audit_actions(tenant.ctx(), import_id) == [
        "import.create",
        "import.mapping",
        "import.map",
        "import.validate",
        "import.job",
        "import.checked",
        "import.pass",
        "import.import",
        "import.job",
        "import.merged",
        "import.complete",
    ]

    # an imported file is final: neither a second import nor a new mapping changes anything
    ctx = tenant.ctx()
    with unchanged(lambda: trail(ctx, import_id), lambda: rows(ctx, "import_sample_rows")):
        again = ops.post(f"/api/v1/uploads/{upload_id}/import", json={"valid_rows_only": True})
        assert api_error(again, 409, "conflict")["fields"] == {"upload_id": "already imported"}
        remap = ops.post(f"/api/v1/uploads/{upload_id}/map", json=MAPPING)
        api_error(remap, 409, "conflict")


def test_problems_are_reported_with_hints_and_only_valid_rows_import_on_request(clients):
    ops, tenant = clients["ops"], clients["tenant"]
    upload_id = upload(ops, BAD)
    report = map_and_validate(ops, tenant, upload_id)
    assert report["import"]["status"] == "invalid"
    assert [(i["row"], i["column"], i["value"], i["message"], i["hint"]) for i in report["items"]] == [
        (
            2,
            "Net price",
            "1.234,50",
            "1.234,50 uses a comma as decimal separator",
            "write 1234.50 (a point before the decimals)",
        ),
        (3, "dealer", "Metro Pharma", "dealer 'Metro Pharma' not found", "did you mean 'Metro Pharma Retail'?"),
        (
            5,
            "Invoice date",
            "03/07/2024",
            "03/07/2024 is not an ISO date",
            "write dates as YYYY-MM-DD, e.g. 2024-03-31",
        ),
    ]
    counts = report["import"]["counts"]
    assert (counts["rows_total"], counts["rows_valid"], counts["rows_invalid"]) == (4, 1, 3)

    paged = ops.get(f"/api/v1/uploads/{upload_id}/report", params={"limit": 2}).json()
    assert [i["row"] for i in paged["items"]] == [2, 3]
    rest = ops.get(f"/api/v1/uploads/{upload_id}/report", params={"limit": 2, "cursor": paged["next_cursor"]}).json()
    assert ([i["row"] for i in rest["items"]], rest["next_cursor"]) == ([5], None)

    exported = ops.get(f"/api/v1/uploads/{upload_id}/report.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.text)))
    assert lines[0] == ["row", "column", "value", "problem", "how to fix"]
    assert lines[1] == [
        "2",
        "Net price",
        "1.234,50",
        "1.234,50 uses a comma as decimal separator",
        "write 1234.50 (a point before the decimals)",
    ]

    ctx = tenant.ctx()
    with unchanged(lambda: rows(ctx, "import_sample_rows", "upload_id = :u", u=upload_id)):
        refused = ops.post(f"/api/v1/uploads/{upload_id}/import", json={})
        assert api_error(refused, 409, "conflict")["fields"] == {"valid_rows_only": "problems remain"}

    started = ops.post(f"/api/v1/uploads/{upload_id}/import", json={"valid_rows_only": True})
    assert started.status_code == 202, started.text
    run_job(tenant, started.json()["job_id"])
    status = ops.get(f"/api/v1/uploads/{upload_id}").json()["import"]
    assert (status["status"], status["counts"]["inserted"], status["counts"]["skipped"]) == ("imported", 1, 3)
    # the formula cell is stored exactly as written, and neutralised only on export
    assert imported_rows(ctx, upload_id) == [
        (4, "City Medicos", '=HYPERLINK("http://x")', Decimal("7.0000000000"), 2, "INR", date(2024, 3, 6))
    ]


def test_a_saved_preset_is_applied_when_headers_match(clients):
    ops, tenant = clients["ops"], clients["tenant"]
    first = upload(ops, CLEAN)
    custom = {**MAPPING, "dealer": "Item code", "sku": "Customer"}  # deliberately unlike the suggestions
    res = ops.post(f"/api/v1/uploads/{first}/map", params={"preset": "ERP export"}, json=custom)
    assert res.status_code == 200, res.text
    run_job(tenant, res.json()["job_id"])
    # same columns in another order and case: the preset's mapping comes back as the suggestion
    shuffled = "qty,CUSTOMER,Item Code,Net price,Invoice date,Currency\r\n3,D-1,SKU-1,1.00,2024-01-02,EUR\r\n"
    second = upload(ops, shuffled.encode())
    suggested = ops.get(f"/api/v1/uploads/{second}/suggestions").json()
    assert suggested["preset"] == "ERP export"


def test_mapping_errors_name_each_field(clients):
    ops = clients["ops"]
    upload_id = upload(ops, CLEAN)
    res = ops.post(f"/api/v1/uploads/{upload_id}/map", json={"dealer": "Nope", "price": "Net price", "sku": 7})
    fields = api_error(res, 422, "validation_error")["fields"]
    assert fields == {"sku": "give the source column's header as text"}
    res = ops.post(f"/api/v1/uploads/{upload_id}/map", json={"dealer": "Nope", "price": "Net price"})
    fields = api_error(res, 422, "validation_error")["fields"]
    assert fields["dealer"] == "the file has no column 'Nope'"
    assert fields["price"].startswith(f"{TARGET} has no field 'price'")
    assert fields["unit_price"] == "Unit price is required: choose the column that holds it"
    assert ops.get(f"/api/v1/uploads/{upload_id}").json().get("import") is None


def test_an_xlsx_workbook_imports_like_a_csv(clients):
    from openpyxl import Workbook

    ops, tenant = clients["ops"], clients["tenant"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(MAPPING.values()))
    sheet.append(["Metro Pharma Retail", "SKU-X", 12.5, 3, date(2024, 3, 4), "INR"])
    sheet.append(["City Medicos", "SKU-Y", 0.1, 1, date(2024, 3, 5), "EUR"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload_id = upload(ops, buffer.getvalue(), name="sales.xlsx")
    assert ops.get(f"/api/v1/uploads/{upload_id}/suggestions").json()["header"] == list(MAPPING.values())
    report = map_and_validate(ops, tenant, upload_id)
    assert (report["import"]["status"], report["items"]) == ("valid", [])
    started = ops.post(f"/api/v1/uploads/{upload_id}/import", json={"valid_rows_only": False})
    run_job(tenant, started.json()["job_id"])
    assert imported_rows(tenant.ctx(), upload_id) == [
        (2, "Metro Pharma Retail", "SKU-X", Decimal("12.5000000000"), 3, "INR", date(2024, 3, 4)),
        (3, "City Medicos", "SKU-Y", Decimal("0.1000000000"), 1, "EUR", date(2024, 3, 5)),
    ]


def test_the_sheet_of_a_workbook_is_chosen_at_mapping_and_read_by_both_jobs(clients):
    from openpyxl import Workbook

    ops, tenant = clients["ops"], clients["tenant"]
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Read me"
    notes.append(["This export was made on Monday"])
    sales = book.create_sheet("Sales March")
    sales.append(list(MAPPING.values()))
    sales.append(["Metro Pharma Retail", "SKU-S", 7, 2, date(2024, 3, 9), "INR"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload_id = upload(ops, buffer.getvalue(), name="two-sheets.xlsx")

    first = ops.get(f"/api/v1/uploads/{upload_id}/preview").json()
    assert (first["sheets"], first["sheet"]) == (["Read me", "Sales March"], "Read me")
    chosen = ops.get(f"/api/v1/uploads/{upload_id}/preview", params={"sheet": "Sales March"}).json()
    assert chosen["sheet"] == "Sales March" and chosen["rows"][0]["cells"][1] == "SKU-S"
    suggested = ops.get(f"/api/v1/uploads/{upload_id}/suggestions", params={"sheet": "Sales March"}).json()
    assert suggested["header"] == list(MAPPING.values())
    missing = ops.get(f"/api/v1/uploads/{upload_id}/preview", params={"sheet": "Nope"})
    assert api_error(missing, 422, "validation_error")["fields"] == {
        "sheet": "the workbook has no sheet 'Nope' (its sheets: 'Read me', 'Sales March')"
    }

    res = ops.post(f"/api/v1/uploads/{upload_id}/map", params={"sheet": "Sales March"}, json=MAPPING)
    assert res.status_code == 200 and res.json()["sheet"] == "Sales March", res.text
    run_job(tenant, res.json()["job_id"])
    # the sheet chosen at mapping is what later reads show by default
    assert ops.get(f"/api/v1/uploads/{upload_id}/preview").json()["sheet"] == "Sales March"
    started = ops.post(f"/api/v1/uploads/{upload_id}/import", json={})
    assert started.status_code == 202, started.text
    run_job(tenant, started.json()["job_id"])
    assert imported_rows(tenant.ctx(), upload_id) == [
        (2, "Metro Pharma Retail", "SKU-S", Decimal("7.0000000000"), 2, "INR", date(2024, 3, 9))
    ]


def test_a_csv_has_no_sheets(clients):
    upload_id = upload(clients["ops"], CLEAN)
    res = clients["ops"].get(f"/api/v1/uploads/{upload_id}/preview", params={"sheet": "Sheet1"})
    assert api_error(res, 422, "validation_error")["fields"] == {
        "sheet": "a CSV file has no sheets: leave the sheet out"
    }
    assert clients["ops"].get(f"/api/v1/uploads/{upload_id}/preview").json()["sheets"] == []


def test_a_cancelled_validation_can_be_mapped_again(clients):
    ops, tenant = clients["ops"], clients["tenant"]
    upload_id = upload(ops, CLEAN)
    first = ops.post(f"/api/v1/uploads/{upload_id}/map", json=MAPPING).json()
    busy = ops.post(f"/api/v1/uploads/{upload_id}/map", json=MAPPING)
    assert api_error(busy, 409, "conflict")["fields"] == {"upload_id": "validating"}
    assert ops.post(f"/api/jobs/{first['job_id']}/cancel", json={}).status_code == 200
    again = ops.post(f"/api/v1/uploads/{upload_id}/map", json=MAPPING)
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["job_id"] != first["job_id"]) == ("validating", True)
    run_job(tenant, again.json()["job_id"])
    assert ops.get(f"/api/v1/uploads/{upload_id}/report").json()["import"]["status"] == "valid"


def test_the_report_download_neutralises_formulas(clients):
    ops, tenant = clients["ops"], clients["tenant"]
    body = (
        HEADER
        + '"=HYPERLINK(""http://x"",""y"")",SKU-1,1.00,1,2024-03-04,INR\r\n@SUM(A1),SKU-2,1.00,1,2024-03-04,INR\r\n'
    )
    upload_id = upload(ops, body.encode())
    report = map_and_validate(ops, tenant, upload_id)
    assert [i["value"] for i in report["items"]] == ['=HYPERLINK("http://x","y")', "@SUM(A1)"]  # kept as written
    lines = list(csv.reader(io.StringIO(ops.get(f"/api/v1/uploads/{upload_id}/report.csv").text)))
    assert [line[2] for line in lines[1:]] == ['\'=HYPERLINK("http://x","y")', "'@SUM(A1)"]
    assert [line[3] for line in lines[1:]] == [
        'dealer \'=HYPERLINK("http://x","y")\' not found',  # in quotes, after "dealer": no trigger
        "dealer '@SUM(A1)' not found",
    ]


def test_a_target_no_module_can_merge_fails_with_its_reason(clients):
    ops, tenant = clients["ops"], clients["tenant"]
    body = "Employee ID,First name,Last name,Hire date,Base salary\r\nE1,Ann,Ray,2020-01-02,50000.00\r\n"
    upload_id = upload(ops, body.encode(), target="tests.employees")  # declared, but no loader
    mapping = {
        "employee_ref": "Employee ID",
        "first_name": "First name",
        "last_name": "Last name",
        "hire_date": "Hire date",
        "base_salary": "Base salary",
    }
    report = map_and_validate(ops, tenant, upload_id, mapping)
    assert (report["import"]["status"], report["import"]["error"]) == (
        "failed",
        "no module imports 'tests.employees' rows yet",
    )
