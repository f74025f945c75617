"""The dispatcher: fan out the outbox, claim due deliveries, send them, record every attempt.

One round (`Dispatcher.run_once`):
1. ask Postgres which tenants have work (`pharos_delivery_work()`, an owner function like
   `pharos_unfinished_jobs()`: the app role sees one tenant at a time);
2. per tenant, fan new outbox rows out into deliveries (models.delivery.fanout);
3. per tenant, claim due deliveries: `FOR UPDATE SKIP LOCKED`, a lease (`lease_until`, our worker id)
   committed before anything is sent, so a second dispatcher never takes them while the lease runs and
   a dead one's are taken over when it runs out;
4. send them concurrently (at most PHAROS_DELIVERY_CONCURRENCY at once), outside any transaction;
5. per tenant, one transaction: the attempts (append-only), each delivery's verdict (delivered, next
   attempt at, or dead), a 410's endpoint disabled through the decision path.

At least once: a dispatcher killed after sending and before step 5 leaves the lease to run out, and
the delivery goes out again — with the same `webhook-id`, so the receiver can drop the duplicate.
Nothing is lost: the outbox row is only marked in the transaction that wrote its deliveries. The
clock is the database's (`now()` in every claim), so a test walks the schedule by moving
`next_attempt_at` — nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.delivery import schedule
from engine.delivery.addresses import clean_url
from engine.delivery.machines import ENDPOINT_MACHINE
from engine.errors import ValidationFailed
from models.core.base import utcnow
from models.core.bulk import insert_rows, table_of
from models.core.db import identity_session, tenant_session
from models.core.decisions import decide
from models.core.settings import DeliverySettings, delivery_settings
from models.delivery import senders
from models.delivery.endpoints import endpoint_secrets, sender_of
from models.delivery.fanout import fan_out
from models.delivery.routes import OutboxRow, route_for
from models.delivery.secret_box import SecretUnreadable
from models.delivery.tables import DeliveryAttempt, WebhookEndpoint

log = logging.getLogger("pharos.delivery")


def new_dispatcher_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Claimed:
    """A delivery this dispatcher holds the lease of, ready to send."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    message_id: str
    channel: str
    number: int  # this attempt's number (1-based) in the current round of the schedule
    endpoint_id: uuid.UUID | None = None
    url: str = ""
    secrets: tuple[str, ...] = ()
    body: str = ""
    email: senders.Email | None = None
    error: str | None = None  # known before sending (an unreadable secret, nothing to render)
    permanent: bool = False


@dataclass
class RoundReport:
    fanned_out: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    tenants: list[uuid.UUID] = field(default_factory=list)


def work_tenants() -> list[uuid.UUID]:
    """Tenants with outbox rows to fan out or deliveries due now."""
    with identity_session() as session:
        return [r[0] for r in session.execute(text("select tenant_id from pharos_delivery_work()")).all()]


def _claim(session: Session, ctx: TenantContext, owner: str, settings: DeliverySettings) -> list[Claimed]:
    rows = session.execute(
        text(
            """
            update delivery_messages m
               set lease_until = now() + make_interval(secs => :lease), lease_owner = :owner
              from (select d.id from delivery_messages d
                     where d.tenant_id = :t and d.status = 'pending' and d.next_attempt_at <= now()
                       and (d.lease_until is null or d.lease_until < now())
                       and (d.endpoint_id is null or exists (
                             select 1 from webhook_endpoints e
                              where e.tenant_id = d.tenant_id and e.id = d.endpoint_id and e.status = 'enabled'))
                     order by d.next_attempt_at, d.id
                     limit :n
                     for update of d skip locked) due
             where m.id = due.id and m.tenant_id = :t
         returning m.id, m.message_id, m.channel, m.endpoint_id, m.email_to, m.subject, m.body,
                   m.attempt_count, m.outbox_id, m.event_type, m.entity, m.entity_id
            """
        ),
        {"lease": settings.lease_seconds, "owner": owner, "t": ctx.tenant_id, "n": settings.batch},
    ).all()
    if not rows:
        return []
    endpoint_ids = {r.endpoint_id for r in rows if r.endpoint_id is not None}
    endpoints = {
        e.id: e
        for e in session.exec(
            select(WebhookEndpoint).where(
                WebhookEndpoint.tenant_id == ctx.tenant_id, col(WebhookEndpoint.id).in_(endpoint_ids)
            )
        ).all()
    }
    secrets: dict[uuid.UUID, tuple[str, ...] | str] = {}
    for endpoint in endpoints.values():
        try:
            secrets[endpoint.id] = tuple(endpoint_secrets(endpoint))
        except SecretUnreadable as exc:
            secrets[endpoint.id] = str(exc)
    claimed: list[Claimed] = []
    sender = None
    for r in rows:
        number = r.attempt_count + 1
        if r.channel == "webhook":
            keys = secrets.get(r.endpoint_id, "the endpoint is gone")
            endpoint = endpoints.get(r.endpoint_id)
            if isinstance(keys, str) or endpoint is None:
                claimed.append(Claimed(r.id, ctx.tenant_id, r.message_id, r.channel, number, error=str(keys)))
                continue
            try:  # the rules may have tightened since the endpoint was added (https only in production)
                clean_url(endpoint.url, allow_private=settings.allow_private)
            except ValidationFailed as exc:
                claimed.append(Claimed(r.id, ctx.tenant_id, r.message_id, r.channel, number, error=exc.message))
                continue
            claimed.append(
                Claimed(r.id, ctx.tenant_id, r.message_id, r.channel, number, r.endpoint_id, endpoint.url, keys, r.body)
            )
            continue
        sender = sender or sender_of(session, ctx)
        route = route_for(r.event_type)
        content = None
        if route is not None and route.render is not None:
            view = OutboxRow(r.outbox_id, r.event_type, r.entity, r.entity_id, _payload(session, ctx, r.outbox_id))
            content = route.render(session, ctx, view)
        if content is None:
            claimed.append(
                Claimed(
                    r.id,
                    ctx.tenant_id,
                    r.message_id,
                    r.channel,
                    number,
                    error="nothing to send any more: what it was about is gone, cancelled or expired",
                    permanent=True,
                )
            )
            continue
        email = senders.Email(r.message_id, r.email_to, content.subject, content.text, *sender)
        claimed.append(Claimed(r.id, ctx.tenant_id, r.message_id, r.channel, number, email=email))
    return claimed


