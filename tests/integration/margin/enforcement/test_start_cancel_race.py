"""Cancel racing start on an enforcement batch (issue 17, item 1), through the REST API with two real
runners working the batch's job at the same time.

Each run: a draft batch, 10 `start` and 10 `cancel` requests released together by a barrier, two
worker threads running the job as soon as it exists. Asserted per run: no 5xx; at most one start
and one cancel answered 200, every other request 409; the batch ends cancelled or completed, in
line with who won; and — the cancel guarantee — no effect of the batch committed after the cancel.
"After" is measured by the tenant's audit chain: its advisory lock is held from a transaction's
first append to its commit, so the chain's `seq` is the commit order of the transactions that
audit. Every chunk that records notices appends `margin_batch.enforce_chunk`; the cancel appends
`margin_batch.cancel`: each chunk's seq must be below the cancel's, and the notices recorded must
be exactly those of the items done before it.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text

from models.core.db import tenant_session
from models.margin import enforcement
from tests.integration.margin.conftest import MarginTenant, build
from tests.integration.margin.enforcement.conftest import make_batch
from tests.support.api_clients import create_test_api
from tests.support.env import settings_env

RUNS = 20
EACH = 10  # starts, and as many cancels
WAIT = 30.0  # upper bound of every wait; none is a timing assertion


@pytest.fixture(scope="module", autouse=True)
def _script_budgets():
    """400 writes of one user in well under a minute: a script, so it gets a script's budget
    (docs/security.md, write budgets)."""
    with settings_env() as configure:
        configure(PHAROS_WRITE_LIMIT_USER="100000/minute", PHAROS_WRITE_LIMIT_TENANT="100000/minute")
        yield


@pytest.fixture(scope="module")
def tenant() -> MarginTenant:
    return build("race")


@pytest.fixture(scope="module")
def clients(tenant: MarginTenant):
    """2 × EACH TestClients of the owner (one per thread, one login)."""
    from fastapi.testclient import TestClient

    api = create_test_api()
    first = TestClient(api, raise_server_exceptions=False)
    res = first.post("/api/auth/login", json={"email": tenant.tenant.owner_email, "password": tenant.tenant.password})
    assert res.status_code == 200, res.text
    made = []
    for _ in range(2 * EACH):
        client = TestClient(api, raise_server_exceptions=False)
        client.headers["Authorization"] = f"Bearer {res.json()['token']}"
        made.append(client)
    return made


class Workers:
    """Runner threads: each runs the batch's job (the real `run_job_sync`, one item per chunk)
    once it exists, until `done` is set and the job is no longer open. `working` is set once a
    runner has claimed an item (a chunk is in flight or done) or the batch closed without one."""

    def __init__(self, tenant: MarginTenant, batch_id: uuid.UUID, runners: int):
        self.ctx, self.batch_id = tenant.ctx(), batch_id
        self.done = threading.Event()
        self.working = threading.Event()
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(runners)]
        self.threads.append(threading.Thread(target=self._watch, daemon=True))

    def _state(self) -> tuple[uuid.UUID | None, str, str, bool]:
        """(job id, job status, batch status, an item was claimed)"""
        with tenant_session(self.ctx) as s:
            row = s.execute(
                text(
                    "select b.status, b.job_id, j.status as job_status, exists(select 1 from job_items i "
                    "where i.job_id = j.id and i.status <> 'pending') as claimed "
                    "from margin_enforcement_batches b left join jobs j on j.id = b.job_id where b.id = :b"
                ),
                {"b": self.batch_id},
            ).one()
        return row.job_id, row.job_status or "", row.status, bool(row.claimed)

    def _run(self) -> None:
        from models.jobs.runner import run_job_sync

        try:
            while True:
                job_id, job_status, _, _ = self._state()
                if job_id is not None and job_status in ("queued", "running"):
                    run_job_sync(self.ctx.tenant_id, job_id, chunk_size=1)
                elif self.done.is_set():
                    return
                else:
                    self.done.wait(0.01)  # polling for the job to appear, not a proof of anything
        except BaseException as exc:  # noqa: BLE001 — reported by the test
            self.errors.append(exc)
            self.working.set()

    def _watch(self) -> None:
        while not self.working.is_set() and not self.done.is_set():
            _, _, batch_status, claimed = self._state()
            if claimed or batch_status in ("cancelled", "completed", "failed"):
                self.working.set()
            else:
                self.done.wait(0.005)

    def __enter__(self) -> Workers:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        for t in self.threads:
            t.join(WAIT)
        assert not any(t.is_alive() for t in self.threads), "a runner did not finish"


def _race(clients, batch_id: uuid.UUID, workers: Workers, *, late: bool) -> list[tuple[str, int, str]]:
    """EACH starts and EACH cancels; (kind, status code, body) per request. All at once, or with
    `late` the cancels once a runner is working on the job (so they meet chunks in flight)."""
    barrier = threading.Barrier(2 * EACH)
    out: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def call(client, kind: str) -> None:
        barrier.wait(WAIT)
        if late and kind == "cancel":
            workers.working.wait(WAIT)
        body = {"reason": "race"} if kind == "cancel" else None
        res = client.post(f"/api/enforcement/batches/{batch_id}/{kind}", json=body)
        with lock:
            out.append((kind, res.status_code, res.text))

    threads = [
        threading.Thread(target=call, args=(client, "start" if i % 2 == 0 else "cancel"), daemon=True)
        for i, client in enumerate(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert len(out) == 2 * EACH, "a request did not finish"
    return out


def _chain_facts(ctx, batch_id: uuid.UUID, job_id: uuid.UUID | None) -> dict:
    """Audit seqs of the batch's cancel and of its chunks, the notices recorded, the items done."""
    with tenant_session(ctx) as s:
        rows = s.execute(
            text(
                "select seq, action, after from audit_events where tenant_id = :t and entity_id = :b "
                "and action in ('margin_batch.cancel', 'margin_batch.enforce_chunk') order by seq"
            ),
            {"t": ctx.tenant_id, "b": str(batch_id)},
        ).all()
        notices = (
            s.execute(
                text("select id from margin_enforcement_notices where tenant_id = :t and batch_id = :b"),
                {"t": ctx.tenant_id, "b": batch_id},
            )
            .scalars()
            .all()
        )
        done = (
            s.execute(
                text("select count(*) from job_items where tenant_id = :t and job_id = :j and status = 'done'"),
                {"t": ctx.tenant_id, "j": job_id},
            ).scalar()
            if job_id
            else 0
        )
    cancel = [r.seq for r in rows if r.action == "margin_batch.cancel"]
    chunks = [r for r in rows if r.action == "margin_batch.enforce_chunk"]
    return {
        "cancel_seq": cancel,
        "chunk_seqs": [r.seq for r in chunks],
        "chunk_notices": sorted(n for r in chunks for n in r.after.get("notices_created", [])),
        "notices": sorted(str(n) for n in notices),
        "done": int(done),
    }


