"""Margin's job kinds: "margin.detect" (one item = one breach scan) and "margin.enforce" (one item =
one planned enforcement item, one dealer's notice, done a chunk at a time).

Detection: the scan runs in the item's transaction (models.margin.detection.run_detection), so the
alerts, their evidence and the audit events commit together with the item's done mark; a killed
worker redoes the scan, and dedupe makes that harmless (no duplicate alert, no duplicate evidence).
A job opened through models.margin.detection_runs carries `run_id`: the item locks that run row
first and fills its counts in the same transaction. The "margin.detect" schedule (the workers'
cron, models/jobs/schedules.py) queues the tenants whose detection is due (models.margin.schedule).

Enforcement: the work is `models.margin.enforcement.chunk.EnforceChunk`, run in the chunk's
transaction: the runner calls `begin` once (one query per table for the whole chunk), the handler
per item (it checks and collects the item's decisions and rows, writing nothing), `undo` for an item
dropped, and `end` after the chunk's one done-mark statement (the kept items' decisions, notices,
tasks and logs in bulk, one audit event, the completion check). So the notice (outbox row with its
unique key), the dealer's status decision, the alerts' decisions, the follow-up task, the log row
and the item's done mark commit together or not at all. Params: `batch_id`; optional `pace_ms` (the
runner waits that long before each item, outside any transaction: the demo batch, so its progress
can be watched).
"""

from __future__ import annotations

from sqlmodel import Session

from engine.context import TenantContext
from engine.jobs import ClaimedItem, Done, ItemOutcome, Skipped
from models.jobs.kinds import ChunkHooks, ItemContext, JobKind, register
from models.jobs.schedules import Schedule, register_schedule
from models.jobs.tables import Job
from models.margin import detection, detection_items, detection_load, detection_runs, enforcement, schedule
from models.margin.enforcement.chunk import EnforceChunk

STATE = "pharos.margin_enforce.chunk"


def detect_item(ic: ItemContext) -> ItemOutcome:
    """One part of a scan (`Scope` from the item's payload: some dealers, or the market). Its run's
    totals are added up when the job completes (`complete_detection`), not per item, so items of
    one run never wait on each other's run row."""
    params = {**(ic.job.params or {}), **(ic.item.payload or {})}
    kwargs = detection_items.detection_params(params)
    scope = detection_load.Scope.of_payload(ic.item.payload or {})
    return Done(detection.run_detection(ic.session, ic.ctx, job_id=ic.job.id, scope=scope, **kwargs))


def complete_detection(session: Session, ctx: TenantContext, job: Job) -> None:
    """Every item of a detection job is settled: fill its run's counts from the items' results."""
    run_id = (job.params or {}).get("run_id")
    if run_id:
        run = detection_runs.lock_run(session, ctx, run_id)
        detection_runs.finish_run(session, ctx, run, detection_runs.job_totals(session, ctx, job.id), job.started_at)


def enforce_item(ic: ItemContext) -> ItemOutcome:
    chunk: EnforceChunk | None = ic.session.info.get(STATE)
    if chunk is None:  # called outside a runner chunk: a chunk of one, flushed now
        outcome, result = enforcement.process_item(ic.session, ic.ctx, ic.item.payload, ic.item.idempotency_key)
    else:
        outcome, result = chunk.process(ic.item.idempotency_key, ic.item.payload)
    if outcome == "skipped":
        return Skipped(str(result.get("outcome", "skipped")))
    return Done(result)


def begin_chunk(session: Session, ctx: TenantContext, job: Job, items: list[ClaimedItem]) -> None:
    redone = [i.idempotency_key for i in items if i.attempts > 1]  # first attempts recorded nothing yet
    session.info[STATE] = EnforceChunk(session, ctx, [i.payload for i in items], redone=redone)


def undo_item(session: Session, item: ClaimedItem) -> None:
    chunk: EnforceChunk | None = session.info.get(STATE)
    if chunk is not None:
        chunk.discard(item.idempotency_key)


def end_chunk(session: Session, job: Job, kept: list[ClaimedItem]) -> None:
    chunk: EnforceChunk | None = session.info.pop(STATE, None)
    if chunk is not None:
        chunk.flush([i.idempotency_key for i in kept], job_id=job.id)


def abort_chunk(session: Session) -> None:
    session.info.pop(STATE, None)


# one item scans a part of the tenant (detection_items: ≤ ITEM_ROWS sale rows, or the market), a
# chunk of one item per claim, so two workers share a run's items (open_run enqueues it twice)
DETECT = register(JobKind(detection.KIND, detect_item, chunk_size=1, complete=complete_detection))

ENFORCE = register(
    JobKind(
        enforcement.KIND,
        enforce_item,
        # 100 items per transaction: half the per-statement cost of 50 per item; a chunk still takes
        # well under a second, so the execution page stays live (docs/benchmarks.md has both measured).
        chunk_size=100,
        # collects: enforce_item only collects (EnforceChunk.process writes nothing; end_chunk writes
        # for the kept items), so the runner marks the chunk's items in one statement without savepoints.
        chunk=ChunkHooks(begin=begin_chunk, undo=undo_item, end=end_chunk, abort=abort_chunk, collects=True),
    )
)

SCHEDULE = register_schedule(Schedule("margin.detect", schedule.run_schedule))
