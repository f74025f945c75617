"""`/api/alerts`: list, detail (the read model the /alert page shows), evidence, timeline, and
decisions or notes (margin.alerts.update / margin.notes.write; the machine adds margin.enforcement.run
for enforce/stand_down). Ids of another tenant answer 404."""

from __future__ import annotations

import uuid
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends

from app.api.deps import require
from app.api.margin import schemas
from app.api.margin.common import Cursor, Limit, row_view
from engine.context import TenantContext
from engine.jsonable import to_jsonable
from engine.margin import permissions as perm
from engine.margin.frames import RULES
from engine.margin.severity import LEVELS
from models.margin import actions
from models.margin.inputs import AlertPatch, AlertStatus
from models.margin.queries import alerts as alert_queries

router = APIRouter(prefix="/api", tags=["margin"])

RuleQ = Literal[RULES]
SeverityQ = Literal[LEVELS]


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


@router.get("/alerts", response_model=schemas.Page[schemas.AlertPublic])
def list_alerts(
    ctx: TenantContext = Depends(require(perm.READ)),
    status: AlertStatus | None = None,
    rule: RuleQ | None = None,
    severity: SeverityQ | None = None,
    dealer_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    open_only: bool = False,
    limit: Limit = 50,
    cursor: Cursor = None,
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
    return _alert_detail(
        actions.patch_alert(
            ctx, alert_id, action=body.action, reason=body.reason, note=body.note, expected_status=body.expected_status
        )
    )
