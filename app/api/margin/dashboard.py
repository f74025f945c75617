"""`/api/dashboard/summary`, `/api/search` and `POST /api/margin/detect` (RBAC: margin.read;
detection margin.detect.run)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from app.api.deps import require
from app.api.margin import schemas
from engine.context import TenantContext
from engine.inputs import Instant, PlainText, StrictInt, query_int
from engine.jsonable import to_jsonable
from engine.margin import permissions as perm
from engine.text import TextInput
from models.margin.detection_runs import submit_detection
from models.margin.queries import alerts as alert_queries

router = APIRouter(prefix="/api", tags=["margin"])


@router.get("/dashboard/summary", response_model=schemas.DashboardSummary)
def dashboard_summary(ctx: TenantContext = Depends(require(perm.READ)), period_days: query_int(1, 366) = 30) -> dict:
    return to_jsonable(alert_queries.summary(ctx, period_days=period_days))


@router.get("/search", response_model=schemas.SearchResults)
def search(
    q: Annotated[PlainText, Query(min_length=1, max_length=100)],
    limit: query_int(1, 50) = 10,
    ctx: TenantContext = Depends(require(perm.READ)),
) -> dict:
    return alert_queries.search(ctx, q, limit=limit)


class DetectRequest(TextInput):
    as_of: Instant | None = None
    undercut_pct: str | None = Field(None, pattern=r"^[0-9]{1,3}(\.[0-9]{1,8})?$")
    dead_stock_days: StrictInt | None = Field(None, ge=0, le=3650)


@router.post("/margin/detect", status_code=202, response_model=schemas.DetectAccepted)
def detect(body: DetectRequest | None = None, ctx: TenantContext = Depends(require(perm.DETECT))) -> dict:
    params = {k: v for k, v in (body.model_dump() if body else {}).items() if v is not None}
    job_id = submit_detection(ctx, to_jsonable(params))
    return {"job_id": str(job_id), "kind": "margin.detect", "progress_url": f"/api/jobs/{job_id}"}
