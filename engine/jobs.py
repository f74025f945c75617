"""The job path as data: the job state machine, item outcomes and the progress snapshot.

Pure on purpose: the worker, the UI listener and the SSE stream all reason about the same
statuses and the same snapshot shape without touching a database or Redis.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.state_machine import StateMachine, Transition

MANAGE = "core.jobs.manage"
DEFAULT_MAX_ATTEMPTS = 5

JOB_MACHINE = StateMachine(
    name="job",
    states=frozenset({"queued", "running", "completed", "failed", "cancelled"}),
    initial="queued",
    transitions=(
        # the runner's steps (system only); a user may only cancel
        Transition("start", frozenset({"queued"}), "running", MANAGE, system_only=True),
        Transition("complete", frozenset({"running"}), "completed", MANAGE, system_only=True),
        Transition("fail", frozenset({"queued", "running"}), "failed", MANAGE, reason_required=True, system_only=True),
        Transition("cancel", frozenset({"queued", "running"}), "cancelled", MANAGE),
    ),
    terminal=frozenset({"completed", "failed", "cancelled"}),
)

ITEM_OPEN = ("pending", "running")
ITEM_FINISHED = ("done", "failed", "skipped", "cancelled")
ITEM_STATUSES = (*ITEM_OPEN, *ITEM_FINISHED)  # items have no machine: the runner's SQL moves them


# --- what a handler returns for one item -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Done:
    """The item's work is done; `result` is stored on the item row (JSON)."""

    result: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """Nothing to do for this item (e.g. already handled elsewhere); not an error."""

    reason: str


@dataclass(frozen=True, slots=True)
class Failed:
    """The item cannot be done; retrying would not help."""

    error: str


@dataclass(frozen=True, slots=True)
class Retry:
    """A transient problem: put the item back, to be claimed again until max attempts."""

    error: str


ItemOutcome = Done | Skipped | Failed | Retry


@dataclass(frozen=True, slots=True)
class ClaimedItem:
    """One item leased to a worker: what its handler needs, nothing more."""

    id: uuid.UUID
    seq: int
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int


# --- progress ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressSnapshot:
    """What the UI shows about a job; published on Redis and sent as SSE `data`.

    Counts are integers (no floats): `percent` is floored so 100 means every item finished.
    """

    job_id: str
    tenant_id: str
    kind: str
    status: str
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    updated_at: str = ""
    error: str | None = None

    @property
    def processed(self) -> int:
        return sum(self.counts.get(s, 0) for s in ITEM_FINISHED)

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else (100 * self.processed) // self.total

    @property
    def finished(self) -> bool:
        return self.status in JOB_MACHINE.terminal

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(processed=self.processed, percent=self.percent, finished=self.finished)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProgressSnapshot:
        counts = {str(k): int(v) for k, v in (data.get("counts") or {}).items()}
        return cls(
            job_id=str(data["job_id"]),
            tenant_id=str(data["tenant_id"]),
            kind=str(data.get("kind", "")),
            status=str(data["status"]),
            total=int(data.get("total", 0)),
            counts=counts,
            updated_at=str(data.get("updated_at", "")),
            error=data.get("error"),
        )

    def same_progress(self, other: ProgressSnapshot | None) -> bool:
        """Equal apart from the timestamp: used to skip sending an unchanged snapshot twice."""
        return other is not None and (self.status, self.total, self.counts, self.error) == (
            other.status,
            other.total,
            other.counts,
            other.error,
        )


def full_counts(counts: dict[str, int]) -> dict[str, int]:
    """Every item status present (zero when absent), so consumers need no defaults."""
    return {s: int(counts.get(s, 0)) for s in ITEM_STATUSES}