def test_cancel_racing_start_is_final_and_never_a_500(tenant, clients):
    from models.core.audit import verify_tenant_chain

    ctx = tenant.ctx()
    seen = {"cancelled_before_start": 0, "cancelled_after_start": 0, "completed": 0, "sent_before_cancel": 0}
    for run in range(RUNS):
        batch_id = make_batch(tenant, "request_price_correction", start=False)
        late = run % 2 == 1  # late runs: one runner, so a cancel meets its chunks one by one
        with Workers(tenant, batch_id, runners=1 if late else 2) as workers:
            answers = _race(clients, batch_id, workers, late=late)
        assert not workers.errors, f"run {run}: a runner raised {workers.errors[0]!r}"
        # 200 or a refused transition; never a 5xx, nor a deadlock victim (409 concurrent_update)
        bad = [a for a in answers if a[1] not in (200, 409) or (a[1] == 409 and "invalid_transition" not in a[2])]
        assert not bad, f"run {run}: {bad}"
        ok = {kind: sum(1 for k, code, _ in answers if k == kind and code == 200) for kind in ("start", "cancel")}
        assert ok["start"] <= 1 and ok["cancel"] <= 1, (run, ok)
        with tenant_session(ctx) as s:
            batch = enforcement.get_batch(s, ctx, batch_id)
            job_status = (
                s.execute(text("select status from jobs where id = :j"), {"j": batch.job_id}).scalar()
                if batch.job_id
                else None
            )
        facts = _chain_facts(ctx, batch_id, batch.job_id)
        assert facts["notices"] == facts["chunk_notices"], (run, facts)  # every notice is in a chunk's event
        if ok["cancel"]:
            assert batch.status == "cancelled", (run, batch.status)
            assert job_status in (None, "cancelled"), (run, job_status)
            assert len(facts["cancel_seq"]) == 1, (run, facts)
            # the guarantee: every chunk that sent committed before the cancel did
            assert all(seq < facts["cancel_seq"][0] for seq in facts["chunk_seqs"]), (run, facts)
            assert len(facts["notices"]) == facts["done"], (run, facts)
            key = "cancelled_after_start" if ok["start"] else "cancelled_before_start"
            seen[key] += 1
            seen["sent_before_cancel"] += len(facts["notices"])
        else:  # the batch ran to its end before any cancel: every cancel was refused
            assert (ok["start"], batch.status, job_status) == (1, "completed", "completed"), (run, answers)
            assert facts["cancel_seq"] == [] and len(facts["notices"]) == facts["done"] == batch.item_count
            seen["completed"] += 1
        if not ok["start"]:
            assert batch.job_id is None, run
    with tenant_session(ctx) as s:
        assert verify_tenant_chain(s, ctx.tenant_id) is None
    assert sum(v for k, v in seen.items() if k != "sent_before_cancel") == RUNS, seen