def _payload(session: Session, ctx: TenantContext, outbox_id: uuid.UUID) -> dict[str, Any]:
    found = session.execute(
        text("select payload from outbox_events where tenant_id = :t and id = :id"),
        {"t": ctx.tenant_id, "id": outbox_id},
    ).first()
    return dict(found[0] or {}) if found else {}


def claim(tenant_id: uuid.UUID, owner: str, settings: DeliverySettings) -> list[Claimed]:
    """Lease this tenant's due deliveries (committed before anything is sent)."""
    ctx = TenantContext.system(tenant_id)
    with tenant_session(ctx) as session:
        return _claim(session, ctx, owner, settings)


def fan_out_tenant(tenant_id: uuid.UUID, limit: int) -> int:
    ctx = TenantContext.system(tenant_id)
    with tenant_session(ctx) as session:
        return fan_out(session, ctx, limit)


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    result: senders.AttemptResult


def record(tenant_id: uuid.UUID, owner: str, outcomes: list[Outcome], report: RoundReport) -> None:
    """Every attempt, and each delivery's verdict, in one transaction. A delivery whose lease this
    dispatcher lost meanwhile keeps its attempt row but not our verdict (its new holder decides)."""
    ctx = TenantContext.system(tenant_id)
    with tenant_session(ctx) as session:
        attempts = []
        updates = []
        gone: dict[uuid.UUID, str] = {}
        for outcome in outcomes:
            c, r = outcome.claimed, outcome.result
            judged_status = r.status if c.channel == "webhook" else (200 if r.error is None else None)
            verdict = schedule.judge(
                c.number, judged_status, r.at, retry_after=r.retry_after, permanent=r.permanent or c.permanent
            )
            error = r.error if verdict.outcome != "delivered" else None
            if verdict.outcome == "dead" and verdict.why and error:
                error = f"{error} — {verdict.why}"
            attempts.append(
                {
                    "id": uuid.uuid4(),
                    "tenant_id": tenant_id,
                    "message_ref": c.id,
                    "number": c.number,
                    "at": r.at,
                    "latency_ms": r.latency_ms,
                    "status_code": r.status,
                    "outcome": "delivered" if verdict.outcome == "delivered" else "failed",
                    "error": (r.error or None) and r.error[:1000],
                    "response_body": r.body[:1024],
                    "worker": owner[:64],
                }
            )
            updates.append(
                {
                    "id": c.id,
                    "status": "pending" if verdict.outcome == "retry" else verdict.outcome,
                    "n": c.number,
                    "next": verdict.next_at,
                    "last_status": r.status,
                    "last_error": (error or None) and error[:1000],
                    "at": r.at,
                }
            )
            report.sent += 1
            if verdict.outcome == "delivered":
                report.delivered += 1
            else:
                report.failed += 1
                report.dead += verdict.outcome == "dead"
            if verdict.gone and c.endpoint_id is not None:
                gone[c.endpoint_id] = f"the receiver answered 410 Gone at {r.at.isoformat(timespec='seconds')}"
        # set-based, one JSON parameter each (docs/benchmarks.md, "Webhook delivery")
        insert_rows(session, table_of(DeliveryAttempt), attempts)
        if updates:
            session.execute(VERDICTS_SQL, {"t": tenant_id, "owner": owner, "rows": json.dumps(updates, default=str)})
        for endpoint_id, why in gone.items():
            _disable_gone(session, ctx, endpoint_id, why)


