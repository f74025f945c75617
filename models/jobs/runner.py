"""The job runner: load a job under its tenant, start it, claim chunks, process them, finish.

The arq worker runs it (`run_job_sync`, in a thread); seeds and tools run a few items inline, in
their own transaction, with the same chunk code (`run_inline`), so there is one runner.

Exactly once, by construction: a chunk's handlers run in one transaction that first re-locks
and renews the worker's leases, and each item's done mark is written next to its side effects
(savepoint per item, or — for handlers that only collect per item — one mark statement for the
chunk before the collected effects are written for exactly the items it marked). A crash rolls the whole chunk back;
the leases expire; another worker
claims the items again. Leases are short (15 s by default) so that happens soon after a crash; a
long chunk renews them between items (`_renew_if_due`) so a live worker never loses one. Synchronous on purpose
(SQLAlchemy sessions); the arq task runs it in a
thread and signals `stop` on abort or shutdown.

A kind's `ChunkHooks` (models.jobs.kinds) also get the chunk as a whole: `begin` before its items
(set-based loads, in a savepoint), `undo` for an item whose effects are dropped, `end` after the
done marks with the items kept (bulk writes, one audit event), all in the chunk's transaction.
With `collects` set, its per-item calls only collect (they write nothing; `end` writes for the kept
items), so once `begin` succeeded the items need no savepoint each and their done marks are one
statement.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session

from engine.context import TenantContext
from engine.errors import NotFound
from engine.jobs import ClaimedItem, Done, Failed, ItemOutcome, ProgressSnapshot, Retry, Skipped
from models.core.audit import correlation_id
from models.core.db import tenant_session
from models.core.metrics import JOB_DURATION, JOB_ITEMS
from models.jobs import items as job_items
from models.jobs import repo
from models.jobs.kinds import ChunkHooks, ItemContext, JobKind, get_kind
from models.jobs.progress import publish_progress
from models.jobs.tables import Job

log = logging.getLogger("pharos.worker")

Marks = list[tuple[ClaimedItem, str, dict | None]]


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class RunReport:
    """What one run of a job did (returned to arq as its result, and logged)."""

    job_id: str
    tenant_id: str
    status: str = ""
    refused: bool = False
    chunks: int = 0
    items: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


class ChunkProcessor:
    """One chunk of claimed items, in a transaction the caller owns: renew the leases (row locks),
    run the handler per item (with the kind's chunk hooks), mark the outcomes, audit the chunk."""

    def __init__(self, ctx: TenantContext, job_id: str, worker_id: str, stop: threading.Event, lease: float):
        self.ctx = ctx
        self.job_id = job_id
        self.worker_id = worker_id
        self.stop = stop
        self.lease = lease
        self._renewed = 0.0  # monotonic time of the last lease renewal in the current chunk

    def process(
        self, session: Session, kind: JobKind, claimed: list[ClaimedItem]
    ) -> tuple[dict[str, list[int]], ProgressSnapshot]:
        """Returns the item seqs by outcome and the job's snapshot once the items' statuses are final."""
        outcomes: dict[str, list[int]] = defaultdict(list)
        hooks = kind.chunk
        try:
            # the job's fence, shared, first (lock order: fence → items → … → audit), held to commit:
            # a cancel waits for this chunk, and a cancel committed before it is seen by the read
            # after it — no effect of this job commits after its cancel
            repo.fence_job(session, self.job_id)
            job = repo.get_job(session, self.ctx, self.job_id)
            stopped = job.status != "running"  # cancelled (or failed) meanwhile
            held = job_items.renew_leases(session, self.ctx, (c.id for c in claimed), self.worker_id, self.lease)
            self._renewed = time.monotonic()
            runnable = [c for c in claimed if c.id in held]
            prepared = bool(
                hooks is not None
                and runnable
                and not self.stop.is_set()
                and not stopped
                and self._begin_chunk(session, hooks, job, runnable)
            )
            collecting = prepared and hooks is not None and hooks.collects
            kept: list[ClaimedItem] = []
            marks: Marks = []
            for index, item in enumerate(claimed):
                self._renew_if_due(session, claimed[index:], held)
                if item.id not in held:
                    outcomes["lease_lost"].append(item.seq)
                elif self.stop.is_set():
                    job_items.release_item(session, self.ctx, item.id, self.worker_id, refund_attempt=True)
                    outcomes["released"].append(item.seq)
                elif stopped:
                    job_items.cancel_item(session, self.ctx, item.id, self.worker_id)
                    outcomes["cancelled"].append(item.seq)
                elif collecting and hooks is not None:
                    outcome = self._collect(session, job, kind, hooks, item, marks)
                    if outcome is not None:
                        outcomes[outcome].append(item.seq)
                else:
                    outcome = self._one(session, job, kind, item)
                    outcomes[outcome].append(item.seq)
                    if outcome in ("done", "skipped"):
                        kept.append(item)
                    elif hooks is not None:
                        hooks.undo(session, item)
            if marks:
                self._renew_if_due(session, [m[0] for m in marks], held)
                kept += self._mark_collected(session, hooks, marks, outcomes)
            # the items' statuses are final here: count them before `end` and the chunk's audit
            # append, which hold the tenant's audit lock until commit (shorter for other workers)
            snap = repo.snapshot_of(session, self.ctx, job)
            if hooks is not None:
                hooks.end(session, job, kept)
        finally:
            if hooks is not None:
                hooks.abort(session)
        job_items.record_chunk(session, self.ctx, job.id, self.worker_id, outcomes)
        return outcomes, snap

    def _renew_if_due(self, session: Session, items: list[ClaimedItem], held: set) -> None:
        """Extend the leases of the chunk's open items once a third of a lease has passed.

        In the chunk's transaction: its row locks already keep claimers off these items, so this
        keeps the done marks' lease check true under a live worker, while the committed lease (the
        one a crash leaves behind) stays short. An item no longer held leaves `held`."""
        if time.monotonic() - self._renewed < self.lease / 3:
            return
        ids = [i.id for i in items if i.id in held]
        kept = job_items.renew_leases(session, self.ctx, ids, self.worker_id, self.lease)
        held.difference_update(set(ids) - kept)
        self._renewed = time.monotonic()

    def _begin_chunk(self, session: Session, hooks: ChunkHooks, job: Job, items: list[ClaimedItem]) -> bool:
        savepoint = session.begin_nested()
        try:
            hooks.begin(session, self.ctx, job, items)
        except Exception:  # the handler then does each item on its own (and fails the broken ones)
            log.exception("job %s: chunk preparation failed", self.job_id)
            savepoint.rollback()
            hooks.abort(session)
            return False
        savepoint.commit()
        return True

    def _run_handler(self, session: Session, job: Job, kind: JobKind, item: ClaimedItem) -> ItemOutcome:
        try:
            return kind.handle(ItemContext(session, self.ctx, job, item)) or Done()
        except Exception as exc:  # a handler bug fails the item, not the job
            log.exception("job %s item %s failed", self.job_id, item.seq)
            return Failed(f"{type(exc).__name__}: {exc}")

    def _one(self, session: Session, job: Job, kind: JobKind, item: ClaimedItem) -> str:
        """Run one handler in a savepoint; its effects survive only with its outcome mark."""
        savepoint = session.begin_nested()
        outcome = self._run_handler(session, job, kind, item)
        if isinstance(outcome, Done | Skipped):
            marked = (
                job_items.complete_item(session, self.ctx, item.id, self.worker_id, outcome.result)
                if isinstance(outcome, Done)
                else job_items.skip_item(session, self.ctx, item.id, self.worker_id, outcome.reason)
            )
            if marked:
                savepoint.commit()
                return "done" if isinstance(outcome, Done) else "skipped"
            savepoint.rollback()  # the lease ran out mid-chunk: let the next claimer redo it
            return "lease_lost"
        savepoint.rollback()  # a failed or retried item leaves no side effect behind
        return self._give_back(session, job, item, outcome)

    def _collect(
        self, session: Session, job: Job, kind: JobKind, hooks: ChunkHooks, item: ClaimedItem, marks: Marks
    ) -> str | None:
        """Collecting mode: the handler wrote nothing, so there is nothing to roll back. A done or
        skipped item waits for the chunk's one mark statement (None); any other is settled now."""
        outcome = self._run_handler(session, job, kind, item)
        if isinstance(outcome, Done):
            marks.append((item, "done", outcome.result))
            return None
        if isinstance(outcome, Skipped):
            marks.append((item, "skipped", {"skipped": outcome.reason}))
            return None
        hooks.undo(session, item)
        return self._give_back(session, job, item, outcome)

    def _mark_collected(
        self, session: Session, hooks: ChunkHooks | None, marks: Marks, outcomes: dict[str, list[int]]
    ) -> list[ClaimedItem]:
        """Write the collected done/skipped marks at once; returns the items kept. An item whose
        lease ran out is dropped (its collected effects undone) for the next claimer to redo."""
        marked = job_items.finish_items(
            session, self.ctx, self.worker_id, [(i.id, status, r) for i, status, r in marks]
        )
        kept = []
        for item, status, _ in marks:
            if item.id in marked:
                outcomes[status].append(item.seq)
                kept.append(item)
            else:
                if hooks is not None:
                    hooks.undo(session, item)
                outcomes["lease_lost"].append(item.seq)
        return kept

    def _give_back(self, session: Session, job: Job, item: ClaimedItem, outcome: Failed | Retry) -> str:
        """A failed or retried item: released for another attempt, or failed for good."""
        if isinstance(outcome, Retry) and item.attempts < repo.max_attempts_of(job):
            job_items.release_item(session, self.ctx, item.id, self.worker_id, outcome.error)
            return "retried"
        job_items.fail_item(session, self.ctx, item.id, self.worker_id, outcome.error)
        return "failed"


class JobRunner:
    """Run (or help run) one job until it is finished, cancelled or `stop` is set: one transaction
    per claim and per chunk, progress published after each."""

    def __init__(
        self,
        tenant_id: uuid.UUID | str,
        job_id: uuid.UUID | str,
        *,
        worker_id: str | None = None,
        stop: threading.Event | None = None,
        lease_seconds: float | None = None,
        chunk_size: int | None = None,
    ):
        self.ctx = TenantContext.system(uuid.UUID(str(tenant_id)))
        self.job_id = str(job_id)
        self.worker_id = worker_id or new_worker_id()
        self.stop = stop or threading.Event()
        self.lease = lease_seconds if lease_seconds is not None else repo.lease_seconds()
        self._lease_given = lease_seconds is not None
        self.chunk = chunk_size or repo.chunk_size()  # until the kind's preference is known (_begin)
        self._chunk_given = chunk_size
        self.pace = 0.0  # seconds between items for a paced job (a demo to watch), from its params
        self.report = RunReport(job_id=self.job_id, tenant_id=str(self.ctx.tenant_id))
        self._tallies: dict[str, int] = defaultdict(int)
        self._kind: str | None = None
        self._chunks = ChunkProcessor(self.ctx, self.job_id, self.worker_id, self.stop, self.lease)

    def run(self) -> RunReport:
        token = correlation_id.set(f"job:{self.job_id}")
        started = time.perf_counter()
        kind_name = "unknown"
        try:
            kind = self._begin()
            kind_name = self._kind or kind_name
            if kind is not None:
                self._loop(kind)
        finally:
            correlation_id.reset(token)
            self.report.outcomes = dict(self._tallies)
            if not self.report.refused:
                JOB_DURATION.labels(kind_name, self.report.status or "unknown").observe(time.perf_counter() - started)
                for outcome, count in self._tallies.items():
                    JOB_ITEMS.labels(kind_name, outcome).inc(count)
        return self.report

    def _begin(self) -> JobKind | None:
        """Load the job as its tenant (refusing foreign ids), then start it if still queued."""
        try:
            with tenant_session(self.ctx) as session:
                job = repo.get_job(session, self.ctx, self.job_id)
                self._kind = job.kind
                kind = get_kind(job.kind)
                if kind is not None and not self._chunk_given:
                    self.chunk = repo.chunk_size(kind.chunk_size)
                if kind is not None and not self._lease_given and kind.min_lease_seconds > self.lease:
                    self.lease = self._chunks.lease = kind.min_lease_seconds
                self.pace = repo.pace_seconds(job)
                if self.pace:
                    self.chunk = 1
                if kind is None:
                    repo.fail_job(session, self.ctx, job, f"no handler registered for job kind {job.kind!r}")
                elif job.status == "queued":
                    repo.start_job(session, self.ctx, job)
                self.report.status = job.status
                snap = repo.snapshot_of(session, self.ctx, job)
        except NotFound:
            log.warning("refused job %s: not a job of tenant %s", self.job_id, self.ctx.tenant_id)
            self.report.refused = True
            return None
        publish_progress(snap)
        return kind if job.status == "running" else None

    def _loop(self, kind: JobKind) -> None:
        idle = max(0.05, min(1.0, self.lease / 4))
        while not self.stop.is_set():
            if self.pace and self._has_pending() and self.stop.wait(self.pace):
                return  # paced: wait before claiming the next item, holding no lease and no transaction
            with tenant_session(self.ctx) as session:
                claimed = job_items.claim_items(session, self.ctx, self.job_id, self.worker_id, self.chunk, self.lease)
            if claimed:
                publish_progress(self._process(kind, claimed))
                continue
            status, snap = self._try_finish()
            self.report.status = status
            if status != "running":
                publish_progress(snap)
                return
            # open items are held by other workers: wait for them to finish or their leases to expire
            if self.stop.wait(idle):
                return

    def _has_pending(self) -> bool:
        with tenant_session(self.ctx) as session:
            return repo.has_pending_items(session, self.ctx, self.job_id)

    def _try_finish(self) -> tuple[str, ProgressSnapshot]:
        with tenant_session(self.ctx) as session:
            job = repo.get_job(session, self.ctx, self.job_id)
            if job.status == "running":
                repo.finish_job(session, self.ctx, job)
            elif job.status == "cancelled":
                repo.cancel_open_items(session, self.ctx, job.id)
            return job.status, repo.snapshot_of(session, self.ctx, job)

    def _process(self, kind: JobKind, claimed: list[ClaimedItem]) -> ProgressSnapshot:
        """One chunk in one transaction of its own."""
        with tenant_session(self.ctx) as session:
            outcomes, snap = self._chunks.process(session, kind, claimed)
        self.report.chunks += 1
        for name, seqs in outcomes.items():
            self._tallies[name] += len(seqs)
            self.report.items += len(seqs)
        return snap


def run_job_sync(
    tenant_id: uuid.UUID | str,
    job_id: uuid.UUID | str,
    *,
    worker_id: str | None = None,
    stop: threading.Event | None = None,
    lease_seconds: float | None = None,
    chunk_size: int | None = None,
) -> RunReport:
    """Run (or help run) one job until it is finished, cancelled or `stop` is set."""
    runner = JobRunner(
        tenant_id, job_id, worker_id=worker_id, stop=stop, lease_seconds=lease_seconds, chunk_size=chunk_size
    )
    return runner.run()


INLINE_LEASE_SECONDS = 600.0


def run_inline(
    session: Session,
    ctx: TenantContext,
    job_id: uuid.UUID | str,
    kind: JobKind,
    *,
    limit: int | None = None,
    worker_id: str = "inline",
) -> dict[str, int]:
    """Run up to `limit` items of a job in the caller's transaction, with the runner's own chunk code
    (start, claim, process with the kind's hooks, mark, audit, finish when none is left). For seeds
    and tools: they pass the kind itself, and a worker carries on with whatever is left. No pacing
    and no progress published (the caller has not committed). Returns item counts by outcome."""
    job = repo.get_job(session, ctx, job_id)
    if job.kind != kind.name:
        raise ValueError(f"job {job.id} is a {job.kind!r} job, not {kind.name!r}")
    if job.status == "queued":
        repo.start_job(session, ctx, job)
    chunks = ChunkProcessor(ctx, str(job.id), worker_id, threading.Event(), INLINE_LEASE_SECONDS)
    tallies: dict[str, int] = defaultdict(int)
    left = limit
    while left is None or left > 0:
        size = kind.chunk_size if left is None else min(kind.chunk_size, left)
        claimed = job_items.claim_items(session, ctx, job.id, worker_id, size, INLINE_LEASE_SECONDS)
        if not claimed:
            break
        outcomes, _ = chunks.process(session, kind, claimed)
        for name, seqs in outcomes.items():
            tallies[name] += len(seqs)
        left = None if left is None else left - len(claimed)
    repo.finish_job(session, ctx, job)
    return dict(tallies)


def fail_after_retries(tenant_id: uuid.UUID | str, job_id: uuid.UUID | str, error: str) -> None:
    """The runner itself kept crashing (not an item): record the job as failed."""
    ctx = TenantContext.system(uuid.UUID(str(tenant_id)))
    try:
        with tenant_session(ctx) as session:
            repo.fail_job(session, ctx, repo.get_job(session, ctx, job_id), error)
    except NotFound:
        return
