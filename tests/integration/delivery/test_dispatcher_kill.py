"""A real worker process (`python -m workers`, whose dispatcher loop delivers webhooks) is SIGKILLed
again and again while 1,500 outbox rows go out to a real local receiver: every row is delivered,
nothing is lost, and a row received more than once always came with the same webhook-id and the same
signed body (a kill between sending and recording sends it again after the lease)."""

from __future__ import annotations

import uuid
from collections import defaultdict

import pytest
from standardwebhooks.webhooks import Webhook

from models.core.base import utcnow
from models.core.bulk import insert_rows, table_of
from models.core.db import tenant_session
from models.core.tables import OutboxEvent
from models.delivery import actions
from tests.support.kill import scalar

ROWS = 1500
KILLS = 3

pytestmark = pytest.mark.slow


def _outbox(ctx, count: int, tag: str) -> None:
    """`count` outbox rows of a registered event type, as decisions write them."""
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": ctx.tenant_id,
            "topic": "invitation.cancel",
            "entity": "invitation",
            "entity_id": str(uuid.uuid4()),
            "payload": {"event_id": str(uuid.uuid4()), "from": "pending", "to": "cancelled", "n": i, "tag": tag},
            "idempotency_key": f"kill:{tag}:{i}",
            "created_at": now,
            "delivered_at": None,
            "attempts": 0,
        }
        for i in range(count)
    ]
    with tenant_session(ctx) as session:
        insert_rows(session, table_of(OutboxEvent), rows)


def test_a_sigkilled_dispatcher_loses_nothing(tenant, receiver, local_delivery, kill_harness):
    ctx = tenant.ctx()
    local_delivery(PHAROS_DELIVERY_LEASE_SECONDS="3", PHAROS_DELIVERY_BATCH="100", PHAROS_WEBHOOK_TIMEOUT_SECONDS="5")
    created = actions.create_endpoint(ctx, receiver.url("/kill"), ["invitation.cancel"])
    worker = kill_harness(lease_seconds=5, chunk_size=50)
    tag = uuid.uuid4().hex[:8]
    _outbox(ctx, ROWS, tag)

    def received() -> int:
        return len({r.headers["webhook-id"] for r in receiver.to("/kill")})

    worker.start()
    worker.kill_while_progressing(received, ROWS, KILLS)
    delivered_sql = "select count(*) from delivery_messages where endpoint_id = :e and status = 'delivered'"
    worker.wait(lambda: scalar(ctx, delivered_sql, e=created.endpoint.id) == ROWS, "every delivery recorded")
    worker.stop()

    got = receiver.to("/kill")
    by_id: dict[str, set[bytes]] = defaultdict(set)
    for request in got:
        Webhook(created.secret).verify(request.body, request.headers)
        by_id[request.headers["webhook-id"]].add(request.body)
    tags = {r.body for r in got}
    assert len(by_id) == ROWS, f"lost {ROWS - len(by_id)}"
    assert all(len(bodies) == 1 for bodies in by_id.values()), "one webhook-id came with two bodies"
    assert len(tags) == ROWS
    duplicates = len(got) - ROWS
    stuck = scalar(ctx, "select count(*) from outbox_events where delivered_at is null")
    assert stuck == 0
    assert worker.kills == KILLS
    print(f"\ndispatcher kill test: rows={ROWS} kills={worker.kills} duplicates={duplicates} lost=0")
