"""POST /api/v1/uploads in one request and resumably (tus style), GET, HEAD, PATCH, DELETE: bytes
land in storage under the tenant and upload id, hashed; refusals leave nothing behind."""

from __future__ import annotations

import hashlib
import json
import uuid

from tests.integration.uploads.conftest import TARGET, audit_actions, stored_files
from tests.support.api_clients import api_error
from tests.support.effects import rows

OFFSET_TYPE = "application/offset+octet-stream"


def one_shot(client, data: bytes, *, target=TARGET, meta=None, name="sales.csv"):
    fields = {"target": target} if target is not None else {}
    if meta is not None:
        fields["meta"] = meta
    return client.post("/api/v1/uploads", data=fields, files={"file": (name, data, "text/csv")})


def resumable(client, length: int, *, target=TARGET, **extra):
    return client.post(
        "/api/v1/uploads",
        json={"target": target, "filename": "big.csv", **extra},
        headers={"Upload-Length": str(length)},
    )


def patch(client, upload_id, offset: int, data: bytes):
    return client.patch(
        f"/api/v1/uploads/{upload_id}",
        content=data,
        headers={"Upload-Offset": str(offset), "Content-Type": OFFSET_TYPE},
    )


def test_one_shot_upload_is_stored_hashed_and_audited(clients, data_dir):
    data = b"code,amount\n" + b"A-1,12.50\n" * 50_000
    res = one_shot(clients["ops"], data, meta=json.dumps({"plan_id": "p-7"}), name="../../etc/sales.csv")
    assert res.status_code == 201, res.text
    upload_id = res.json()["upload_id"]
    detail = clients["ops"].get(f"/api/v1/uploads/{upload_id}").json()
    assert {k: detail[k] for k in ("status", "purpose", "filename", "size", "received", "sha256", "meta")} == {
        "status": "stored",
        "purpose": TARGET,
        "filename": "sales.csv",
        "size": len(data),
        "received": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "meta": {"plan_id": "p-7"},
    }
    tenant = clients["tenant"]
    path = data_dir / "uploads" / str(tenant.tenant_id) / upload_id
    assert path.read_bytes() == data
    assert audit_actions(tenant.ctx(), upload_id) == ["upload.create", "upload.receive", "upload.store"]


def test_resumable_upload_in_two_patches(clients):
    data = bytes(range(256)) * 4000
    res = resumable(clients["ops"], len(data), meta={"plan_id": "x"})
    assert res.status_code == 201, res.text
    upload_id = res.json()["upload_id"]
    assert res.headers["Location"] == f"/api/v1/uploads/{upload_id}"
    assert res.json() == {"upload_id": upload_id, "status": "receiving", "received": 0}
    first = patch(clients["ops"], upload_id, 0, data[:300_000])
    assert first.status_code == 200, first.text
    assert first.headers["Upload-Offset"] == "300000"
    head = clients["ops"].head(f"/api/v1/uploads/{upload_id}")
    assert (head.status_code, head.headers["Upload-Offset"], head.headers["Upload-Length"]) == (
        200,
        "300000",
        str(len(data)),
    )
    wrong = patch(clients["ops"], upload_id, 12, data[12:])
    assert api_error(wrong, 409, "conflict")["fields"] == {"Upload-Offset": "expected 300000"}
    last = patch(clients["ops"], upload_id, 300_000, data[300_000:])
    assert last.json() == {"upload_id": upload_id, "status": "stored", "received": len(data)}
    detail = clients["ops"].get(f"/api/v1/uploads/{upload_id}").json()
    assert (detail["status"], detail["sha256"]) == ("stored", hashlib.sha256(data).hexdigest())
    again = patch(clients["ops"], upload_id, len(data), b"x")
    assert api_error(again, 409, "conflict")["fields"] == {"Upload-Offset": "stored"}


def test_unknown_target_is_a_422_naming_target_and_stores_nothing(clients, data_dir):
    before = stored_files(data_dir)
    body = api_error(one_shot(clients["ops"], b"a,b\n1,2\n", target="nope.rows"), 422, "validation_error")
    assert body["fields"] == {"target": "unknown target"}
    body = api_error(resumable(clients["ops"], 10, target="nope.rows"), 422, "validation_error")
    assert body["fields"] == {"target": "unknown target"}
    assert stored_files(data_dir) == before


