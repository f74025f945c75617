"""Demo Margin Defense data: sale rows and competitor snapshots against the demo catalog, one
detection scan (12 alerts with evidence), 10 tasks, dealer statuses and a few notes.

Figures (floors from seeds.catalog: MAP d3 499 / 479 for Metro, omega 1299, zinc 249; MRP 599,
1499, 299; our price for an undercut = the MAP floor, no list book in the demo):
10 MAP/MRP alerts and 2 competitor undercuts (zinc's snapshot is within 5 %: no alert).
Ids are deterministic and every step is get-or-create, so running the seeder twice changes nothing;
the scan runs at a fixed `DEMO_AS_OF` so the result never depends on the day it runs.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.margin.machines import TASK_MACHINE
from models.core.base import utcnow
from models.core.decisions import decide
from models.core.tables import Membership
from models.margin import dealers as dealer_repo
from models.margin.alerts import add_note
from models.margin.detection import run_detection
from models.margin.detection_runs import record_inline
from models.margin.inputs import TaskCreate
from models.margin.tables import MarginAlert, MarginCompetitorSnapshot, MarginNote, MarginSaleRow, MarginTask
from models.margin.tasks import create_task
from seeds.catalog import CURRENCY, IdFor
from seeds.enforcement import seed_enforcement
from seeds.ids import demo_id

# The demo's story is anchored to the day it is seeded (midnight UTC), so a fresh `make run` always
# shows sales from the last weeks, tasks due around today and a non-zero "lost margin, last 30 days".
# Tests read these constants (one value per process) instead of today's date.
DEMO_AS_OF = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
DAY0 = DEMO_AS_OF - timedelta(days=18) + timedelta(hours=9)

# dealer, sku, channel, [(advertised, transaction, qty), ...] — one row per day from DAY0
SALES: list[tuple[str, str, str, list[tuple[str, str, int]]]] = [
    ("dealer-metro", "d3", "online", [("459.00", "589.00", 3), ("469.00", "599.00", 2), ("489.00", "609.00", 4)]),
    ("dealer-metro", "omega", "online", [("1249.00", "1499.00", 1), ("1199.00", "1549.00", 2)]),
    ("dealer-metro", "zinc", "retail", [("239.00", "289.00", 10), ("249.00", "299.00", 5)]),
    ("dealer-coastal", "d3", "retail", [("479.00", "599.00", 6), ("499.00", "620.00", 2)]),
    ("dealer-coastal", "omega", "online", [("1250.00", "1450.00", 2), ("1280.00", "1480.00", 3)]),
    ("dealer-coastal", "zinc", "retail", [("229.00", "279.00", 12), ("245.00", "295.00", 8)]),
]
# competitor snapshots: sku, price, days before DEMO_AS_OF
SNAPSHOTS = [("d3", "449.00", 3), ("omega", "1150.00", 2), ("zinc", "240.00", 1)]

# Expected outcome of the scan (tests hold the seeder to it): (rule, dealer, sku) → impact
EXPECTED_IMPACT: dict[tuple[str, str, str], Decimal] = {
    ("map_breach", "dealer-metro", "d3"): Decimal("80"),
    ("mrp_breach", "dealer-metro", "d3"): Decimal("30"),
    ("map_breach", "dealer-metro", "omega"): Decimal("250"),
    ("map_breach", "dealer-metro", "zinc"): Decimal("100"),
    ("mrp_breach", "dealer-metro", "zinc"): Decimal("100"),
    ("map_breach", "dealer-coastal", "d3"): Decimal("120"),
    ("map_breach", "dealer-coastal", "omega"): Decimal("155"),
    ("mrp_breach", "dealer-coastal", "omega"): Decimal("155"),
    ("map_breach", "dealer-coastal", "zinc"): Decimal("272"),
    ("mrp_breach", "dealer-coastal", "zinc"): Decimal("272"),
    ("competitor_undercut", "competitor", "d3"): Decimal("850"),  # (499 − 449) × 17 units
    ("competitor_undercut", "competitor", "omega"): Decimal("1192"),  # (1299 − 1150) × 8 units
}

TASK_TITLES = [
    "Call {dealer} about {sku} pricing",
    "Collect screenshots of {sku} listing at {dealer}",
    "Confirm {sku} price correction with {dealer}",
    "Review {dealer} invoices for {sku}",
    "Send MAP policy reminder to {dealer} ({sku})",
]


def add_observations(session: Session, ctx: TenantContext, id_for: IdFor) -> None:
    """Sale rows and snapshots (append-only; inserted once, by deterministic id)."""
    org, sku, channel = (
        (lambda k: id_for("organization", k)),
        (lambda k: id_for("sku", k)),
        (lambda k: id_for("channel", k)),
    )
    sale_ids = []
    rows = []
    for dealer, sku_key, chan, observations in SALES:
        for n, (advertised, transaction, qty) in enumerate(observations):
            rid = id_for("margin_sale_row", f"{dealer}:{sku_key}:{n}")
            sale_ids.append(rid)
            rows.append(
                {
                    "id": rid,
                    "tenant_id": ctx.tenant_id,
                    "dealer_id": org(dealer),
                    "sku_id": sku(sku_key),
                    "channel_id": channel(chan),
                    "advertised_price": Decimal(advertised),
                    "transaction_price": Decimal(transaction),
                    "qty": qty,
                    "currency": CURRENCY,
                    "observed_at": DAY0 + timedelta(days=n * 3, hours=len(rows)),
                    "source": "demo",
                    "created_at": DAY0,
                }
            )
    have = set(
        session.exec(
            select(MarginSaleRow.id).where(
                MarginSaleRow.tenant_id == ctx.tenant_id, col(MarginSaleRow.id).in_(sale_ids)
            )
        ).all()
    )
    fresh = [r for r in rows if r["id"] not in have]
    if fresh:
        session.execute(insert(MarginSaleRow.__table__), fresh)  # type: ignore[attr-defined]
    snaps = []
    for sku_key, price, days in SNAPSHOTS:
        sid = id_for("margin_snapshot", f"competitor:{sku_key}")
        if session.exec(
            select(MarginCompetitorSnapshot.id).where(
                MarginCompetitorSnapshot.tenant_id == ctx.tenant_id, MarginCompetitorSnapshot.id == sid
            )
        ).first():
            continue
        snaps.append(
            {
                "id": sid,
                "tenant_id": ctx.tenant_id,
                "competitor_id": org("competitor"),
                "sku_id": sku(sku_key),
                "channel_id": channel("online"),
                "price": Decimal(price),
                "currency": CURRENCY,
                "observed_at": DEMO_AS_OF - timedelta(days=days),
                "source": "demo",
                "created_at": DEMO_AS_OF - timedelta(days=days),
            }
        )
    if snaps:
        session.execute(insert(MarginCompetitorSnapshot.__table__), snaps)  # type: ignore[attr-defined]


def _member(session: Session, ctx: TenantContext, role: str) -> uuid.UUID | None:
    return session.exec(
        select(Membership.user_id)
        .where(Membership.tenant_id == ctx.tenant_id, Membership.role == role)
        .order_by(Membership.user_id)
    ).first()


def add_work(session: Session, ctx: TenantContext, id_for: IdFor) -> None:
    """10 tasks on the first 10 alerts (a few started or done), dealer statuses, two notes."""
    alerts = session.exec(
        select(MarginAlert)
        .where(MarginAlert.tenant_id == ctx.tenant_id)
        .order_by(MarginAlert.rule, MarginAlert.dealer_id, MarginAlert.sku_id)
    ).all()
    names = {
        v: k for k, v in ((k, id_for("organization", k)) for k in ("dealer-metro", "dealer-coastal", "competitor"))
    }
    skus = {id_for("sku", k): k for k in ("d3", "omega", "zinc")}
    sales_user, ops_user = _member(session, ctx, "sales"), _member(session, ctx, "ops")
    for n, alert in enumerate(alerts[:10]):
        tid = id_for("margin_task", f"task:{n}")
        if session.exec(
            select(MarginTask.id).where(MarginTask.tenant_id == ctx.tenant_id, MarginTask.id == tid)
        ).first():
            continue
        title = TASK_TITLES[n % len(TASK_TITLES)].format(
            dealer=names.get(alert.dealer_id, "dealer"), sku=skus.get(alert.sku_id, "sku")
        )
        task = create_task(
            session,
            ctx,
            TaskCreate(
                title=title,
                alert_id=alert.id,
                assignee_user_id=sales_user if n % 2 == 0 else ops_user,
                due_at=DEMO_AS_OF + timedelta(days=n - 2),
            ),
            task_id=tid,
        )
        if n in (1, 4):
            decide(session, ctx, TASK_MACHINE, task, "start")
        if n == 7:
            decide(session, ctx, TASK_MACHINE, task, "complete")
    coastal = dealer_repo.get_dealer(session, ctx, id_for("organization", "dealer-coastal"))
    metro = dealer_repo.get_dealer(session, ctx, id_for("organization", "dealer-metro"))
    dealer_repo.status_row(session, ctx, metro)
    if dealer_repo.status_row(session, ctx, coastal).status == "active":
        dealer_repo.change_status(session, ctx, coastal.id, "warn", "Repeated MAP breaches on zinc and omega")
    if alerts and not session.exec(select(MarginNote.id).where(MarginNote.tenant_id == ctx.tenant_id)).first():
        add_note(
            session,
            ctx,
            "Dealer says the marketplace applied an automatic coupon.",
            alert_id=alerts[0].id,
            dealer_id=alerts[0].dealer_id,
        )


def build_margin(session: Session, ctx: TenantContext, id_for: IdFor) -> dict:
    """Observations → one scan at DEMO_AS_OF → tasks, statuses, notes. Idempotent: once alerts
    exist the scan is not repeated, so a second run writes nothing (not even an audit event)."""
    add_observations(session, ctx, id_for)
    scanned = session.exec(select(MarginAlert.id).where(MarginAlert.tenant_id == ctx.tenant_id).limit(1)).first()
    if scanned:
        result = {"created": 0, "attached": 0, "skipped": True}
    else:
        started = utcnow()
        result = run_detection(session, ctx, as_of=DEMO_AS_OF)
        record_inline(session, ctx, result, started)  # the runs list shows the demo's scan
    add_work(session, ctx, id_for)
    return result


def seed_margin(session: Session, ctx: TenantContext) -> None:
    """The demo tenant's margin data (after seed_catalog)."""
    build_margin(session, ctx, demo_id)


def seed(session: Session, ctx: TenantContext) -> None:
    """The module's seeder (seeds/demo.py): alerts, tasks and notes, then the enforcement batches."""
    seed_margin(session, ctx)
    seed_enforcement(session, ctx)
