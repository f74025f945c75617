"""The S3 adapter against a real S3-compatible HTTP endpoint (moto's server on 127.0.0.1, started
here): uploads in one request and resumably across part boundaries, the bytes read back through
`local_copy`, cancel removing every object and half-finished multipart upload."""

from __future__ import annotations

import hashlib
import os

import pytest

from tests.integration.uploads.conftest import TARGET
from tests.support.env import settings_env
from tests.support.live_api import free_port

MIB = 1024 * 1024
BUCKET = "pharos-uploads-test"
OFFSET_TYPE = "application/offset+octet-stream"


@pytest.fixture(scope="module")
def s3(data_dir):
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    client.create_bucket(Bucket=BUCKET)
    try:
        with settings_env() as configure:
            configure(
                PHAROS_UPLOAD_STORAGE="s3",
                PHAROS_S3_BUCKET=BUCKET,
                PHAROS_S3_ENDPOINT_URL=endpoint,
                PHAROS_S3_ACCESS_KEY_ID="k",
                PHAROS_S3_SECRET_ACCESS_KEY="s",
                PHAROS_S3_PREFIX="tenants",
            )
            yield client
    finally:
        server.stop()


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def open_multipart(client) -> list[str]:
    return sorted(u["Key"] for u in client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []))


def read_back(ctx, upload_id) -> bytes:
    from models.uploads.queries import local_copy

    with local_copy(ctx, upload_id) as path:
        return path.read_bytes()


def test_one_request_upload_goes_to_the_bucket_in_parts(s3, clients):
    data = os.urandom(19 * MIB + 5)  # two full parts and a short last one
    res = clients["ops"].post(
        "/api/v1/uploads", data={"target": TARGET}, files={"file": ("sales.csv", data, "text/csv")}
    )
    assert res.status_code == 201, res.text
    upload_id = res.json()["upload_id"]
    tenant = clients["tenant"]
    key = f"tenants/{tenant.tenant_id}/{upload_id}"
    assert key in keys(s3)
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] == len(data)
    detail = clients["ops"].get(f"/api/v1/uploads/{upload_id}").json()
    assert (detail["status"], detail["sha256"]) == ("stored", hashlib.sha256(data).hexdigest())
    assert read_back(tenant.ctx(), upload_id) == data
    assert open_multipart(s3) == []


def test_resumable_upload_across_part_boundaries(s3, clients):
    data = os.urandom(17 * MIB + 12345)
    cuts = [0, 3 * MIB, 3 * MIB + 1, 12 * MIB + 7, len(data)]  # tails parked and picked up again
    res = clients["ops"].post(
        "/api/v1/uploads", json={"target": TARGET, "filename": "r.csv"}, headers={"Upload-Length": str(len(data))}
    )
    upload_id = res.json()["upload_id"]
    for start, end in zip(cuts, cuts[1:], strict=False):
        head = clients["ops"].head(f"/api/v1/uploads/{upload_id}")
        assert head.headers["Upload-Offset"] == str(start)
        res = clients["ops"].patch(
            f"/api/v1/uploads/{upload_id}",
            content=data[start:end],
            headers={"Upload-Offset": str(start), "Content-Type": OFFSET_TYPE},
        )
        assert res.status_code == 200, res.text
        assert res.json()["received"] == end
    assert res.json()["status"] == "stored"
    detail = clients["ops"].get(f"/api/v1/uploads/{upload_id}").json()
    assert detail["sha256"] == hashlib.sha256(data).hexdigest()
    tenant = clients["tenant"]
    assert read_back(tenant.ctx(), upload_id) == data
    assert [k for k in keys(s3) if upload_id in k] == [f"tenants/{tenant.tenant_id}/{upload_id}"]


def test_cancel_leaves_no_object_and_no_open_multipart_upload(s3, clients):
    res = clients["ops"].post("/api/v1/uploads", json={"target": TARGET}, headers={"Upload-Length": str(20 * MIB)})
    upload_id = res.json()["upload_id"]
    res = clients["ops"].patch(
        f"/api/v1/uploads/{upload_id}",
        content=os.urandom(9 * MIB),
        headers={"Upload-Offset": "0", "Content-Type": OFFSET_TYPE},
    )
    assert res.json()["received"] == 9 * MIB
    assert [k for k in keys(s3) if upload_id in k] == [f"tenants/{clients['tenant'].tenant_id}/{upload_id}.tail"]
    assert any(upload_id in k for k in open_multipart(s3))
    res = clients["ops"].delete(f"/api/v1/uploads/{upload_id}")
    assert res.json()["status"] == "failed"
    assert [k for k in keys(s3) if upload_id in k] == []
    assert [k for k in open_multipart(s3) if upload_id in k] == []
