"""`/api/margin/detection-runs` (margin.read) and `/api/margin/detection-schedule` (margin.detect.run):
the record of detection runs (import, schedule, manual) and the tenant's interval. Running detection
now is `POST /api/margin/detect` (dashboard.py)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends
from pydantic import Field

from app.api.deps import require
from app.api.margin import schemas
from app.api.margin.common import Cursor, Limit
from engine.context import TenantContext
from engine.inputs import StrictInt
from engine.jsonable import to_jsonable
from engine.margin import permissions as perm
from engine.text import TextInput
from models.margin import schedule
from models.margin.queries import detection as detection_queries

router = APIRouter(prefix="/api/margin", tags=["margin"])


def run_public(view: detection_queries.RunView) -> dict:
    return to_jsonable({**asdict(view), "report_url": view.report_url})


@router.get("/detection-runs", response_model=schemas.Page[schemas.DetectionRunPublic])
def list_detection_runs(
    ctx: TenantContext = Depends(require(perm.READ)), limit: Limit = 50, cursor: Cursor = None
) -> dict:
    page = detection_queries.run_page(ctx, limit=limit, cursor=cursor)
    return {"items": [run_public(v) for v in page.items], "next_cursor": page.next_cursor}


class ScheduleBody(TextInput):
    every_hours: StrictInt = Field(ge=0, le=schedule.MAX_EVERY_HOURS)


@router.get("/detection-schedule", response_model=schemas.DetectionSchedulePublic)
def get_detection_schedule(ctx: TenantContext = Depends(require(perm.DETECT))) -> dict:
    return {"every_hours": schedule.every_hours(ctx)}


@router.put("/detection-schedule", response_model=schemas.DetectionSchedulePublic)
def put_detection_schedule(body: ScheduleBody, ctx: TenantContext = Depends(require(perm.DETECT))) -> dict:
    return {"every_hours": schedule.set_every_hours(ctx, body.every_hours)}