def test_another_tenant_gets_404_and_roles_without_the_permission_403(clients, data_dir):
    res = one_shot(clients["ops"], b"a\n1\n")
    upload_id = res.json()["upload_id"]
    for method in ("get", "head", "delete"):
        res = getattr(clients["b_owner"], method)(f"/api/v1/uploads/{upload_id}")
        assert res.status_code == 404, (method, res.text)
    api_error(patch(clients["b_owner"], upload_id, 0, b"x"), 404, "not_found")
    api_error(clients["ops"].get(f"/api/v1/uploads/{uuid.uuid4()}"), 404, "not_found")
    before = stored_files(data_dir)
    for role in ("viewer", "sales"):
        api_error(one_shot(clients[role], b"a\n1\n"), 403, "forbidden")
        api_error(resumable(clients[role], 4), 403, "forbidden")
        api_error(clients[role].get(f"/api/v1/uploads/{upload_id}"), 403, "forbidden")
    assert stored_files(data_dir) == before


def test_cancel_removes_the_bytes_and_fails_the_upload(clients, data_dir):
    res = resumable(clients["ops"], 1000)
    upload_id = res.json()["upload_id"]
    patch(clients["ops"], upload_id, 0, b"x" * 400)
    path = data_dir / "uploads" / str(clients["tenant"].tenant_id) / upload_id
    assert path.stat().st_size == 400
    res = clients["ops"].delete(f"/api/v1/uploads/{upload_id}")
    assert (res.status_code, res.json()["status"]) == (200, "failed")
    assert not path.exists()
    api_error(patch(clients["ops"], upload_id, 400, b"y"), 409, "conflict")


def test_bad_forms_are_422s_naming_the_field_and_keep_nothing(clients, data_dir):
    tenant = clients["tenant"]
    before = (stored_files(data_dir), rows(tenant.ctx(), "uploads"))
    ops = clients["ops"]
    cases = [
        (one_shot(ops, b"a\n1\n", meta="[1, 2]"), {"meta": "not an object"}),
        (one_shot(ops, b"a\n1\n", meta="{nope"), {"meta": "not JSON"}),
        (one_shot(ops, b"a\n1\n", target=None), {"target": "required"}),
        (ops.post("/api/v1/uploads", data={"target": TARGET}), {"file": "required"}),
        (ops.post("/api/v1/uploads", json={"target": TARGET}), {"file": "required"}),
        (resumable(ops, 10, meta="x"), {"meta": "Input should be an object"}),
    ]
    # the target after the file: the file is received, then refused and removed
    boundary = "b0undary"
    late = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        f"{'x' * 5000}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="target"\r\n\r\nnope.rows\r\n--{boundary}--\r\n'
    ).encode()
    form = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    cases.append((ops.post("/api/v1/uploads", content=late, headers=form), {"target": "unknown target"}))
    cut = late.replace(b"nope.rows", TARGET.encode())[:-30]  # no closing boundary: the file may be cut
    cases.append((ops.post("/api/v1/uploads", content=cut, headers=form), {"file": "malformed"}))
    for res, fields in cases:
        assert api_error(res, 422, "validation_error")["fields"] == fields
    assert (stored_files(data_dir), rows(tenant.ctx(), "uploads")) == before


def test_patch_needs_the_offset_content_type(clients):
    upload_id = resumable(clients["ops"], 3).json()["upload_id"]
    res = clients["ops"].patch(
        f"/api/v1/uploads/{upload_id}", content=b"abc", headers={"Upload-Offset": "0", "Content-Type": "text/plain"}
    )
    assert api_error(res, 422, "validation_error")["fields"] == {"Content-Type": f"must be {OFFSET_TYPE}"}
    assert clients["ops"].head(f"/api/v1/uploads/{upload_id}").headers["Upload-Offset"] == "0"


def test_an_empty_resumable_upload_is_stored_at_once(clients):
    res = resumable(clients["ops"], 0)
    assert res.json()["status"] == "stored"
    detail = clients["ops"].get(f"/api/v1/uploads/{res.json()['upload_id']}").json()
    assert (detail["received"], detail["sha256"]) == (0, hashlib.sha256(b"").hexdigest())


def test_a_second_patch_while_one_is_running_is_refused_busy(clients):
    from models.uploads.actions import open_append

    upload_id = resumable(clients["ops"], 6).json()["upload_id"]
    running = open_append(clients["tenant"].ctx(), uuid.UUID(upload_id), 0)  # holds the upload's lock
    try:
        running.write(b"abc")
        body = api_error(patch(clients["ops"], upload_id, 0, b"xyz"), 409, "conflict")
        assert body["fields"] == {"Upload-Offset": "busy"}
    finally:
        assert running.close().size_received == 3
    res = patch(clients["ops"], upload_id, 3, b"def")
    assert res.json() == {"upload_id": upload_id, "status": "stored", "received": 6}
    detail = clients["ops"].get(f"/api/v1/uploads/{upload_id}").json()
    assert detail["sha256"] == hashlib.sha256(b"abcdef").hexdigest()
