"""The job's fence: the first lock of every transaction that runs a job's items or ends the job.

A chunk takes it shared, a cancel or a fail exclusively (docs/jobs.md, "Cancel is final" and
"Lock order"), so no effect of a job commits after its cancel.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlmodel import Session

_FENCE_SHARED = text("select pg_advisory_xact_lock_shared(hashtextextended('pharos-job:' || :job, 0))")
_FENCE_EXCLUSIVE = text("select pg_advisory_xact_lock(hashtextextended('pharos-job:' || :job, 0))")


def fence_job(session: Session, job_id: uuid.UUID | str, *, exclusive: bool = False) -> None:
    """The job's fence, held to commit: shared by every chunk a worker processes, exclusive for a
    cancel or a fail, and always the first lock of either transaction (docs/jobs.md, "Lock order").

    So a cancel waits for the chunks in flight, and a chunk that starts after a cancel committed
    reads the job's status after the fence and sees it. An advisory lock rather than the job row
    FOR SHARE: Postgres queues new shared requests behind a waiting exclusive one here, so a job
    with busy workers cannot starve its cancel (row share locks can)."""
    session.execute(_FENCE_EXCLUSIVE if exclusive else _FENCE_SHARED, {"job": str(uuid.UUID(str(job_id)))})
