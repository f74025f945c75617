"""Compensation's job kinds (workers load every models/<module>/kinds.py): `comp.run`, one item per
run, which computes the whole run in the item's transaction (models.comp.runs.runs.compute), and
`comp.statements`, one item per bundle, which draws every statement of a run into one ZIP
(models.comp.runs.bundles.build)."""

from __future__ import annotations

import logging
import uuid

from engine.jobs import Done, ItemOutcome, Skipped
from models.comp.runs import bundles, runs
from models.jobs.kinds import ItemContext, JobKind, register

_log = logging.getLogger(__name__)


def run_item(ic: ItemContext) -> ItemOutcome:
    run = runs.get_run(ic.session, ic.ctx, uuid.UUID(ic.item.payload["run_id"]), lock=True)
    if run.status != "draft" or run.phase not in ("queued",):
        return Skipped(f"run is {run.status} ({run.phase})")
    try:
        with ic.session.begin_nested():
            runs.compute(ic.session, ic.ctx, run)
    except Exception as error:  # a bug or a database refusal fails the run visibly, never leaves it queued
        _log.exception("run %s: computation failed", run.id)
        ic.session.refresh(run)
        runs.fail(ic.session, ic.ctx, run, f"the run could not be computed ({type(error).__name__}: {error})"[:500])
    return Done({"phase": run.phase, "employees": run.employees, "errors": run.errors})


# one item computes a whole run (a million employees in well under the 600 s lease)
RUN = register(JobKind(runs.KIND, run_item, chunk_size=1, min_lease_seconds=600))


def statements_item(ic: ItemContext) -> ItemOutcome:
    run_id = uuid.UUID(ic.item.payload["run_id"])
    return Done(bundles.build(ic.session, ic.ctx, run_id, ic.job.id))


# one item draws a whole run's statements (10k in a few minutes with embedded fonts)
STATEMENTS = register(JobKind(bundles.KIND, statements_item, chunk_size=1, min_lease_seconds=1800))
