"""Reads of batches: the list, progress counts, the detail, the report with before/after deltas,
its CSV, the notices sent."""

from __future__ import annotations

import decimal
import uuid
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, select

from engine.context import TenantContext
from engine.csv_safety import to_csv
from engine.errors import Conflict
from engine.margin import enforcement as engine
from engine.margin.machines import BATCH_MACHINE
from models.core.pagination import Page, keyset_page, parse_instant
from models.jobs.repo import get_job
from models.jobs.tables import Job, JobItem
from models.margin.enforcement.batches import get_batch, items_of, reconcile
from models.margin.enforcement.common import WATCHED
from models.margin.enforcement.selection import latest_prices, org_sku_names
from models.margin.enforcement.tables import EnforcementBatch, EnforcementLog, EnforcementNotice


def list_batches(
    session: Session,
    ctx: TenantContext,
    *,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[EnforcementBatch]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = select(EnforcementBatch).where(EnforcementBatch.tenant_id == ctx.tenant_id)
    if status:
        query = query.where(EnforcementBatch.status == status)
    return keyset_page(
        session,
        query,
        EnforcementBatch.created_at,
        EnforcementBatch.id,
        limit=limit,
        cursor=cursor,
        descending=True,
        parse=parse_instant,
    )


def _job_items(session: Session, ctx: TenantContext, batch: EnforcementBatch) -> dict[str, JobItem]:
    if batch.job_id is None:
        return {}
    return {
        j.idempotency_key: j
        for j in session.exec(
            select(JobItem).where(JobItem.tenant_id == ctx.tenant_id, JobItem.job_id == batch.job_id)
        ).all()
    }


def outcome_of(job_item: JobItem | None) -> str:
    """pending / running / sent / already_compliant / <skip reason> / failed / cancelled."""
    if job_item is None:
        return "planned"
    if job_item.status in ("done", "skipped"):
        result = job_item.result or {}
        return str(result.get("outcome") or result.get("skipped") or job_item.status)
    return job_item.status


def counts(session: Session, ctx: TenantContext, batch: EnforcementBatch) -> dict[str, int]:
    """Items by outcome (SQL, no row loading): for the execution page and the list."""
    out: dict[str, int] = {"total": batch.item_count}
    if batch.job_id is None:
        out["planned"] = batch.item_count
        return out
    rows = session.execute(
        text(
            "select case when status in ('done', 'skipped') "
            "then coalesce(result->>'outcome', result->>'skipped', status) else status end as outcome, count(*) "
            "from job_items where tenant_id = :t and job_id = :j group by 1"
        ),
        {"t": ctx.tenant_id, "j": batch.job_id},
    ).all()
    for outcome, n in rows:
        out[outcome] = int(n)
    out["finished"] = sum(n for k, n in out.items() if k not in ("total", "pending", "running", "planned"))
    return out


def batch_view(session: Session, ctx: TenantContext, batch: EnforcementBatch) -> dict[str, Any]:
    from engine.jsonable import to_jsonable

    data = to_jsonable(batch.model_dump())
    data.pop("tenant_id", None)
    data["label"] = engine.ACTIONS[batch.action][0]
    data["counts"] = counts(session, ctx, batch)
    total = batch.item_count or 1
    data["percent"] = 100 * data["counts"].get("finished", 0) // total
    data["finished"] = batch.status in BATCH_MACHINE.terminal
    return data


def batch_detail(session: Session, ctx: TenantContext, batch_id: Any, *, recent: int = 50) -> dict[str, Any]:
    """Batch, counts by outcome, the newest log rows (the per-item feed)."""
    batch = reconcile(session, ctx, get_batch(session, ctx, batch_id))
    logs = session.exec(
        select(EnforcementLog)
        .where(EnforcementLog.tenant_id == ctx.tenant_id, EnforcementLog.batch_id == batch.id)
        .order_by(EnforcementLog.created_at.desc(), EnforcementLog.id.desc())  # type: ignore[attr-defined]
        .limit(recent)
    ).all()
    return {
        **batch_view(session, ctx, batch),
        "feed": [
            {
                "at": row.created_at.isoformat(),
                "event": row.event,
                "level": row.level,
                "message": row.message,
                "dealer_id": str(row.dealer_id) if row.dealer_id else None,
                "outcome": (row.data or {}).get("outcome"),
            }
            for row in logs
        ],
    }


def report(session: Session, ctx: TenantContext, batch_id: Any) -> dict[str, Any]:
    """Outcomes per item and the deltas: lost margin and breach count before (the plan) vs after
    (alerts whose dealer's latest watched price is still below the floor); per dealer and SKU, the
    price before vs after and the time to comply (first observation at/above the floor after the
    batch started)."""
    batch = reconcile(session, ctx, get_batch(session, ctx, batch_id))
    items = items_of(session, ctx, batch)
    runs = _job_items(session, ctx, batch)
    orgs, skus = org_sku_names(
        session, ctx, {i.dealer_id for i in items}, {uuid.UUID(a["sku_id"]) for i in items for a in i.alerts}
    )
    since = batch.started_at or batch.created_at
    lost_before = lost_after = Decimal(0)
    breaches_before = breaches_after = 0
    outcomes: dict[str, int] = defaultdict(int)
    rows_out: list[dict[str, Any]] = []
    dealers_out: list[dict[str, Any]] = []
    for item in items:
        run = runs.get(item.item_key)
        outcome = outcome_of(run)
        outcomes[outcome] += 1
        keys = [(a["rule"], uuid.UUID(a["sku_id"])) for a in item.alerts]
        now_prices = latest_prices(session, ctx, item.dealer_id, keys)
        complied = _complied_at(session, ctx, item.dealer_id, item.alerts, since)
        org = orgs.get(item.dealer_id)
        lines = []
        for a in item.alerts:
            floor = None if a["floor"] is None else Decimal(a["floor"])
            impact = Decimal(a["impact"])
            after = now_prices[(a["rule"], uuid.UUID(a["sku_id"]))][0]
            breaching = not engine.is_compliant(floor, after)
            lost_before += impact
            breaches_before += 1
            if breaching:
                lost_after += impact
                breaches_after += 1
            at = complied.get(a["alert_id"])
            sku = skus.get(uuid.UUID(a["sku_id"]))
            lines.append(
                {
                    "alert_id": a["alert_id"],
                    "sku_id": a["sku_id"],
                    "sku_code": sku.code if sku else a["sku_id"],
                    "rule": a["rule"],
                    "floor": floor,
                    "price_before": None if a["price_before"] is None else Decimal(a["price_before"]),
                    "price_after": after,
                    "breaching_after": breaching,
                    "impact": impact,
                    "complied_at": at,
                    "time_to_comply_hours": None
                    if at is None or breaching
                    else (Decimal(int((at - since).total_seconds())) / Decimal(3600)).quantize(Decimal("0.01")),
                }
            )
        result = (run.result if run else None) or {}
        entry = {
            "seq": item.seq,
            "item_key": item.item_key,
            "dealer_id": str(item.dealer_id),
            "dealer_name": org.name if org else str(item.dealer_id),
            "dealer_code": org.code if org else "",
            "outcome": outcome,
            "error": run.error if run else None,
            "attempts": run.attempts if run else 0,
            "finished_at": run.finished_at.isoformat() if run and run.finished_at else None,
            "status_before": result.get("status_before", item.status_before),
            "status_after": result.get("status_after", item.status_before if outcome != "sent" else item.status_after),
            "planned_status_after": item.status_after,
            "recoverable": item.recoverable,
            "notice_id": result.get("notice_id"),
            "task_id": result.get("task_id"),
            "alerts": lines,
        }
        rows_out.append(entry)
        done_hours = [ln["time_to_comply_hours"] for ln in lines]
        dealers_out.append(
            {
                "dealer_id": entry["dealer_id"],
                "dealer_name": entry["dealer_name"],
                "complied": all(not ln["breaching_after"] for ln in lines),
                "time_to_comply_hours": max(done_hours)
                if done_hours and all(h is not None for h in done_hours)
                else None,
                "prices": [
                    {k: ln[k] for k in ("sku_code", "rule", "floor", "price_before", "price_after", "breaching_after")}
                    for ln in lines
                ],
            }
        )
    notices = session.exec(
        select(func.count()).where(EnforcementNotice.tenant_id == ctx.tenant_id, EnforcementNotice.batch_id == batch.id)
    ).one()
    return {
        "batch": batch_view(session, ctx, batch),
        "totals": {
            "items": len(items),
            "alerts": breaches_before,
            "notices_sent": int(notices),
            "skipped_at_preview": batch.skipped_count,
            "expected_recoverable": batch.expected_recoverable,
            "outcomes": dict(sorted(outcomes.items())),
        },
        "deltas": {
            "lost_margin_before": lost_before,
            "lost_margin_after": lost_after,
            "lost_margin_delta": lost_after - lost_before,
            "breaches_before": breaches_before,
            "breaches_after": breaches_after,
            "breaches_delta": breaches_after - breaches_before,
            "since": since.isoformat(),
        },
        "dealers": dealers_out,
        "items": rows_out,
        "skipped_at_preview": batch.skipped,
    }


def _complied_at(
    session: Session, ctx: TenantContext, dealer_id: uuid.UUID, alerts: list[dict[str, Any]], since: datetime
) -> dict[str, datetime]:
    """alert id → first observation at/above its floor at or after `since`."""
    out: dict[str, datetime] = {}
    for a in alerts:
        column = WATCHED.get(a["rule"])
        if column is None or a["floor"] is None:
            continue
        at = session.execute(
            text(
                f"select min(observed_at) from margin_sale_rows where tenant_id = :t and dealer_id = :d "
                f"and sku_id = :s and {column} >= :f and observed_at >= :since"
            ),
            {"t": ctx.tenant_id, "d": dealer_id, "s": uuid.UUID(a["sku_id"]), "f": Decimal(a["floor"]), "since": since},
        ).scalar()
        if at is not None:
            out[a["alert_id"]] = at
    return out


CSV_HEADER = (
    "batch", "action", "seq", "dealer", "dealer_code", "outcome", "sku", "rule", "floor",
    "price_before", "price_after", "breaching_after", "impact", "time_to_comply_hours", "notice_id",
)  # fmt: skip


_CENTS = Decimal("0.01")
_EXACT = decimal.Context(prec=80, rounding=decimal.ROUND_HALF_EVEN)


def _money(value: Any) -> Decimal | None:
    """Exactly two decimals (Decimal quantize, half-even, never float); no "-0.00"."""
    if value is None:
        return None
    amount = Decimal(value).quantize(_CENTS, context=_EXACT)
    return amount.copy_abs() if amount == 0 else amount


def report_csv_text(data: dict[str, Any]) -> tuple[str, str]:
    """(file name, CSV text) of a batch report (`report`'s answer): one line per alert of each item,
    every cell formula-safe, money with exactly two decimals."""
    batch = data["batch"]
    rows = [
        (
            batch["name"],
            batch["action"],
            item["seq"],
            item["dealer_name"],
            item["dealer_code"],
            item["outcome"],
            line["sku_code"],
            line["rule"],
            _money(line["floor"]),
            _money(line["price_before"]),
            _money(line["price_after"]),
            "yes" if line["breaching_after"] else "no",
            _money(line["impact"]),
            line["time_to_comply_hours"],
            item["notice_id"],
        )  # fmt: skip
        for item in data["items"]
        for line in item["alerts"]
    ]
    return f"enforcement-{batch['id']}.csv", to_csv(CSV_HEADER, rows)


def report_csv(session: Session, ctx: TenantContext, batch_id: Any) -> tuple[str, str]:
    """(file name, CSV text) of the batch's report (`report_csv_text`)."""
    return report_csv_text(report(session, ctx, batch_id))


def list_notices(
    session: Session,
    ctx: TenantContext,
    *,
    batch_id: uuid.UUID | None = None,
    dealer_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[EnforcementNotice]:
    """The sent-notices list, newest first (keyset on created_at, id)."""
    query = select(EnforcementNotice).where(EnforcementNotice.tenant_id == ctx.tenant_id)
    if batch_id:
        query = query.where(EnforcementNotice.batch_id == batch_id)
    if dealer_id:
        query = query.where(EnforcementNotice.dealer_id == dealer_id)
    return keyset_page(
        session,
        query,
        EnforcementNotice.created_at,
        EnforcementNotice.id,
        limit=limit,
        cursor=cursor,
        descending=True,
        parse=parse_instant,
    )


def job_of(session: Session, ctx: TenantContext, batch_id: Any) -> Job:
    """The batch's job (for live progress); Conflict while the batch is a draft."""
    batch = get_batch(session, ctx, batch_id)
    if batch.job_id is None:
        raise Conflict("the batch has not been started")
    return get_job(session, ctx, batch.job_id)
