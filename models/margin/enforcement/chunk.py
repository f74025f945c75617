"""The worker's enforcement work for a whole chunk of "margin.enforce" items, set-based.

`EnforceChunk(session, ctx, payloads)` loads everything the chunk's items need with one query per
table (batch, planned items, dealers, alerts, latest watched prices, SKU codes, dealer status rows
— created at 'active' for dealers new to the ladder — and, for redone items only, the notices and
follow-up tasks an earlier attempt recorded). `process(item_key, payload)` then does one item's
work without writing: its decisions (alerts resolved or enforced, the dealer's rung) are checked
against the machines now (an invalid one fails that item only) and *collected*, like the rows that
need no decision (the notice in the outbox, the follow-up task, the log row). The chunk's alerts and
dealer status rows are row-locked when loaded, so the checked statuses hold until the flush.
`flush(kept)` runs once per chunk, after the runner has written the items' done marks, in the same
transaction: it applies the kept items' decisions with `decide_many` (one per machine, in processing
order; each decision still gets its own decision event, audit link and outbox row), bulk-inserts
the collected rows of the items whose marks were written (`kept`; a dropped item leaves nothing
behind), and appends the chunk's audit events in ONE `record_many` at the end (the status rows
created, every decision, and a `margin_batch.enforce_chunk` event listing every item key with its
outcome, notice id and task id — the notices and tasks created are business mutations audited
there instead of one audit link per row), so the tenant's audit lock is held only from there to
commit; then it checks once whether the batch's last open item just finished.

Idempotency is unchanged: notice keys are unique per tenant (`on conflict do nothing`), task ids are
derived from the item key, the dealer decision carries the item's status effect key. The job items
of a chunk are row-locked by the runner's lease renewal for the whole transaction, so no other
worker can record the same notice between the load and the flush.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import NotFound
from engine.jsonable import to_jsonable
from engine.margin import enforcement as engine
from engine.margin.machines import ALERT_MACHINE, ALERT_OPEN_STATES, DEALER_MACHINE
from engine.state_machine import StateMachine
from models.catalog.tables import Organization, Sku
from models.core.audit_buffer import AuditBuffer
from models.core.base import utcnow
from models.core.bulk import insert_rows, table_of
from models.core.decisions import DecisionRequest, decide_many
from models.core.tables import OutboxEvent
from models.margin.enforcement.batches import get_batch, move_batch, notice_outbox_row, notice_text, task_id_for
from models.margin.enforcement.common import ENFORCE_FROM, WATCHED
from models.margin.enforcement.tables import EnforcementItem, EnforcementLog, EnforcementNotice
from models.margin.tables import MarginAlert, MarginDealerStatus, MarginTask

PriceMap = dict[tuple[uuid.UUID, str, uuid.UUID], tuple[Decimal | None, datetime | None]]


def latest_prices_many(
    session: Session, ctx: TenantContext, keys: Iterable[tuple[uuid.UUID, str, uuid.UUID]]
) -> PriceMap:
    """(dealer, rule, sku) → the dealer's latest watched price and when it was observed: one query
    per watched column for all the dealers and SKUs asked."""

    wanted = set(keys)
    out: PriceMap = {k: (None, None) for k in wanted}
    for rule in sorted({r for _, r, _ in wanted}):
        column = WATCHED.get(rule)
        if column is None:
            continue
        pairs = sorted({(d, s) for d, r, s in wanted if r == rule})
        rows = session.execute(
            text(
                f"select distinct on (r.dealer_id, r.sku_id) r.dealer_id, r.sku_id, r.{column} as price, r.observed_at "
                "from margin_sale_rows r join unnest(cast(:d as uuid[]), cast(:s as uuid[])) as w(dealer_id, sku_id) "
                "on r.dealer_id = w.dealer_id and r.sku_id = w.sku_id "
                f"where r.tenant_id = :t and r.{column} is not null "
                "order by r.dealer_id, r.sku_id, r.observed_at desc, r.id desc"
            ),
            {"t": ctx.tenant_id, "d": [d for d, _ in pairs], "s": [s for _, s in pairs]},
        ).all()
        for row in rows:
            out[(row.dealer_id, rule, row.sku_id)] = (row.price, row.observed_at)
    return out


class EnforceChunk:
    """One chunk's enforcement work; see the module docstring."""

    def __init__(
        self,
        session: Session,
        ctx: TenantContext,
        payloads: list[dict[str, Any]],
        *,
        redone: Iterable[str] | None = None,
    ):

        self.session, self.ctx = session, ctx
        batch_ids = {str(p["batch_id"]) for p in payloads}
        self.batches = {b: get_batch(session, ctx, b) for b in sorted(batch_ids)}
        # a queued batch is locked now and moved to running in flush(), just before the chunk's audit
        # append: the decision's audit lock must come after every row lock of the chunk (lock order)
        self._to_run: list[Any] = []
        for batch in self.batches.values():
            if batch.status == "queued":
                session.refresh(batch, with_for_update=True)
                if batch.status == "queued":
                    self._to_run.append(batch)
        t = ctx.tenant_id
        item_ids = [uuid.UUID(str(p["item_id"])) for p in payloads]
        self.items = {
            i.id: i
            for i in session.exec(
                select(EnforcementItem).where(EnforcementItem.tenant_id == t, col(EnforcementItem.id).in_(item_ids))
            ).all()
        }
        dealer_ids = sorted({i.dealer_id for i in self.items.values()})
        self.dealers = {
            o.id: o
            for o in session.exec(
                select(Organization).where(Organization.tenant_id == t, col(Organization.id).in_(dealer_ids))
            ).all()
        }
        alert_ids = sorted({uuid.UUID(a["alert_id"]) for i in self.items.values() for a in i.alerts})
        self.alerts = {
            a.id: a
            for a in session.exec(
                select(MarginAlert)
                .where(MarginAlert.tenant_id == t, col(MarginAlert.id).in_(alert_ids))
                .order_by(col(MarginAlert.id))
                .with_for_update()  # decided in flush(): no one else may move them before
            ).all()
        }
        self.prices = latest_prices_many(session, ctx, ((a.dealer_id, a.rule, a.sku_id) for a in self.alerts.values()))
        sku_ids = sorted({a.sku_id for a in self.alerts.values()})
        self.skus = {
            s.id: s for s in session.exec(select(Sku).where(Sku.tenant_id == t, col(Sku.id).in_(sku_ids))).all()
        }
        self._pending_audits: list[dict[str, Any]] = []  # appended by flush(), kept items or not
        self.statuses: dict[uuid.UUID, MarginDealerStatus] = {}
        self._load_status_rows(dealer_ids)
        # An item's notice and task are written only with its done mark, so an item on its first
        # attempt has none: look up (and skip) what an earlier attempt recorded only for redone items.
        keys = [i.item_key for i in self.items.values()]
        if redone is not None:
            keys = [k for k in keys if k in set(redone)]
        self.notices: dict[str, uuid.UUID] = {}
        self.tasks: set[uuid.UUID] = set()
        if keys:
            notice_keys = [engine.effect_key(k, "notice") for k in keys]
            self.notices = {
                key: nid
                for key, nid in session.execute(
                    select(EnforcementNotice.idempotency_key, EnforcementNotice.id).where(
                        EnforcementNotice.tenant_id == t,
                        col(EnforcementNotice.idempotency_key).in_(notice_keys),
                    )
                ).all()
            }

            task_ids = [task_id_for(ctx, k) for k in keys]
            self.tasks = set(
                session.exec(
                    select(MarginTask.id).where(MarginTask.tenant_id == t, col(MarginTask.id).in_(task_ids))
                ).all()
            )
        # collected per item key, written by flush() for the kept items only
        self._notice_rows: dict[str, dict[str, Any]] = {}
        self._notice_dealers: dict[str, str] = {}
        self._task_rows: dict[str, dict[str, Any]] = {}
        self._log_rows: dict[str, dict[str, Any]] = {}
        self._summary: dict[str, dict[str, Any]] = {}
        self._batch_of: dict[str, str] = {}
        # item key → its decisions (machine, entity, action, reason, details, target), checked now,
        # applied by flush() with decide_many for the kept items, in processing order
        self._decisions: dict[str, list[tuple[StateMachine, Any, str, str | None, dict[str, Any], str]]] = {}
        self._planned: dict[int, str] = {}  # id(entity) → its status after the decisions collected so far

    def _load_status_rows(self, dealer_ids: list[uuid.UUID]) -> None:
        """The chunk's dealer status rows, row-locked. Dealers on the ladder for the first time get
        theirs at 'active' (creation is not a decision): one insert for the chunk, its audit event
        (listing the rows) appended by flush(), so the audit lock is taken only at the chunk's end."""
        if not dealer_ids:
            return
        session, ctx = self.session, self.ctx
        created = session.execute(
            text(
                "insert into margin_dealer_status (id, tenant_id, dealer_id, status, created_at) "
                "select gen_random_uuid(), :t, d, :status, :at from unnest(cast(:dealers as uuid[])) as d "
                "on conflict (tenant_id, dealer_id) do nothing returning id, dealer_id"
            ),
            {"t": ctx.tenant_id, "status": DEALER_MACHINE.initial, "at": utcnow(), "dealers": dealer_ids},
        ).all()
        if created:
            batch = next(iter(self.batches.values()))
            self._pending_audits.append(
                {
                    "action": "margin_dealer_status.create_many",
                    "entity": "margin_enforcement_batches",
                    "entity_id": batch.id,
                    "after": {
                        "status": DEALER_MACHINE.initial,
                        "rows": [{"id": str(r.id), "dealer_id": str(r.dealer_id)} for r in created],
                    },
                }
            )
        for row in session.exec(
            select(MarginDealerStatus)
            .where(
                MarginDealerStatus.tenant_id == ctx.tenant_id,
                col(MarginDealerStatus.dealer_id).in_(dealer_ids),
            )
            .order_by(col(MarginDealerStatus.id))
            .with_for_update()
        ).all():
            self.statuses[row.dealer_id] = row

    # -- one item (collects only; see _dealer_status) --------------------------------------------

    def _status(self, entity: Any) -> str:
        """The entity's status once the decisions collected so far are applied."""
        current: str = entity.status
        return self._planned.get(id(entity), current)

    def _forget(self, item_key: str) -> None:
        """Drop an item's collected rows and decisions (the planned statuses follow)."""
        for store in (self._notice_rows, self._notice_dealers, self._task_rows, self._log_rows, self._summary):
            store.pop(item_key, None)
        if self._decisions.pop(item_key, None):
            self._planned = {
                id(entity): target for decisions in self._decisions.values() for _, entity, *_, target in decisions
            }

    def _decide(
        self,
        item_key: str,
        machine: StateMachine,
        entity: Any,
        action: str,
        reason: str | None,
        details: dict[str, Any],
    ) -> None:
        """Check one decision now (an invalid one fails this item only); flush() applies it."""
        transition = machine.check(self._status(entity), action, self.ctx, reason)
        self._decisions.setdefault(item_key, []).append((machine, entity, action, reason, details, transition.target))
        self._planned[id(entity)] = transition.target

    def _dealer_status(self, dealer: Organization) -> MarginDealerStatus:
        """The dealer's status row: loaded or created for every dealer of the chunk when it was
        loaded, so process() never writes (the runner relies on it: see `collects`)."""
        row = self.statuses.get(dealer.id)
        if row is None:
            raise NotFound("dealer status not loaded for this chunk")
        return row

    def _log(self, batch, item_key: str, dealer: Organization, event: str, message: str, level: str, data) -> None:
        self._log_rows[item_key] = {
            "id": uuid.uuid4(),
            "tenant_id": self.ctx.tenant_id,
            "batch_id": batch.id,
            "dealer_id": dealer.id,
            "item_key": item_key,
            "level": level,
            "event": event,
            "message": message[:2000],
            "data": to_jsonable(data or {}),
            "created_at": utcnow(),
        }

    def process(self, item_key: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """One planned item: ("done" | "skipped", result). Decisions are made now; the notice, task
        and log rows wait for flush()."""

        ctx = self.ctx
        self._forget(item_key)  # a redo of the same key within the chunk replaces its rows
        batch = self.batches[str(payload["batch_id"])]
        item = self.items.get(uuid.UUID(str(payload["item_id"])))
        if item is None:
            raise NotFound("batch item not found")
        dealer = self.dealers.get(item.dealer_id)
        if dealer is None:
            raise NotFound("dealer not found")
        self._batch_of[item_key] = str(batch.id)
        alert_ids = [uuid.UUID(a["alert_id"]) for a in item.alerts]
        alerts = {a_id: self.alerts[a_id] for a_id in alert_ids}
        checks = []
        for a_id in alert_ids:
            a = alerts[a_id]
            if self._status(a) not in ALERT_OPEN_STATES:  # closed meanwhile (resolved by hand): nothing to enforce
                checks.append((str(a.id), Decimal(0), Decimal(0)))
                continue
            checks.append((str(a.id), a.floor, self.prices[(a.dealer_id, a.rule, a.sku_id)][0]))
        verdict = engine.recheck(checks)
        figures = [
            {
                "alert_id": str(a_id),
                "sku": self.skus[alerts[a_id].sku_id].code
                if alerts[a_id].sku_id in self.skus
                else str(alerts[a_id].sku_id),
                "rule": alerts[a_id].rule,
                "floor": alerts[a_id].floor,
                "latest_price": self.prices[(alerts[a_id].dealer_id, alerts[a_id].rule, alerts[a_id].sku_id)][0],
            }
            for a_id in alert_ids
        ]
        base = {"dealer_id": str(dealer.id), "action": batch.action, "item_key": item_key, "prices": figures}
        resolve_reason = f"Already compliant at enforcement re-check (batch {batch.name})"[:1000]
        for a_id in verdict.compliant:
            alert = alerts[uuid.UUID(a_id)]
            if self._status(alert) in ALERT_OPEN_STATES:
                self._decide(item_key, ALERT_MACHINE, alert, "resolve", resolve_reason, {"batch_id": str(batch.id)})
        if verdict.skip_item:
            result = {**base, "outcome": "already_compliant", "compliant": list(verdict.compliant)}
            self._log(
                batch,
                item_key,
                dealer,
                "item_skipped",
                f"{dealer.name}: already compliant, no notice sent",
                "info",
                result,
            )
            self._summary[item_key] = {"outcome": "already_compliant", "compliant": list(verdict.compliant)}
            return "skipped", result
        status_row = self._dealer_status(dealer)
        status_before = self._status(status_row)
        reason, transition = engine.dealer_gate(batch.action, status_before)
        if reason:
            result = {**base, "outcome": reason, "status": status_before}
            self._log(
                batch,
                item_key,
                dealer,
                "item_skipped",
                f"{dealer.name}: {engine.SKIP_REASONS[reason]}",
                "warning",
                result,
            )
            self._summary[item_key] = {"outcome": reason, "compliant": list(verdict.compliant)}
            return "skipped", result
        lines = [
            f"{f['sku']} ({f['rule'].replace('_', ' ')}): floor {f['floor']}, observed {f['latest_price']}"
            for f in figures
            if f["alert_id"] in verdict.breaching
        ]
        subject, body = notice_text(dealer, batch.action, lines)
        notice_key = engine.effect_key(item_key, "notice")
        notice_id = None
        if notice_key not in self.notices:
            notice_id = uuid.uuid4()
            self._notice_rows[item_key] = {
                "id": notice_id,
                "tenant_id": ctx.tenant_id,
                "batch_id": batch.id,
                "dealer_id": dealer.id,
                "action": batch.action,
                "alert_ids": list(verdict.breaching),
                "subject": subject,
                "body": body,
                "channel": "outbox",
                "idempotency_key": notice_key,
                "created_at": utcnow(),
            }
            self._notice_dealers[item_key] = dealer.name
        if transition is not None:
            self._decide(
                item_key,
                DEALER_MACHINE,
                status_row,
                transition.action,
                f"{engine.ACTIONS[batch.action][0]} — enforcement batch {batch.name}"[:1000],
                {"batch_id": str(batch.id), "effect_key": engine.effect_key(item_key, "status")},
            )
        for a_id in verdict.breaching:
            alert = alerts[uuid.UUID(a_id)]
            if self._status(alert) in ENFORCE_FROM:
                self._decide(item_key, ALERT_MACHINE, alert, "enforce", None, {"batch_id": str(batch.id)})
        status_after = self._status(status_row)
        task_id = task_id_for(ctx, item_key)
        if task_id not in self.tasks:
            now = utcnow()
            self._task_rows[item_key] = {
                "id": task_id,
                "tenant_id": ctx.tenant_id,
                "alert_id": uuid.UUID(verdict.breaching[0]),
                "dealer_id": dealer.id,
                "title": f"{item.task_title}: {dealer.name}"[:200],
                "notes": f"Follow-up of enforcement batch {batch.name}"[:4000],
                "assignee_user_id": None,
                "due_at": now + timedelta(days=item.task_due_days),
                "status": "open",
                "created_by": ctx.actor_label,
                "created_at": now,
                "updated_at": now,
            }
        outcome = "sent" if notice_id else "notice_already_recorded"
        result = {
            **base,
            "outcome": outcome,
            "notice_id": str(notice_id) if notice_id else None,
            "status_before": status_before,
            "status_after": status_after,
            "breaching": list(verdict.breaching),
            "compliant": list(verdict.compliant),
            "task_id": str(task_id),
        }
        self._log(
            batch,
            item_key,
            dealer,
            "item_sent",
            f"{dealer.name}: {engine.ACTIONS[batch.action][0].lower()} sent ({len(verdict.breaching)} alerts)"
            + (
                f", status {status_before.replace('_', ' ')} → {status_after.replace('_', ' ')}"
                if status_before != status_after
                else ""
            ),
            "info",
            result,
        )
        self._summary[item_key] = {
            "outcome": outcome,
            "notice_id": str(notice_id) if notice_id else None,
            "task_id": str(task_id) if item_key in self._task_rows else None,
            "status": [status_before, status_after],
            "breaching": list(verdict.breaching),
            "compliant": list(verdict.compliant),
        }
        return "done", result

    def discard(self, item_key: str) -> None:
        """Forget an item's collected rows (its savepoint was rolled back)."""
        self._forget(item_key)

    # -- once per chunk (same transaction, after the done marks) ---------------------------

    def flush(self, kept: Iterable[str], *, job_id: uuid.UUID | None = None, unmarked: bool = False) -> None:
        """Write the kept items' notices, tasks and logs in bulk, one audit event per batch for
        them, then the once-per-chunk completion check. `unmarked`: the kept items' done marks
        are not written yet (the caller writes them after), so they count as finished."""

        session, ctx = self.session, self.ctx
        keys = [k for k in kept if k in self._summary]
        audits, self._pending_audits = AuditBuffer(session, ctx, self._pending_audits), []
        self._apply_decisions(set(keys), audits)
        notices = [self._notice_rows[k] for k in keys if k in self._notice_rows]
        tasks = [self._task_rows[k] for k in keys if k in self._task_rows]
        logs = [self._log_rows[k] for k in keys if k in self._log_rows]
        insert_rows(
            session,
            table_of(EnforcementNotice),
            notices,
            on_conflict_do_nothing=["tenant_id", "idempotency_key"],
        )
        # each notice leaves the building through the outbox (webhooks, the dealer's e-mail: docs/delivery.md)
        insert_rows(
            session,
            table_of(OutboxEvent),
            [
                notice_outbox_row(r, self._notice_dealers.get(k, ""))
                for k, r in ((k, self._notice_rows.get(k)) for k in keys)
                if r
            ],
            on_conflict_do_nothing=["tenant_id", "idempotency_key"],
        )
        insert_rows(session, table_of(MarginTask), tasks, on_conflict_do_nothing=[])
        insert_rows(session, table_of(EnforcementLog), logs)
        for batch_id, batch in self.batches.items():
            mine = [k for k in keys if self._batch_of.get(k) == batch_id]
            if not mine:
                continue
            audits.append(
                {
                    "action": "margin_batch.enforce_chunk",
                    "entity": "margin_enforcement_batches",
                    "entity_id": batch.id,
                    "after": {
                        "job_id": str(job_id or batch.job_id),
                        "items": {k: self._summary[k] for k in mine},
                        "notices_created": [str(r["id"]) for r in notices if r["batch_id"] == batch.id],
                        "tasks_created": [
                            {
                                "id": str(self._task_rows[k]["id"]),
                                "alert_id": str(self._task_rows[k]["alert_id"]),
                                "dealer_id": str(self._task_rows[k]["dealer_id"]),
                            }
                            for k in mine
                            if k in self._task_rows
                        ],
                        "logs": sum(1 for r in logs if r["batch_id"] == batch.id),
                    },
                }
            )
        # every row lock before the audit lock: the batches this chunk completes are locked here
        finishing = [b for b in self.batches.values() if _last_chunk(session, ctx, b, keys if unmarked else [])]
        for batch in finishing:
            session.refresh(batch, with_for_update=True)
        for batch in self._to_run:
            if batch.status == "queued":
                move_batch(session, ctx, batch, "run")  # the audit lock is taken from here to commit
        self._to_run = []
        audits.flush()  # one append for the chunk: the audit lock is held only from here
        for batch in finishing:
            if batch.status == "running":
                move_batch(session, ctx, batch, "complete")
        session.flush()

    def _apply_decisions(self, kept: set[str], audits: AuditBuffer) -> None:
        """The kept items' decisions, in processing order: one decide_many per machine (alerts and
        dealer status rows are different entities; per entity the order is kept). The entities were
        locked when loaded; their audit events go into `audits` (appended by flush())."""
        by_machine: dict[str, tuple[StateMachine, list[DecisionRequest]]] = {}
        for key, decisions in self._decisions.items():
            if key not in kept:
                continue
            for machine, entity, action, reason, details, _ in decisions:
                by_machine.setdefault(machine.name, (machine, []))[1].append(
                    DecisionRequest(entity, action, reason, details)
                )
        for machine, requests in by_machine.values():
            decide_many(self.session, self.ctx, machine, requests, locked=True, audit_buffer=audits)
        self._decisions.clear()
        self._planned.clear()


def _last_chunk(session: Session, ctx: TenantContext, batch, unmarked: list[str]) -> bool:
    """Once per chunk, after its done marks: True for the chunk holding the batch's last open item,
    which completes the batch in the same transaction as the items' effects. `unmarked`: kept keys
    whose done mark the caller writes later (process_item's callers), counted as finished."""
    if batch.job_id is None:
        return False
    open_left = session.execute(
        text(
            "select exists(select 1 from job_items where tenant_id = :t and job_id = :j "
            "and status in ('pending', 'running') and idempotency_key <> all(:k))"
        ),
        {"t": ctx.tenant_id, "j": batch.job_id, "k": unmarked},
    ).scalar()
    return not open_left


def process_item(
    session: Session, ctx: TenantContext, payload: dict[str, Any], item_key: str
) -> tuple[str, dict[str, Any]]:
    """One planned item, in the caller's (worker's) transaction: ("done" | "skipped", result).

    Re-checks the dealer's latest prices (nothing still breaching → skipped "already_compliant",
    the compliant alerts resolved), re-checks the dealer's rung, records the notice in the outbox
    (unique key), moves the dealer through the decision path, moves the breaching alerts to
    in_enforcement, creates the follow-up task, and logs the outcome. A chunk of one of
    `EnforceChunk` (what the worker runs per chunk); the caller writes
    the item's done mark after.
    """
    chunk = EnforceChunk(session, ctx, [payload])
    outcome, result = chunk.process(item_key, payload)
    chunk.flush([item_key], unmarked=True)
    return outcome, result
