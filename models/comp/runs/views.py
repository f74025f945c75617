"""Read models of runs for the REST API and the pages (frozen dataclasses; money as exact text)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.core.decision_actions import ActionView


@dataclass(frozen=True)
class Progress:
    phase: str  # queued | loading | evaluating | persisting | computed | failed
    done: int
    total: int

    @property
    def percent(self) -> int:
        if self.phase == "computed":
            return 100
        steps = {"queued": 0, "loading": 5, "evaluating": 25, "persisting": 50}
        base = steps.get(self.phase, 0)
        if self.phase == "persisting" and self.total:
            return base + (49 * self.done) // self.total
        return base


@dataclass(frozen=True)
class Approval:
    action: str
    status: str  # the status it led to
    actor: str
    role: str
    at: str
    verification: str
    snapshot_hash: str


@dataclass(frozen=True)
class RunView:
    id: uuid.UUID
    plan_id: uuid.UUID
    plan_name: str
    plan_version: int
    upload_id: uuid.UUID
    upload_filename: str
    scenario_name: str
    status: str
    progress: Progress
    job_id: uuid.UUID | None
    employees: int
    errors: int
    totals: dict[str, Any]
    snapshot_hash: str | None
    frozen_hash: str | None
    steps: list[str]
    payout_step: str
    catalog_version: str
    error: str | None
    created_at: datetime
    computed_at: datetime | None
    finalized_at: datetime | None
    approvals: list[Approval] = field(default_factory=list)
    actions: list[ActionView] = field(default_factory=list)

    @property
    def computed(self) -> bool:
        return self.progress.phase == "computed"


@dataclass(frozen=True)
class ResultRow:
    row_no: int
    employee_ref: str
    employee_name: str | None
    team: str | None
    values: dict[str, str | None]  # step → value (10 decimals), in the run's display order
    payout: str | None
    allocated: str | None
    error: str | None
    error_step: str | None


@dataclass(frozen=True)
class TapeStepView:
    name: str
    order: int
    expr: str
    condition: str | None
    status: str  # ok | skipped | failed | not_run
    value: str | None  # the stored result (equal to the tape's)
    refs: dict[str, str]
    branches: list[dict[str, Any]]
    error: str | None


@dataclass(frozen=True)
class TapeView:
    run_id: uuid.UUID
    employee_ref: str
    employee_name: str | None
    team: str | None
    fund: str | None
    role: str | None
    inputs: dict[str, str]  # as read from the upload (before defaults and transforms)
    used: dict[str, str]  # as the plan read them (defaults and transforms applied)
    steps: list[TapeStepView]
    payout_step: str
    payout: str | None
    allocated: str | None
    error: str | None
    error_step: str | None
    snapshot_hash: str | None
