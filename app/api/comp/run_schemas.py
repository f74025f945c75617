"""What the run routes answer (declared: /api/openapi.json is the contract). Every value a step
computed, the payouts and the pool figures are exact decimal strings, never JSON numbers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from engine.inputs import PlainText


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProgressOut(_Out):
    phase: str = Field(description="queued, loading, evaluating, persisting, computed or failed")
    done: int
    total: int
    percent: int


class ApprovalOut(_Out):
    action: str
    status: str
    actor: str
    role: str
    at: str
    verification: str
    snapshot_hash: str


class ActionOut(_Out):
    action: str
    label: str
    reason_required: bool


class RunOut(_Out):
    run_id: uuid.UUID = Field(validation_alias="id")
    plan_id: uuid.UUID
    plan_name: str
    plan_version: int
    upload_id: uuid.UUID
    upload_filename: str
    scenario_name: str
    status: str
    progress: ProgressOut
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
    approvals: list[ApprovalOut]
    actions: list[ActionOut]


class RunPage(BaseModel):
    items: list[RunOut]
    next_cursor: str | None


class ResultOut(_Out):
    row_no: int
    employee_ref: str
    employee_name: str | None
    team: str | None
    values: dict[str, str | None]
    payout: str | None
    allocated: str | None
    error: str | None
    error_step: str | None


class ResultPage(BaseModel):
    items: list[ResultOut]
    next_cursor: str | None


class TapeStepOut(_Out):
    name: str
    order: int
    expr: str
    condition: str | None
    status: str
    value: str | None
    refs: dict[str, str]
    branches: list[dict[str, Any]]
    error: str | None


class TapeOut(_Out):
    run_id: uuid.UUID
    employee_ref: str
    employee_name: str | None
    team: str | None
    fund: str | None
    role: str | None
    inputs: dict[str, str]
    used: dict[str, str]
    steps: list[TapeStepOut]
    payout_step: str
    payout: str | None
    allocated: str | None
    error: str | None
    error_step: str | None
    snapshot_hash: str | None


class ApprovalResultOut(BaseModel):
    run_id: uuid.UUID
    from_status: str
    status: str
    verification: str
    snapshot_hash: str
    run: RunOut


class ApproveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str = Field(min_length=1, max_length=40, description="manager_approve, hr_approve or finance_approve")
    expected_status: str | None = Field(None, min_length=1, max_length=40)


class FinalizeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expected_status: str | None = Field(None, min_length=1, max_length=40)


class RunPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario_name: PlainText = Field(min_length=1, max_length=200)


class StatementBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run_id: uuid.UUID
    employee_ref: PlainText = Field(min_length=1, max_length=200)


class BundleOut(_Out):
    """A statements bundle: the job making it, its progress and, once completed, the download."""

    job_id: uuid.UUID
    run_id: uuid.UUID
    status: str = Field(description="the job's: queued, running, completed, failed or cancelled")
    done: int = Field(description="statements drawn so far")
    total: int = Field(description="statements in the bundle (one per employee of the run)")
    percent: int
    size: int | None = Field(description="bytes of the finished ZIP")
    download: str = Field(description="the ZIP's URL once completed, else empty")
    error: str | None
    created_at: datetime
