"""Job endpoints: progress, cancel, SSE; 403 by role and 404 across tenants."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient

from models.core.db import tenant_session
from models.jobs import repo
from tests.support.users import PASSWORD, add_user


@pytest.fixture(scope="module")
def client(api):
    return TestClient(api, raise_server_exceptions=False)


def token_for(client, tenant, role):
    email = add_user(tenant, role)
    return {
        "Authorization": "Bearer "
        + client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()["token"]
    }


@pytest.fixture
def job_a(tenant_a):
    ctx = tenant_a.ctx()
    with tenant_session(ctx) as session:
        job = repo.create_job(session, ctx, "sample", {}, [(f"k-{uuid.uuid4()}", {"n": i}) for i in range(3)])
    return job.id


def test_progress_of_own_job(client, tenant_a, job_a):
    body = client.get(f"/api/jobs/{job_a}", headers=token_for(client, tenant_a, "viewer")).json()
    assert body["job_id"] == str(job_a)
    assert body["total"] == 3 and body["status"] == "queued" and body["recent"] == []


def test_other_tenants_job_is_404_everywhere(client, tenant_b, job_a):
    headers = token_for(client, tenant_b, "owner")
    assert client.get(f"/api/jobs/{job_a}", headers=headers).status_code == 404
    assert client.post(f"/api/jobs/{job_a}/cancel", json={}, headers=headers).status_code == 404
    assert client.get(f"/api/jobs/{job_a}/stream", headers=headers).status_code == 404


def test_cancel_needs_permission_then_works_and_stream_ends(client, tenant_a, job_a):
    assert (
        client.post(f"/api/jobs/{job_a}/cancel", json={}, headers=token_for(client, tenant_a, "sales")).status_code
        == 403
    )
    ops = token_for(client, tenant_a, "ops")
    cancelled = client.post(f"/api/jobs/{job_a}/cancel", json={"reason": "wrong list"}, headers=ops).json()
    assert cancelled["status"] == "cancelled"
    with client.stream("GET", f"/api/jobs/{job_a}/stream", headers=ops) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        frames = [line for line in response.iter_lines() if line.startswith(("event:", "data:"))]
    events = [f.split(": ", 1)[1] for f in frames if f.startswith("event:")]
    assert events == ["progress", "end"]
    last = json.loads([f for f in frames if f.startswith("data:")][-1].split(": ", 1)[1])
    assert last["status"] == "cancelled"


def test_bad_job_id_is_a_validation_error(client, tenant_a):
    response = client.get("/api/jobs/not-a-uuid", headers=token_for(client, tenant_a, "owner"))
    assert response.status_code == 422 and "job_id" in response.json()["error"]["fields"]
