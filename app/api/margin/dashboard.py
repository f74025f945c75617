"""`/api/dashboard/summary` and `POST /api/margin/detect` (RBAC: margin.read; detection
margin.detect.run). Margin's search is a provider of the one search (models/margin/search_providers.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import Field

from app.api.deps import require
from app.api.margin import schemas
from engine.context import TenantContext
from engine.inputs import Instant, StrictInt, query_int
from engine.jsonable import to_jsonable
from engine.margin import permissions as perm
from engine.text import TextInput
from models.margin.detection import submit_detection
from models.margin.queries import alerts as alert_queries

router = APIRouter(prefix="/api", tags=["margin"])


@router.get("/dashboard/summary", response_model=schemas.DashboardSummary)
def dashboard_summary(ctx: TenantContext = Depends(require(perm.READ)), period_days: query_int(1, 366) = 30) -> dict:
    return to_jsonable(alert_queries.summary(ctx, period_days=period_days))


class DetectRequest(TextInput):
    as_of: Instant | None = None
    undercut_pct: str | None = Field(None, pattern=r"^[0-9]{1,3}(\.[0-9]{1,8})?$")
    dead_stock_days: StrictInt | None = Field(None, ge=0, le=3650)


@router.post("/margin/detect", status_code=202, response_model=schemas.DetectAccepted)
def detect(body: DetectRequest | None = None, ctx: TenantContext = Depends(require(perm.DETECT))) -> dict:
    params = {k: v for k, v in (body.model_dump() if body else {}).items() if v is not None}
    job_id = submit_detection(ctx, to_jsonable(params))
    return {"job_id": str(job_id), "kind": "margin.detect", "progress_url": f"/api/jobs/{job_id}"}
