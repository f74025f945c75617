"""Every bad file of issue 11 is a clear 4xx naming where, never a 5xx; another tenant's upload is a
404 and a viewer gets 403, and none of them writes anything."""

from __future__ import annotations

import pytest

from tests.integration.imports.conftest import HEADER, MAPPING, upload
from tests.support.api_clients import api_error
from tests.support.effects import rows, unchanged

GOOD = (HEADER + "D-1,SKU-1,1.00,1,2024-03-04,INR\r\n").encode()
CP1252 = ("Customer,Note\r\n" + "".join(f"D{i},ok\r\n" for i in range(10)) + "D11,price \u2013 net\r\n").encode(
    "cp1252"
)

BAD_FILES = {
    "cp1252": (CP1252, "the file is not UTF-8 (byte 0x96 at line 12)", "12"),
    "nul": (b"Customer,Qty\r\n1,2\r\n3,\x004\r\n", "line 3 contains a NUL byte", "3"),
    "unmatched quote": (b'Customer,Qty\r\n1,2\r\n"3,4\r\n5,6\r\n', "line 3: a quoted field is never closed", "3"),
    "10 MB field": (b"Customer,Qty\r\n1," + b"x" * (10 * 1024 * 1024) + b"\r\n", "line 2: a field is longer than", "2"),
    "duplicate headers": (b"Customer,Qty,customer\r\n1,2,3\r\n", "column 'customer' appears twice", "1"),
    "blank header": (b"Customer,,Qty\r\n1,2,3\r\n", "column 2 has no header", "1"),
    "million columns": (
        b",".join(b"c%d" % i for i in range(1_000_000)) + b"\r\n",
        "the header has 1000000 columns",
        "1",
    ),
    "not a workbook": (b"PK\x03\x04garbage", "the file is not a readable XLSX workbook", None),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_422_naming_the_line(clients, name):
    ops = clients["ops"]
    data, message, line = BAD_FILES[name]
    upload_id = upload(ops, data)
    for path in ("preview", "suggestions"):
        error = api_error(ops.get(f"/api/v1/uploads/{upload_id}/{path}"), 422, "validation_error")
        assert error["message"].startswith(message), error
        assert error["fields"].get("line") == line
    mapped = ops.post(f"/api/v1/uploads/{upload_id}/map", json=MAPPING)
    assert api_error(mapped, 422, "validation_error")["message"].startswith(message)
    assert ops.get(f"/api/v1/uploads/{upload_id}").json()["import"] is None


def test_another_tenants_upload_is_404_and_a_viewer_403(clients):
    ops, other, viewer, sales = clients["ops"], clients["b_owner"], clients["viewer"], clients["sales"]
    upload_id = upload(ops, GOOD)
    ctx = clients["tenant"].ctx()
    calls = [
        ("get", "preview", None),
        ("get", "suggestions", None),
        ("get", "report", None),
        ("get", "report.csv", None),
        ("post", "map", MAPPING),
        ("post", "import", {"valid_rows_only": True}),
    ]
    with unchanged(lambda: rows(ctx, "imports"), lambda: rows(ctx, "audit_events")):
        for method, path, body in calls:
            url = f"/api/v1/uploads/{upload_id}/{path}"
            kwargs = {"json": body} if body is not None else {}
            api_error(getattr(other, method)(url, **kwargs), 404, "not_found")
            api_error(getattr(viewer, method)(url, **kwargs), 403, "forbidden")
            api_error(getattr(sales, method)(url, **kwargs), 403, "forbidden")


def test_import_before_mapping_and_bad_bodies_are_refused(clients):
    ops = clients["ops"]
    upload_id = upload(ops, GOOD)
    ctx = clients["tenant"].ctx()
    with unchanged(lambda: rows(ctx, "imports")):
        early = ops.post(f"/api/v1/uploads/{upload_id}/import", json={"valid_rows_only": False})
        assert api_error(early, 409, "conflict")["fields"] == {"upload_id": "not mapped"}
        not_bool = ops.post(f"/api/v1/uploads/{upload_id}/import", json={"valid_rows_only": "yes"})
        assert not_bool.status_code == 422
        not_a_mapping = ops.post(f"/api/v1/uploads/{upload_id}/map", json=["dealer", "Customer"])
        assert not_a_mapping.status_code == 422
        control = ops.post(f"/api/v1/uploads/{upload_id}/map", json={"dealer": "Cust\x00omer"})
        assert api_error(control, 422, "validation_error")["fields"] == {"dealer": "not a column header"}
