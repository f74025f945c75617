"""Upload throughput and mapping error rate over REST (compensation-platform-prd.md §10), under
`/api/v1`: `GET /reports/upload-metrics?limit=` — the tenant's employee data uploads, newest first,
each with bytes per second received, rows per second imported and its mapping error rate (rows the
validation rejected / rows read), and the same over all of them. Needs comp.read; the route only
calls models.comp.upload_metrics."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import PlainSerializer

from app.api.comp.schemas import _Out
from app.api.deps import require
from engine.comp.permissions import READ
from engine.context import TenantContext
from models.comp import upload_metrics

router = APIRouter(prefix="/api/v1", tags=["comp reports"])
READER = Depends(require(READ))
Exact = Annotated[Decimal, PlainSerializer(str, return_type=str)]


class UploadMetricOut(_Out):
    upload_id: uuid.UUID
    filename: str
    created_at: datetime
    import_status: str | None
    size_bytes: int
    receive_seconds: Exact | None
    bytes_per_second: Exact | None
    rows_total: int
    rows_invalid: int
    issues: int
    import_seconds: Exact | None
    rows_per_second: Exact | None
    error_rate: Exact | None


class UploadMetricsOut(_Out):
    uploads: int
    size_bytes: int
    rows_total: int
    rows_invalid: int
    issues: int
    bytes_per_second: Exact | None
    rows_per_second: Exact | None
    error_rate: Exact | None
    items: list[UploadMetricOut]


@router.get("/reports/upload-metrics", response_model=UploadMetricsOut)
def upload_metrics_report(
    limit: Annotated[int, Query(ge=1, le=100)] = 20, ctx: TenantContext = READER
) -> UploadMetricsOut:
    return UploadMetricsOut.model_validate(asdict(upload_metrics.upload_metrics(ctx, limit=limit)))
