"""The retry schedule against a real scripted receiver: 500, 429 with Retry-After, a timeout, a 302
(never followed) and more 500s walk the eight attempts (immediately, 5 s, 5 min, 30 min, 2 h, 5 h,
10 h, 10 h, each ±10 %, a Retry-After honoured) into the dead-letter list with every attempt; a
replay goes out with the same webhook-id. A 410 disables the endpoint. The clock is moved in the
database (next_attempt_at), never slept on."""

from __future__ import annotations

from sqlalchemy import text

from engine.delivery.schedule import JITTER, RETRY_DELAYS
from models.core.db import tenant_session
from models.delivery import actions, queries
from models.delivery.dispatcher import Dispatcher
from tests.integration.delivery.conftest import decide_something, make_due, webhook_deliveries


def _within(seconds: float, scheduled: float) -> bool:
    return scheduled * (1 - JITTER) - 0.01 <= seconds <= scheduled * (1 + JITTER) + 0.01


async def test_the_schedule_walks_to_the_dead_letters_and_a_replay_keeps_the_webhook_id(
    tenant, receiver, local_delivery
):
    receiver.inner_url = receiver.url("/inside")
    receiver.script(
        "/hook",
        [500, (429, {"retry-after": "3600"}), "timeout", 302, 500, 500, 500, (500, {"x-long": "1"})],
    )
    endpoint = actions.create_endpoint(tenant.ctx(), receiver.url("/hook"), ["invitation.cancel"]).endpoint
    decide_something(tenant)
    dispatcher = Dispatcher()
    try:
        await dispatcher.run_once()  # fan-out and the first attempt, immediately
        for attempt in range(1, len(RETRY_DELAYS) + 1):
            [delivery] = webhook_deliveries(tenant, endpoint.id)
            assert len(delivery.attempts) == attempt
            last = delivery.attempts[-1]
            if attempt == len(RETRY_DELAYS):
                assert delivery.status == "dead"
                break
            assert delivery.status == "pending"
            assert delivery.next_attempt_at is not None
            gap = (delivery.next_attempt_at - last.at).total_seconds()
            scheduled = RETRY_DELAYS[attempt]
            if attempt == 2:  # 429 with Retry-After: 3600 outweighs the 5 minutes scheduled
                assert 3600 - 0.01 <= gap <= 3600 + 0.01, gap
            else:
                assert _within(gap, scheduled), (attempt, gap, scheduled)
            report = await dispatcher.run_once()
            assert report.sent == 0, "an attempt went out before it was due"
            make_due(delivery.id)
            await dispatcher.run_once()
        [dead] = queries.delivery_page(tenant.ctx(), endpoint_id=endpoint.id, status="dead").items
        codes = [a.status_code for a in dead.attempts]
        assert codes == [500, 429, None, 302, 500, 500, 500, 500]
        assert "no answer within 1 s" in (dead.attempts[2].error or "")
        assert "redirect" in (dead.attempts[3].error or "")
        assert dead.attempts[0].response_body == "scripted 500"
        assert all(a.latency_ms >= 0 for a in dead.attempts)
        assert receiver.to("/inside") == [], "a redirect was followed"
        ids = {r.headers["webhook-id"] for r in receiver.to("/hook")}
        assert ids == {dead.message_id}

        replayed = actions.replay(tenant.ctx(), dead.id)
        assert replayed.status == "pending"
        await dispatcher.run_once()
        [done] = webhook_deliveries(tenant, endpoint.id)
        assert done.status == "delivered" and done.replays == 1
        assert len(done.attempts) == len(RETRY_DELAYS) + 1
        assert receiver.to("/hook")[-1].headers["webhook-id"] == dead.message_id
    finally:
        await dispatcher.aclose()


async def test_replay_all_sends_every_dead_letter_again(tenant, receiver, local_delivery):
    receiver.script("/flaky", [410])
    endpoint = actions.create_endpoint(tenant.ctx(), receiver.url("/flaky"), ["invitation.cancel"]).endpoint
    decide_something(tenant)
    dispatcher = Dispatcher()
    try:
        await dispatcher.run_once()
        [gone] = webhook_deliveries(tenant, endpoint.id)
        assert gone.status == "dead" and gone.attempts[0].status_code == 410
        detail = queries.endpoint_detail(tenant.ctx(), endpoint.id)
        assert detail.status == "disabled" and "410" in detail.status_note
        with tenant_session(tenant.ctx()) as session:
            events = session.execute(
                text("select action from decision_events where machine = 'webhook_endpoint' and entity_id = :id"),
                {"id": endpoint.id},
            ).all()
        assert [e.action for e in events] == ["gone"]
        decide_something(tenant)  # a disabled endpoint gets no new deliveries
        await dispatcher.run_once()
        assert len(webhook_deliveries(tenant, endpoint.id)) == 1
        from models.core.decision_actions import take_decision

        take_decision(tenant.ctx(), actions.ENDPOINTS, endpoint.id, "enable", None)
        assert actions.replay_dead(tenant.ctx(), endpoint.id) == 1
        await dispatcher.run_once()
        [again] = webhook_deliveries(tenant, endpoint.id)
        assert again.status == "delivered"
        assert [r.headers["webhook-id"] for r in receiver.to("/flaky")] == [gone.message_id] * 2
    finally:
        await dispatcher.aclose()