VERDICTS_SQL = text(
    """
    update delivery_messages m set
      status = u.status, attempt_count = u.n, next_attempt_at = u.next,
      lease_until = null, lease_owner = null,
      last_status = u.last_status, last_error = u.last_error,
      first_attempt_at = coalesce(m.first_attempt_at, u.at),
      delivered_at = case when u.status = 'delivered' then u.at else m.delivered_at end,
      dead_at = case when u.status = 'dead' then u.at else null end
    from jsonb_to_recordset(cast(:rows as jsonb))
      as u(id uuid, status varchar, n integer, next timestamptz, last_status integer, last_error text, at timestamptz)
    where m.id = u.id and m.tenant_id = :t and m.lease_owner = :owner and m.status = 'pending'
    """
)


def _disable_gone(session: Session, ctx: TenantContext, endpoint_id: uuid.UUID, why: str) -> None:
    endpoint = session.exec(
        select(WebhookEndpoint).where(WebhookEndpoint.tenant_id == ctx.tenant_id, WebhookEndpoint.id == endpoint_id)
    ).first()
    if endpoint is None or endpoint.status != "enabled":
        return
    decide(session, ctx, ENDPOINT_MACHINE, endpoint, "gone", reason=why)
    endpoint.status_note = why[:500]
    endpoint.updated_at = utcnow()
    session.add(endpoint)
    session.flush()


class Dispatcher:
    """One per worker process (or per test): `await run_once()` does one round; `aclose()` at the end."""

    def __init__(self, owner: str | None = None) -> None:
        self.owner = owner or new_dispatcher_id()
        self._client: httpx.AsyncClient | None = None
        self._client_key: tuple[Any, ...] | None = None

    def _http(self, settings: DeliverySettings) -> httpx.AsyncClient:
        from models.delivery.transport import guarded_client

        key = (settings.allow_private, tuple(sorted(settings.resolve.items())), settings.concurrency)
        if self._client is None or self._client_key != key:
            if self._client is not None:
                old = self._client
                asyncio.get_running_loop().create_task(old.aclose())
            self._client = guarded_client(
                allow_private=settings.allow_private, pinned=settings.resolve, max_connections=settings.concurrency
            )
            self._client_key = key
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def run_once(self) -> RoundReport:
        settings = delivery_settings()
        report = RoundReport()
        tenants = await asyncio.to_thread(work_tenants)
        report.tenants = tenants
        for tenant_id in tenants:
            report.fanned_out += await asyncio.to_thread(fan_out_tenant, tenant_id, settings.batch)
        claimed: list[Claimed] = []
        for tenant_id in tenants:
            claimed += await asyncio.to_thread(claim, tenant_id, self.owner, settings)
        if not claimed:
            return report
        outcomes = await self._send_all(claimed, settings)
        by_tenant: dict[uuid.UUID, list[Outcome]] = defaultdict(list)
        for outcome in outcomes:
            by_tenant[outcome.claimed.tenant_id].append(outcome)
        for tenant_id, found in by_tenant.items():
            await asyncio.to_thread(record, tenant_id, self.owner, found, report)
        return report

    async def _send_all(self, claimed: list[Claimed], settings: DeliverySettings) -> list[Outcome]:
        gate = asyncio.Semaphore(settings.concurrency)
        client = self._http(settings)

        async def one(c: Claimed) -> Outcome:
            async with gate:
                if c.error is not None:
                    return Outcome(c, senders.AttemptResult(utcnow(), 0, error=c.error, permanent=c.permanent))
                if c.email is not None:
                    return Outcome(c, await senders.send_email(settings.smtp, c.email))
                return Outcome(
                    c,
                    await senders.send_webhook(
                        client, c.url, c.message_id, c.body, list(c.secrets), settings.timeout_seconds
                    ),
                )

        return list(await asyncio.gather(*(one(c) for c in claimed)))

    async def run_until_idle(self, max_rounds: int = 100) -> RoundReport:
        """Rounds until one finds nothing to do (tests and tools); the totals of every round."""
        total = RoundReport()
        for _ in range(max_rounds):
            report = await self.run_once()
            total.fanned_out += report.fanned_out
            total.sent += report.sent
            total.delivered += report.delivered
            total.failed += report.failed
            total.dead += report.dead
            if report.fanned_out == 0 and report.sent == 0:
                break
        return total
