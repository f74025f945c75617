"""Enforcement constants and the batch filters every part of the module shares."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from engine.context import TenantContext
from engine.margin.machines import ALERT_MACHINE
from models.margin.inputs import Rule, Severity

ENFORCE = "margin.enforcement.run"
READ = "margin.read"
KIND = "margin.enforce"
MAX_ALERTS = 20000
TASK_NAMESPACE = uuid.UUID("0b7c6b54-5f3e-4d7e-9a61-2b1e7c0d9e41")
# the sale-row column a rule watches
WATCHED = {"map_breach": "advertised_price", "mrp_breach": "transaction_price"}
FINISHED_ITEM = ("done", "skipped", "failed", "cancelled")
ENFORCE_FROM = next(t.sources for t in ALERT_MACHINE.transitions if t.action == "enforce")


class BatchFilters(BaseModel):
    """Which alerts a batch covers. `alert_ids` picks them explicitly (selected alerts that are no
    longer open are reported as skipped); otherwise open alerts matching every given filter."""

    model_config = ConfigDict(extra="forbid")
    alert_ids: list[uuid.UUID] | None = Field(None, max_length=MAX_ALERTS)
    rules: list[Rule] | None = Field(None, max_length=10)
    severities: list[Severity] | None = Field(None, max_length=10)
    dealer_ids: list[uuid.UUID] | None = Field(None, max_length=5000)
    sku_ids: list[uuid.UUID] | None = Field(None, max_length=5000)


def as_filters(value: BatchFilters | dict[str, Any] | None) -> BatchFilters:
    if isinstance(value, BatchFilters):
        return value
    return BatchFilters.model_validate(value or {})


def system_context(ctx: TenantContext) -> TenantContext:
    return TenantContext.system(ctx.tenant_id, ctx.tenant_slug)
