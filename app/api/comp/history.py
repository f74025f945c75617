"""Payout history across runs over REST (compensation-platform-prd.md §7 Reports), under `/api/v1`.

- `GET /reports/payout-history?by=team|fund|role&plan_id=&limit=`: the latest finalized runs
  (oldest first), one cell per run and group, each group's totals and the grand totals; every
  amount an exact decimal string. `plan_id`: runs of any version of that plan.

Needs comp.read; the tenant's own runs only. The route only calls models.comp.runs.history.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from app.api.comp.schemas import Money, _Out
from app.api.deps import require
from engine.comp.permissions import READ
from engine.context import TenantContext
from models.comp.runs import history

router = APIRouter(prefix="/api/v1", tags=["comp reports"])
READER = Depends(require(READ))


class HistoryRunOut(_Out):
    run_id: uuid.UUID
    scenario_name: str
    plan_id: uuid.UUID
    plan_name: str
    plan_version: int
    finalized_at: datetime | None
    employees: int
    errors: int
    payout: Money
    allocated: Money


class HistoryCellOut(_Out):
    run_id: uuid.UUID
    group: str | None
    employees: int
    payout: Money
    allocated: Money


class HistoryGroupOut(_Out):
    group: str | None
    runs: int
    employees: int
    payout: Money
    allocated: Money


class PayoutHistoryOut(_Out):
    by: str
    runs: list[HistoryRunOut]
    groups: list[HistoryGroupOut]
    cells: list[HistoryCellOut]
    payout: Money
    allocated: Money


@router.get("/reports/payout-history", response_model=PayoutHistoryOut)
def payout_history(
    by: Literal["team", "fund", "role"] = "team",
    plan_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=history.MAX_RUNS)] = history.DEFAULT_RUNS,
    ctx: TenantContext = READER,
) -> PayoutHistoryOut:
    return PayoutHistoryOut.model_validate(asdict(history.payout_history(ctx, by=by, plan_id=plan_id, limit=limit)))
