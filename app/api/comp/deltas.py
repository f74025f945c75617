"""Scenario deltas over REST (issue 13; compensation-platform-prd.md §7 Reports), under `/api/v1`.

- `GET /runs/{run_id}/deltas?baseline_id=&changed_only=&limit=&cursor=`: the run against a
  baseline run — totals over every employee (counts per kind, payouts, pool shares and their
  deltas) and a page of employees, largest change first; every amount an exact decimal string.

Needs comp.read; both runs must be the caller's tenant's (404 otherwise) and computed (409). The
route only calls models.comp.runs.deltas.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict

from fastapi import APIRouter, Depends

from app.api.comp.schemas import Money, _Out
from app.api.deps import Cursor, Limit, require
from engine.comp.permissions import READ
from engine.context import TenantContext
from models.comp.runs import deltas

router = APIRouter(prefix="/api/v1", tags=["comp reports"])
READER = Depends(require(READ))


class DeltaRowOut(_Out):
    employee_ref: str
    employee_name: str | None
    team: str | None
    kind: str
    baseline_payout: Money | None
    payout: Money | None
    delta: Money
    baseline_allocated: Money | None
    allocated: Money | None
    allocated_delta: Money


class DeltaTotalsOut(_Out):
    employees: int
    counts: dict[str, int]
    baseline_payout: Money
    payout: Money
    delta: Money
    baseline_allocated: Money
    allocated: Money
    allocated_delta: Money


class RunDeltasOut(_Out):
    run_id: uuid.UUID
    baseline_id: uuid.UUID
    run_scenario: str
    baseline_scenario: str
    same_upload: bool
    totals: DeltaTotalsOut
    items: list[DeltaRowOut]
    next_cursor: str | None


@router.get("/runs/{run_id}/deltas", response_model=RunDeltasOut)
def run_deltas(
    run_id: uuid.UUID,
    baseline_id: uuid.UUID,
    changed_only: bool = False,
    limit: Limit = 50,
    cursor: Cursor = None,
    ctx: TenantContext = READER,
) -> RunDeltasOut:
    found = deltas.run_deltas(ctx, run_id, baseline_id, changed_only=changed_only, limit=limit, cursor=cursor)
    return RunDeltasOut.model_validate(asdict(found))
