"""`POST /api/jobs/{id}/cancel` against a running job (issue 17, item 1): 10 cancels at once while
two real runners work the job, repeated. No 5xx and no deadlock victim; exactly one cancel answers
200 and the others 409; and no effect of the job commits after the cancel.

The sample kind writes one audited `job_sample_effects` row per item. The tenant's audit chain is
appended under an advisory lock held until commit, so its `seq` is the commit order: every effect's
audit event must come before the job's `job.cancel` event, and the effects are exactly the items
marked done.
"""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from sqlalchemy import text

from models.core.db import tenant_session
from models.jobs import repo
from tests.support.api_clients import create_test_api

pytestmark = pytest.mark.usefixtures("sample_job")  # the sample kind and its effects table

RUNS = 8
CANCELS = 10
ITEMS = 200  # far more than get done before the cancels land
WAIT = 30.0  # upper bound of every wait; none is a timing assertion


@pytest.fixture(autouse=True, scope="module")
def _own_queue():
    """A queue of our own: the route enqueues nothing, but a job we create must not reach a worker
    of a concurrent run."""
    previous = os.environ.get("PHAROS_QUEUE_NAME")
    os.environ["PHAROS_QUEUE_NAME"] = f"pharos:test:{uuid.uuid4().hex[:10]}:queue"
    yield
    if previous is None:
        os.environ.pop("PHAROS_QUEUE_NAME", None)
    else:
        os.environ["PHAROS_QUEUE_NAME"] = previous


@pytest.fixture(scope="module")
def owner(tenant_module):
    from fastapi.testclient import TestClient

    api = create_test_api()
    first = TestClient(api, raise_server_exceptions=False)
    res = first.post("/api/auth/login", json={"email": tenant_module.owner_email, "password": tenant_module.password})
    assert res.status_code == 200, res.text
    clients = []
    for _ in range(CANCELS):
        client = TestClient(api, raise_server_exceptions=False)
        client.headers["Authorization"] = f"Bearer {res.json()['token']}"
        clients.append(client)
    return clients


@pytest.fixture(scope="module")
def tenant_module():
    from tests.conftest import make_tenant

    return make_tenant("jobrace")


def _claimed(ctx, job_id) -> bool:
    with tenant_session(ctx) as s:
        return bool(
            s.execute(
                text("select exists(select 1 from job_items where job_id = :j and status <> 'pending')"), {"j": job_id}
            ).scalar()
        )


def _facts(ctx, job_id) -> dict:
    with tenant_session(ctx) as s:
        cancel = (
            s.execute(
                text("select seq from audit_events where tenant_id = :t and action = 'job.cancel' and entity_id = :j"),
                {"t": ctx.tenant_id, "j": str(job_id)},
            )
            .scalars()
            .all()
        )
        effect_seqs = (
            s.execute(
                text(
                    "select a.seq from audit_events a join job_sample_effects e on a.entity_id = e.id::text "
                    "where a.tenant_id = :t and e.job_id = :j and a.action = 'job_sample_effects.create'"
                ),
                {"t": ctx.tenant_id, "j": job_id},
            )
            .scalars()
            .all()
        )
        effects = s.execute(text("select count(*) from job_sample_effects where job_id = :j"), {"j": job_id}).scalar()
        counts = repo.item_counts(s, ctx, job_id)
        status = repo.get_job(s, ctx, job_id).status
    return {"cancel": cancel, "effect_seqs": effect_seqs, "effects": effects, "counts": counts, "status": status}


def _runner(ctx, job_id, errors: list) -> None:
    from workers.runner import run_job_sync

    try:
        run_job_sync(ctx.tenant_id, job_id, chunk_size=3)
    except BaseException as exc:  # noqa: BLE001 — reported by the test
        errors.append(exc)


def _cancel(client, job_id, barrier: threading.Barrier, answers: list) -> None:
    barrier.wait(WAIT)
    res = client.post(f"/api/jobs/{job_id}/cancel", json={"reason": "race"})
    answers.append((res.status_code, res.text))  # list.append is atomic


def test_cancel_of_a_running_job_is_final_and_answers_200_once(tenant_module, owner):
    from models.core.audit import verify_tenant_chain

    ctx = tenant_module.ctx()
    for run in range(RUNS):
        with tenant_session(ctx) as s:
            job = repo.create_job(
                s,
                ctx,
                "sample",
                {"item_delay_ms": 2},
                [(f"race:{run}:{uuid.uuid4().hex[:6]}:{i}", {}) for i in range(ITEMS)],
            )
            job_id = job.id
        errors: list[BaseException] = []
        runners = [threading.Thread(target=_runner, args=(ctx, job_id, errors), daemon=True) for _ in range(2)]
        for t in runners:
            t.start()
        working = threading.Event()
        while not working.wait(0.005):  # polling for a positive signal: an item was claimed
            if _claimed(ctx, job_id) or not any(t.is_alive() for t in runners):
                working.set()
        barrier = threading.Barrier(CANCELS)
        answers: list[tuple[int, str]] = []
        callers = [threading.Thread(target=_cancel, args=(c, job_id, barrier, answers), daemon=True) for c in owner]
        for t in callers:
            t.start()
        for t in callers + runners:
            t.join(WAIT)
        assert not any(t.is_alive() for t in callers + runners), f"run {run}: a thread did not finish"
        assert not errors, f"run {run}: a runner raised {errors[0]!r}"
        codes = sorted(code for code, _ in answers)
        assert codes == [200] + [409] * (CANCELS - 1), (run, answers)
        assert all("invalid_transition" in body for code, body in answers if code == 409), (run, answers)
        facts = _facts(ctx, job_id)
        assert facts["status"] == "cancelled" and len(facts["cancel"]) == 1, (run, facts)
        assert all(seq < facts["cancel"][0] for seq in facts["effect_seqs"]), (run, facts)  # the guarantee
        assert facts["effects"] == len(facts["effect_seqs"]) == facts["counts"]["done"], (run, facts)
        assert facts["counts"]["done"] + facts["counts"]["cancelled"] == ITEMS, (run, facts)
    with tenant_session(ctx) as s:
        assert verify_tenant_chain(s, ctx.tenant_id) is None
