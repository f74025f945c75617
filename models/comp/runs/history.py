"""Payout history across runs (compensation-platform-prd.md §7 Reports, "Historical Payout by
team/fund/role"): what the tenant's finalized runs paid, per run and per team, fund or role.

Only finalized runs count: they are what people were paid (a draft or a run still waiting for an
approval can change or be dropped). The sums are PostgreSQL numeric sums of the stored payouts and
pool shares (numeric(38,10)), so every figure is exact; the team, fund and role are the employee's
in that run's upload (the import's dimensions), "no value" being its own group (None).

- `payout_history(ctx, *, by, plan_id, limit) -> PayoutHistory`: the latest `limit` finalized runs
  (oldest first, as a chart reads), one cell per run and group, each group's totals across them
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from engine.comp.permissions import READ
from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.comp.runs.tables import CompRun, EmployeeRow, RunResult
from models.comp.tables import BonusPlan
from models.core.db import tenant_session

DIMENSIONS = ("team", "fund", "role")
FINALIZED = "finalized"
DEFAULT_RUNS = 12
MAX_RUNS = 50
ZERO = Decimal("0.0000000000")  # numeric(38,10): an empty sum reads as the sums do


@dataclass(frozen=True)
class HistoryRun:
    run_id: uuid.UUID
    scenario_name: str
    plan_id: uuid.UUID
    plan_name: str
    plan_version: int
    finalized_at: datetime | None
    employees: int
    errors: int  # employees whose row failed (no payout)
    payout: Decimal
    allocated: Decimal


@dataclass(frozen=True)
class HistoryCell:
    run_id: uuid.UUID
    group: str | None
    employees: int
    payout: Decimal
    allocated: Decimal


@dataclass(frozen=True)
class HistoryGroup:
    group: str | None
    runs: int  # runs that paid someone in this group
    employees: int  # employee-runs (an employee in three runs counts three times)
    payout: Decimal
    allocated: Decimal


@dataclass(frozen=True)
class PayoutHistory:
    by: str
    runs: list[HistoryRun] = field(default_factory=list)
    groups: list[HistoryGroup] = field(default_factory=list)  # largest payout first
    cells: list[HistoryCell] = field(default_factory=list)  # run order, then group order
    payout: Decimal = ZERO
    allocated: Decimal = ZERO


def _dimension(by: str):
    if by not in DIMENSIONS:
        raise ValidationFailed(f"by must be one of {', '.join(DIMENSIONS)}", fields={"by": "unknown dimension"})
    return col(getattr(EmployeeRow, by))


def _finalized_runs(
    session: Session, ctx: TenantContext, plan_id: uuid.UUID | None, limit: int
) -> list[tuple[CompRun, BonusPlan]]:
    query = (
        select(CompRun, BonusPlan)
        .join(
            BonusPlan,
            (col(BonusPlan.id) == col(CompRun.plan_id)) & (col(BonusPlan.tenant_id) == col(CompRun.tenant_id)),
        )
        .where(CompRun.tenant_id == ctx.tenant_id, CompRun.status == FINALIZED)
    )
    if plan_id is not None:  # every version of that plan
        family = session.exec(
            select(BonusPlan.family_id).where(BonusPlan.tenant_id == ctx.tenant_id, BonusPlan.id == plan_id)
        ).first()
        if family is None:
            return []
        query = query.where(BonusPlan.family_id == family)
    newest = session.exec(
        query.order_by(col(CompRun.finalized_at).desc().nulls_last(), col(CompRun.id).desc()).limit(limit)
    ).all()
    return list(reversed(newest))


def payout_history(
    ctx: TenantContext, *, by: str = "team", plan_id: uuid.UUID | None = None, limit: int | None = None
) -> PayoutHistory:
    """The latest finalized runs' payouts and pool shares per run and per `by` (team, fund or role)."""
    ctx.require(READ)
    dim = _dimension(by)
    size = max(1, min(int(limit or DEFAULT_RUNS), MAX_RUNS))
    with tenant_session(ctx) as session:
        found = _finalized_runs(session, ctx, plan_id, size)
        if not found:
            return PayoutHistory(by)
        ids = [r.id for r, _ in found]
        rows = session.execute(  # six columns: sqlmodel's typed select stops at four
            sa_select(
                col(RunResult.run_id),
                dim,
                func.count(),
                func.count(col(RunResult.error)),
                func.sum(col(RunResult.payout)),
                func.sum(col(RunResult.allocated)),
            )
            .select_from(RunResult)
            .join(
                CompRun,
                (col(CompRun.id) == col(RunResult.run_id)) & (col(CompRun.tenant_id) == col(RunResult.tenant_id)),
            )
            .join(
                EmployeeRow,
                (col(EmployeeRow.tenant_id) == col(RunResult.tenant_id))
                & (col(EmployeeRow.upload_id) == col(CompRun.upload_id))
                & (col(EmployeeRow.row_no) == col(RunResult.row_no)),
                isouter=True,
            )
            .where(col(RunResult.tenant_id) == ctx.tenant_id, col(RunResult.run_id).in_(ids))
            .group_by(col(RunResult.run_id), dim)
        ).all()
    return _shape(by, found, rows)


def _shape(by: str, found: list[tuple[CompRun, BonusPlan]], rows: Sequence[Any]) -> PayoutHistory:
    order = {r.id: i for i, (r, _) in enumerate(found)}
    cells = [
        HistoryCell(run_id, group, int(n), Decimal(paid or ZERO), Decimal(alloc or ZERO))
        for run_id, group, n, _errors, paid, alloc in rows
    ]
    per_group: dict[str | None, list[HistoryCell]] = {}
    for c in cells:
        per_group.setdefault(c.group, []).append(c)
    groups = [
        HistoryGroup(
            g,
            len(cs),
            sum(c.employees for c in cs),
            sum((c.payout for c in cs), ZERO),
            sum((c.allocated for c in cs), ZERO),
        )
        for g, cs in per_group.items()
    ]
    groups.sort(key=lambda g: (-g.payout, g.group is None, g.group or ""))
    rank = {g.group: i for i, g in enumerate(groups)}
    cells.sort(key=lambda c: (order[c.run_id], rank[c.group]))
    errors: dict[uuid.UUID, int] = {}
    for run_id, _group, _n, failed, _paid, _alloc in rows:
        errors[run_id] = errors.get(run_id, 0) + int(failed)
    runs = []
    for run, plan in found:
        mine = [c for c in cells if c.run_id == run.id]
        runs.append(
            HistoryRun(
                run.id,
                run.scenario_name,
                plan.id,
                plan.name,
                plan.version,
                run.finalized_at,
                sum(c.employees for c in mine),
                errors.get(run.id, 0),
                sum((c.payout for c in mine), ZERO),
                sum((c.allocated for c in mine), ZERO),
            )
        )
    return PayoutHistory(
        by,
        runs,
        groups,
        cells,
        sum((r.payout for r in runs), ZERO),
        sum((r.allocated for r in runs), ZERO),
    )
