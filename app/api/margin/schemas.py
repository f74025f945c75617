"""Response models of the margin REST API, so /api/openapi.json is the contract the routes keep.

Row models are derived from the tables (every column but `tenant_id`) in the JSON form the API has
always answered with (`engine.jsonable.to_jsonable`): money and instants as text, ids as UUIDs.
Nested figures that the repositories compute (summary, preview, report) declare their keys, with
`extra="allow"` where a nested record is the repository's own (the keys are documented there).
"""

from __future__ import annotations

import types
import typing
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, create_model
from sqlmodel import SQLModel

from models.core.tables import DecisionEvent
from models.margin.enforcement.tables import EnforcementBatch, EnforcementNotice
from models.margin.tables import MarginAlert, MarginAlertEvidence, MarginDetectionRun, MarginTask

T = TypeVar("T")
TEXT_TYPES = (Decimal, datetime, date, float)  # what to_jsonable writes as text


class Page(BaseModel, Generic[T]):
    """One keyset page: `next_cursor` is null on the last page."""

    items: list[T]
    next_cursor: str | None


class Items(BaseModel, Generic[T]):
    items: list[T]


def _json_type(annotation: Any) -> Any:
    """The type of a column's value after to_jsonable."""
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        mapped = [_json_type(a) for a in args]
        out = mapped[0]
        for a in mapped[1:]:
            out = out | a
        return out
    if annotation in TEXT_TYPES:
        return str
    return annotation


def _nullable(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation)


def public_model(name: str, table: type[SQLModel], base: type[BaseModel] | None = None) -> type[BaseModel]:
    """`table`'s columns but tenant_id, as the API serializes them."""
    fields = {
        # nullable columns may be absent from a fresh row's dump: they answer null
        field: (_json_type(info.annotation), None if _nullable(info.annotation) else ...)
        for field, info in table.model_fields.items()
        if field != "tenant_id"
    }
    if base is not None:
        return create_model(name, __base__=base, **fields)  # type: ignore[call-overload]
    return create_model(name, **fields)  # type: ignore[call-overload]


class ActionPublic(BaseModel):
    """A transition the caller may take now (the decision path's machines)."""

    action: str
    label: str
    reason_required: bool


class AlertNames(BaseModel):
    dealer_name: str | None
    dealer_type: str | None
    sku_code: str | None
    sku_name: str | None


AlertPublic = public_model("AlertPublic", MarginAlert, AlertNames)
EvidencePublic = public_model("EvidencePublic", MarginAlertEvidence)
DecisionEventPublic = public_model("DecisionEventPublic", DecisionEvent)


class NoticeDeliveryPublic(BaseModel):
    """How a notice went out: channel, to whom, the status and what failed."""

    channel: str
    to: str
    status: str
    attempts: int
    delivered_at: str | None
    next_attempt_at: str | None
    last_error: str | None


class NoticeExtra(BaseModel):
    deliveries: list[NoticeDeliveryPublic] = []


NoticePublic = public_model("NoticePublic", EnforcementNotice, NoticeExtra)


class AlertDetailExtra(AlertNames):
    actions: list[ActionPublic]
    floor_source: dict[str, Any]
    math: dict[str, Any] | None


AlertDetailPublic = public_model("AlertDetailPublic", MarginAlert, AlertDetailExtra)


class TaskExtra(BaseModel):
    actions: list[ActionPublic]


TaskPublic = public_model("TaskPublic", MarginTask, TaskExtra)


class BatchExtra(BaseModel):
    label: str
    counts: dict[str, int]
    percent: int
    finished: bool


BatchPublic = public_model("BatchPublic", EnforcementBatch, BatchExtra)


class FeedEntry(BaseModel):
    at: str
    event: str
    level: str
    message: str
    dealer_id: str | None
    outcome: str | None


class BatchDetailExtra(BatchExtra):
    feed: list[FeedEntry]


BatchDetailPublic = public_model("BatchDetailPublic", EnforcementBatch, BatchDetailExtra)


class TrendDay(BaseModel):
    day: str
    alerts: int


class DashboardSummary(BaseModel):
    """models.margin.dashboard.summary: the definitions of each figure are documented there."""

    as_of: str
    period_days: int
    open_alerts: int
    open_alerts_by_rule: dict[str, int]
    open_alerts_by_severity: dict[str, int]
    lost_margin_period: str
    lost_margin_open: str
    open_impact_all: str
    open_impact_by_rule: dict[str, str]
    dealers_in_breach: int
    tasks_open: int
    tasks_due: int
    tasks_overdue: int
    running_batches: int
    running_jobs_by_kind: dict[str, int]
    breach_trend: list[TrendDay]


class DealerRowPublic(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    profile: dict[str, Any]
    status: str
    open_alerts: int
    lost_margin: str


class DealerPublic(DealerRowPublic):
    open_alerts_by_rule: dict[str, int]
    open_tasks: int
    history: list[DecisionEventPublic]  # type: ignore[valid-type]
    actions: list[ActionPublic]
    ladder: list[str]


class DetectAccepted(BaseModel):
    job_id: uuid.UUID
    kind: str
    progress_url: str


class PreviewPublic(BaseModel):
    """models.margin.enforcement.preview: per-dealer items, skipped alerts with reasons, totals."""

    model_config = ConfigDict(extra="allow")
    action: str
    label: str
    recoverable: str
    items: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    skipped_by_reason: dict[str, int]
    totals: dict[str, Any]


class ReportPublic(BaseModel):
    """models.margin.enforcement.report: outcomes per item, before/after deltas, per-dealer lines."""

    model_config = ConfigDict(extra="allow")
    batch: BatchPublic  # type: ignore[valid-type]
    totals: dict[str, Any]
    deltas: dict[str, Any]
    dealers: list[dict[str, Any]]
    items: list[dict[str, Any]]
    skipped_at_preview: list[dict[str, Any]]


class _RunExtras(BaseModel):
    """What models.margin.queries.detection.RunView adds to the run's columns."""

    status: str  # the job's (queued, running, completed, failed, cancelled)
    target_label: str | None
    filename: str | None
    report_url: str | None


DetectionRunPublic = public_model("DetectionRunPublic", MarginDetectionRun, _RunExtras)


class DetectionSchedulePublic(BaseModel):
    every_hours: int
