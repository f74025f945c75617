"""Margin Defense REST API (`/api/...`): dashboard, alerts, tasks, dealers, search, detection.

RBAC is the spec's (engine.rbac margin.*): reads need margin.read (every role); alert decisions and
notes margin.alerts.update / margin.notes.write (Owner, Admin, Ops, Sales — the machine adds
margin.enforcement.run for enforce/stand_down); tasks margin.tasks.write; dealer status
margin.dealers.status (Owner, Admin, Ops); detection margin.detect.run. Viewer is read-only.
Lists are keyset-paginated (`?limit&cursor`); ids of another tenant answer 404.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.api.deps import require
from app.api.margin import schemas
from engine.context import TenantContext
from engine.jsonable import to_jsonable
from engine.margin import permissions as perm
from engine.margin.frames import RULES
from engine.margin.severity import LEVELS
from models.core.pagination import MAX_LIMIT
from models.margin import actions
from models.margin.detection import submit_detection
from models.margin.inputs import AlertPatch, AlertStatus, DealerStatusChange, TaskCreate, TaskPatch, TaskStatus
from models.margin.queries import alerts as alert_queries
from models.margin.queries import dealers as dealer_queries
from models.margin.queries import tasks as task_queries

router = APIRouter(prefix="/api", tags=["margin"])

Limit = Query(50, ge=1, le=MAX_LIMIT)
Cursor = Query(None, max_length=500)
RuleQ = Literal[RULES]  # type: ignore[valid-type]
SeverityQ = Literal[LEVELS]  # type: ignore[valid-type]


def row_view(row: BaseModel, **extra: Any) -> dict[str, Any]:
    data = to_jsonable(row.model_dump())
    data.pop("tenant_id", None)
    return {**data, **to_jsonable(extra)}


def _alert_view(view: alert_queries.AlertView) -> dict[str, Any]:
    return row_view(
        view.alert,
        dealer_name=view.dealer_name,
        dealer_type=view.dealer_type,
        sku_code=view.sku_code,
        sku_name=view.sku_name,
    )


def _floor_link(detail: alert_queries.AlertDetail) -> str | None:
    """The price resolution behind the alert's floor, at its latest evidence, in the alert's currency."""
    alert = detail.view.alert
    kind = detail.floor_source.get("kind")
    if kind not in ("map", "mrp") or not detail.evidence:
        return None
    latest = max(detail.evidence, key=lambda e: (e.observed_at, str(e.evidence_id)))
    params = {"sku_id": str(alert.sku_id), "kind": kind, "org_id": str(alert.dealer_id), "currency": detail.currency}
    if latest.observed_at:
        params["at"] = latest.observed_at.isoformat()
    return "/api/prices/resolve?" + urlencode(params)


def _alert_detail(detail: alert_queries.AlertDetail) -> dict[str, Any]:
    view = _alert_view(detail.view)
    view["actions"] = detail.actions
    view["floor_source"] = {**detail.floor_source, "explain_url": _floor_link(detail)}
    view["math"] = detail.view.alert.explanation
    return view


@router.get("/dashboard/summary", response_model=schemas.DashboardSummary)
def dashboard_summary(ctx: TenantContext = Depends(require(perm.READ)), period_days: int = Query(30, ge=1, le=366)) -> dict:
    return to_jsonable(alert_queries.summary(ctx, period_days=period_days))


@router.get("/search", response_model=schemas.SearchResults)
def search(
    q: str = Query(..., min_length=1, max_length=100),
    limit: int = Query(10, ge=1, le=50),
    ctx: TenantContext = Depends(require(perm.READ)),
) -> dict:
    return alert_queries.search(ctx, q, limit=limit)


# --- alerts ------------------------------------------------------------------------------------


@router.get("/alerts", response_model=schemas.Page[schemas.AlertPublic])
def list_alerts(
    ctx: TenantContext = Depends(require(perm.READ)),
    status: AlertStatus | None = None,
    rule: RuleQ | None = None,
    severity: SeverityQ | None = None,
    dealer_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    open_only: bool = False,
    limit: int = Limit,
    cursor: str | None = Cursor,
) -> dict:
    filters = alert_queries.AlertFilters(
        status=status, rule=rule, severity=severity, dealer_id=dealer_id, sku_id=sku_id, open_only=open_only
    )
    page = alert_queries.alert_page(ctx, filters, limit=limit, cursor=cursor)
    return {"items": [_alert_view(v) for v in page.items], "next_cursor": page.next_cursor}


@router.get("/alerts/{alert_id}", response_model=schemas.AlertDetailPublic)
def get_alert(alert_id: uuid.UUID, ctx: TenantContext = Depends(require(perm.READ))) -> dict:
    return _alert_detail(alert_queries.alert_detail(ctx, alert_id))


@router.get("/alerts/{alert_id}/evidence", response_model=schemas.Items[schemas.EvidencePublic])
def alert_evidence(alert_id: uuid.UUID, ctx: TenantContext = Depends(require(perm.READ))) -> dict:
    return {"items": [row_view(e) for e in alert_queries.evidence(ctx, alert_id)]}


@router.get("/alerts/{alert_id}/timeline", response_model=schemas.Items[dict[str, Any]])
def alert_timeline(alert_id: uuid.UUID, ctx: TenantContext = Depends(require(perm.READ))) -> dict:
    return {"items": to_jsonable(alert_queries.timeline(ctx, alert_id))}


@router.patch("/alerts/{alert_id}", response_model=schemas.AlertDetailPublic)
def patch_alert(
    alert_id: uuid.UUID, body: AlertPatch, ctx: TenantContext = Depends(require(perm.ALERTS_UPDATE))
) -> dict:
    return _alert_detail(actions.patch_alert(ctx, alert_id, action=body.action, reason=body.reason, note=body.note))


# --- tasks -------------------------------------------------------------------------------------


def _task_view(view: task_queries.TaskView) -> dict[str, Any]:
    return row_view(view.task, actions=view.actions)


@router.get("/tasks", response_model=schemas.Page[schemas.TaskPublic])
def list_tasks(
    ctx: TenantContext = Depends(require(perm.READ)),
    status: TaskStatus | None = None,
    alert_id: uuid.UUID | None = None,
    dealer_id: uuid.UUID | None = None,
    assignee_user_id: uuid.UUID | None = None,
    limit: int = Limit,
    cursor: str | None = Cursor,
) -> dict:
    filters = task_queries.TaskFilters(
        status=status, alert_id=alert_id, dealer_id=dealer_id, assignee_user_id=assignee_user_id
    )
    page = task_queries.task_page(ctx, filters, limit=limit, cursor=cursor)
    return {"items": [_task_view(v) for v in page.items], "next_cursor": page.next_cursor}


@router.post("/tasks", status_code=201, response_model=schemas.TaskPublic)
def create_task(body: TaskCreate, ctx: TenantContext = Depends(require(perm.TASKS_WRITE))) -> dict:
    return _task_view(actions.create_task(ctx, body))


@router.patch("/tasks/{task_id}", response_model=schemas.TaskPublic)
def patch_task(task_id: uuid.UUID, body: TaskPatch, ctx: TenantContext = Depends(require(perm.TASKS_WRITE))) -> dict:
    return _task_view(actions.patch_task(ctx, task_id, body))


# --- dealers -----------------------------------------------------------------------------------


@router.get("/dealers", response_model=schemas.Page[schemas.DealerRowPublic])
def list_dealers(
    ctx: TenantContext = Depends(require(perm.READ)),
    q: str | None = Query(None, max_length=100),
    limit: int = Limit,
    cursor: str | None = Cursor,
) -> dict:
    page = dealer_queries.dealer_list(ctx, q=q, limit=limit, cursor=cursor).page
    return {
        "items": [
            {
                "id": str(r.dealer.id),
                "code": r.dealer.code,
                "name": r.dealer.name,
                "profile": r.dealer.profile,
                "status": r.status,
                **to_jsonable(r.figures),
            }
            for r in page.items
        ],
        "next_cursor": page.next_cursor,
    }


def _dealer_summary(detail: dealer_queries.DealerDetail) -> dict[str, Any]:
    data = dict(detail.summary)
    dealer = data.pop("dealer")
    history = [row_view(e) for e in data.pop("history")]
    return {
        "id": str(dealer.id),
        "code": dealer.code,
        "name": dealer.name,
        "profile": dealer.profile,
        **to_jsonable(data),
        "history": history,
    }


@router.get("/dealers/{dealer_id}", response_model=schemas.DealerPublic)
def get_dealer(dealer_id: uuid.UUID, ctx: TenantContext = Depends(require(perm.READ))) -> dict:
    return _dealer_summary(dealer_queries.dealer_detail(ctx, dealer_id))


@router.patch("/dealers/{dealer_id}/status", response_model=schemas.DealerPublic)
def change_dealer_status(
    dealer_id: uuid.UUID, body: DealerStatusChange, ctx: TenantContext = Depends(require(perm.DEALERS_STATUS))
) -> dict:
    return _dealer_summary(actions.change_dealer_status(ctx, dealer_id, body.action, body.reason))


# --- detection ---------------------------------------------------------------------------------


class DetectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: AwareDatetime | None = None
    undercut_pct: str | None = Field(None, pattern=r"^\d{1,3}(\.\d{1,8})?$")
    dead_stock_days: int | None = Field(None, ge=0, le=3650)


@router.post("/margin/detect", status_code=202, response_model=schemas.DetectAccepted)
def detect(body: DetectRequest | None = None, ctx: TenantContext = Depends(require(perm.DETECT))) -> dict:
    params = {k: v for k, v in (body.model_dump() if body else {}).items() if v is not None}
    job_id = submit_detection(ctx, to_jsonable(params))
    return {"job_id": str(job_id), "kind": "margin.detect", "progress_url": f"/api/jobs/{job_id}"}
