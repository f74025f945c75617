"""Margin Defense REST API (`/api/...`): dashboard, alerts, tasks, dealers, search, detection.

RBAC is the spec's (engine.rbac margin.*): reads need margin.read (every role); alert decisions and
notes margin.alerts.update / margin.notes.write (Owner, Admin, Ops, Sales — the machine adds
margin.enforcement.run for enforce/stand_down); tasks margin.tasks.write; dealer status
margin.dealers.status (Owner, Admin, Ops); detection margin.detect.run. Viewer is read-only.
Lists are keyset-paginated (`?limit&cursor`); ids of another tenant answer 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from sqlmodel import Session, SQLModel, select

from app.api.deps import Cursor, Limit, SearchText, require
from engine.audit_chain import to_jsonable
from engine.context import TenantContext
from engine.inputs import Instant, PlainText, StrictInt, query_int
from engine.margin.frames import RULES
from engine.margin.severity import LEVELS
from engine.text import TextInput
from models.catalog_tables import Organization, Sku
from models.db import tenant_session
from models.margin import alerts as alert_repo
from models.margin import dashboard, dealers, tasks
from models.margin.detection import submit_detection
from models.margin.inputs import AlertPatch, AlertStatus, DealerStatusChange, TaskCreate, TaskPatch, TaskStatus

router = APIRouter(prefix="/api", tags=["margin"])

READ = "margin.read"
RuleQ = Literal[RULES]  # type: ignore[valid-type]
SeverityQ = Literal[LEVELS]  # type: ignore[valid-type]


def row_view(row: SQLModel, **extra: Any) -> dict[str, Any]:
    data = to_jsonable(row.model_dump())
    data.pop("tenant_id", None)
    return {**data, **to_jsonable(extra)}


def _names(session: Session, ctx: TenantContext, org_ids: set, sku_ids: set) -> tuple[dict, dict]:
    orgs = {}
    if org_ids:
        orgs = {
            o.id: o
            for o in session.exec(
                select(Organization).where(Organization.tenant_id == ctx.tenant_id, Organization.id.in_(list(org_ids)))  # type: ignore[attr-defined]
            ).all()
        }
    skus = {}
    if sku_ids:
        skus = {
            s.id: s
            for s in session.exec(select(Sku).where(Sku.tenant_id == ctx.tenant_id, Sku.id.in_(list(sku_ids)))).all()  # type: ignore[attr-defined]
        }
    return orgs, skus


def _alert_views(session: Session, ctx: TenantContext, rows: list) -> list[dict[str, Any]]:
    orgs, skus = _names(session, ctx, {a.dealer_id for a in rows}, {a.sku_id for a in rows})
    out = []
    for a in rows:
        org, sku = orgs.get(a.dealer_id), skus.get(a.sku_id)
        out.append(
            row_view(
                a,
                dealer_name=org.name if org else None,
                dealer_type=org.type if org else None,
                sku_code=sku.code if sku else None,
                sku_name=sku.name if sku else None,
            )
        )
    return out


def _floor_link(alert, evidence) -> str | None:
    kind = (alert.explanation or {}).get("floor_source", {}).get("kind")
    if kind not in ("map", "mrp") or not evidence:
        return None
    latest = max(evidence, key=lambda e: (e.observed_at, str(e.evidence_id)))
    params = {"sku_id": str(alert.sku_id), "kind": kind, "org_id": str(alert.dealer_id), "currency": "INR"}
    if latest.observed_at:
        params["at"] = latest.observed_at.isoformat()
    return "/api/prices/resolve?" + urlencode(params)


def _alert_detail(session: Session, ctx: TenantContext, alert) -> dict[str, Any]:
    view = _alert_views(session, ctx, [alert])[0]
    evidence = alert_repo.evidence(session, ctx, alert.id)
    view["actions"] = alert_repo.actions_for(ctx, alert)
    view["floor_source"] = {
        **((alert.explanation or {}).get("floor_source") or {}),
        "explain_url": _floor_link(alert, evidence),
    }
    view["math"] = alert.explanation
    return view


# --- dashboard and search ---------------------------------------------------------------------


@router.get("/dashboard/summary")
def dashboard_summary(ctx: TenantContext = Depends(require(READ)), period_days: query_int(1, 366) = 30) -> dict:
    with tenant_session(ctx) as session:
        return to_jsonable(dashboard.summary(session, ctx, period_days=period_days))


@router.get("/search")
def search(
    q: Annotated[PlainText, Query(min_length=1, max_length=100)],
    limit: query_int(1, 50) = 10,
    ctx: TenantContext = Depends(require(READ)),
) -> dict:
    with tenant_session(ctx) as session:
        return dashboard.search(session, ctx, q, limit=limit)


# --- alerts ------------------------------------------------------------------------------------


@router.get("/alerts")
def list_alerts(
    ctx: TenantContext = Depends(require(READ)),
    status: AlertStatus | None = None,
    rule: RuleQ | None = None,
    severity: SeverityQ | None = None,
    dealer_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    open_only: bool = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        page = alert_repo.list_alerts(
            session,
            ctx,
            status=status,
            rule=rule,
            severity=severity,
            dealer_id=dealer_id,
            sku_id=sku_id,
            open_only=open_only,
            limit=limit,
            cursor=cursor,
        )
        return {"items": _alert_views(session, ctx, page.items), "next_cursor": page.next_cursor}


@router.get("/alerts/{alert_id}")
def get_alert(alert_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> dict:
    with tenant_session(ctx) as session:
        return _alert_detail(session, ctx, alert_repo.get_alert(session, ctx, alert_id))


@router.get("/alerts/{alert_id}/evidence")
def alert_evidence(alert_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> dict:
    with tenant_session(ctx) as session:
        return {"items": [row_view(e) for e in alert_repo.evidence(session, ctx, alert_id)]}


@router.get("/alerts/{alert_id}/timeline")
def alert_timeline(alert_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> dict:
    with tenant_session(ctx) as session:
        return {"items": to_jsonable(alert_repo.timeline(session, ctx, alert_id))}


@router.patch("/alerts/{alert_id}")
def patch_alert(
    alert_id: uuid.UUID, body: AlertPatch, ctx: TenantContext = Depends(require("margin.alerts.update"))
) -> dict:
    with tenant_session(ctx) as session:
        alert = alert_repo.patch_alert(session, ctx, alert_id, action=body.action, reason=body.reason, note=body.note)
        return _alert_detail(session, ctx, alert)


# --- tasks -------------------------------------------------------------------------------------


def _task_view(ctx: TenantContext, task) -> dict[str, Any]:
    return row_view(task, actions=tasks.actions_for(ctx, task))


@router.get("/tasks")
def list_tasks(
    ctx: TenantContext = Depends(require(READ)),
    status: TaskStatus | None = None,
    alert_id: uuid.UUID | None = None,
    dealer_id: uuid.UUID | None = None,
    assignee_user_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        page = tasks.list_tasks(
            session,
            ctx,
            status=status,
            alert_id=alert_id,
            dealer_id=dealer_id,
            assignee_user_id=assignee_user_id,
            limit=limit,
            cursor=cursor,
        )
        return {"items": [_task_view(ctx, t) for t in page.items], "next_cursor": page.next_cursor}


@router.post("/tasks", status_code=201)
def create_task(body: TaskCreate, ctx: TenantContext = Depends(require(tasks.WRITE))) -> dict:
    with tenant_session(ctx) as session:
        return _task_view(ctx, tasks.create_task(session, ctx, body))


@router.patch("/tasks/{task_id}")
def patch_task(task_id: uuid.UUID, body: TaskPatch, ctx: TenantContext = Depends(require(tasks.WRITE))) -> dict:
    with tenant_session(ctx) as session:
        return _task_view(ctx, tasks.patch_task(session, ctx, task_id, body))


# --- dealers -----------------------------------------------------------------------------------


@router.get("/dealers")
def list_dealers(
    ctx: TenantContext = Depends(require(READ)),
    q: SearchText = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    with tenant_session(ctx) as session:
        page, statuses, figures = dealers.list_dealers(session, ctx, q=q, limit=limit, cursor=cursor)
        return {
            "items": [
                {
                    "id": str(d.id),
                    "code": d.code,
                    "name": d.name,
                    "profile": d.profile,
                    "status": statuses[d.id],
                    **to_jsonable(figures[d.id]),
                }
                for d in page.items
            ],
            "next_cursor": page.next_cursor,
        }


def _dealer_summary(session: Session, ctx: TenantContext, dealer_id: uuid.UUID) -> dict[str, Any]:
    data = dealers.summary(session, ctx, dealer_id)
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


@router.get("/dealers/{dealer_id}")
def get_dealer(dealer_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> dict:
    with tenant_session(ctx) as session:
        return _dealer_summary(session, ctx, dealer_id)


@router.patch("/dealers/{dealer_id}/status")
def change_dealer_status(
    dealer_id: uuid.UUID, body: DealerStatusChange, ctx: TenantContext = Depends(require("margin.dealers.status"))
) -> dict:
    with tenant_session(ctx) as session:
        dealers.change_status(session, ctx, dealer_id, body.action, body.reason)
        return _dealer_summary(session, ctx, dealer_id)


# --- detection ---------------------------------------------------------------------------------


class DetectRequest(TextInput):
    as_of: Instant | None = None
    undercut_pct: str | None = Field(None, pattern=r"^[0-9]{1,3}(\.[0-9]{1,8})?$")
    dead_stock_days: StrictInt | None = Field(None, ge=0, le=3650)


@router.post("/margin/detect", status_code=202)
def detect(body: DetectRequest | None = None, ctx: TenantContext = Depends(require("margin.detect.run"))) -> dict:
    params = {k: v for k, v in (body.model_dump() if body else {}).items() if v is not None}
    job_id = submit_detection(ctx, to_jsonable(params))
    return {"job_id": str(job_id), "kind": "margin.detect", "progress_url": f"/api/jobs/{job_id}"}
