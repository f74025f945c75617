"""Demo enforcement batches (after seeds.margin): one completed with its report, one running with
an item left that the worker carries on when the product starts (workers re-enqueue unfinished jobs
at start-up, and the periodic sweep picks up a job nobody works on), so /execution is live.

1. "Warning notices — Metro" (warning_notice, Metro's MAP/MRP alerts): run to the end here. The
   re-check finds 4 of Metro's 5 alerts compliant again (resolved) and sends one notice for omega;
   Metro moves active → warned.
2. "Final notices — all dealers" (final_notice, both dealers): started, its first item run here,
   the other left pending, paced (`pace_ms`): the worker waits RUNNING_PACE_MS before doing it,
   so on a first visit the batch is running and /execution shows it finish live.

Both run through the job runner's own chunk code, inline in the seed's transaction
(models.jobs.runner.run_inline with margin's enforce kind); seeds never import workers.
Deterministic ids; once the first batch exists nothing is written again.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from engine.context import TenantContext
from models.jobs.runner import run_inline
from models.margin import enforcement
from models.margin.enforcement.tables import EnforcementBatch
from models.margin.kinds import ENFORCE
from seeds.catalog import IdFor
from seeds.ids import demo_id

RUNNING_PACE_MS = 120_000  # the demo batch stays running ~2 min after the worker starts


def build_enforcement(session: Session, ctx: TenantContext, id_for: IdFor) -> dict[str, str]:
    done_id, running_id = id_for("margin_batch", "completed"), id_for("margin_batch", "running")
    ids = {"completed": str(done_id), "running": str(running_id)}
    if session.exec(select(EnforcementBatch.id).where(EnforcementBatch.id == done_id)).first():
        return ids
    metro = id_for("organization", "dealer-metro")
    enforcement.create_batch(
        session,
        ctx,
        {"rules": ["map_breach", "mrp_breach"], "dealer_ids": [str(metro)]},
        "warning_notice",
        name="Warning notices — Metro",
        batch_id=done_id,
    )
    enforcement.start_batch(session, ctx, done_id, enqueue=False)
    _run(session, ctx, done_id)
    enforcement.create_batch(
        session,
        ctx,
        {"rules": ["map_breach", "mrp_breach"]},
        "final_notice",
        name="Final notices — all dealers",
        batch_id=running_id,
    )
    enforcement.start_batch(session, ctx, running_id, pace_ms=RUNNING_PACE_MS, enqueue=False)
    _run(session, ctx, running_id, limit=1)
    return ids


def _run(session: Session, ctx: TenantContext, batch_id: uuid.UUID, *, limit: int | None = None) -> None:
    """Run the started batch's job (up to `limit` items) here, then bring the batch up to date."""
    batch = enforcement.get_batch(session, ctx, batch_id)
    run_inline(session, ctx, batch.job_id, ENFORCE, limit=limit, worker_id="seed")
    enforcement.reconcile(session, ctx, batch)


def seed_enforcement(session: Session, ctx: TenantContext) -> None:
    """Margin's enforcement batches (seeds/margin.py `seed` runs it after seed_margin)."""
    build_enforcement(session, ctx, demo_id)
