"""Delivery tests: a real scripted receiver on 127.0.0.1, the dispatcher run in the test's own event
loop (real code: claims, sends, records), and decisions taken through the real decision path.

The schedule's clock is the database's: a test moves a delivery's `next_attempt_at` to now() (as the
owner) to make its next attempt due, instead of waiting hours.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from tests.support.env import settings_env
from tests.support.tenants import make_tenant
from tests.support.webhook_receiver import ScriptedReceiver


@pytest.fixture
def receiver():
    with ScriptedReceiver(hang_seconds=3.0) as running:
        yield running


@pytest.fixture
def local_delivery():
    """Private receivers allowed (the receiver is on 127.0.0.1) and a 1 s timeout."""
    with settings_env() as configure:
        configure(PHAROS_WEBHOOK_ALLOW_PRIVATE="1", PHAROS_WEBHOOK_TIMEOUT_SECONDS="1", PHAROS_SMTP_HOST="")
        yield configure


@pytest.fixture
def tenant(services):
    return make_tenant("delivery")


def decide_something(tenant, email: str | None = None) -> uuid.UUID:
    """A real decision (an invitation cancelled): its outbox row is `invitation.cancel`. Returns the
    invitation's id (the event's entity_id)."""
    from models.core.decision_actions import take_decision
    from models.people import actions as people
    from models.people.invitations import INVITATIONS

    ctx = tenant.ctx()
    created = people.invite(ctx, email or f"someone-{uuid.uuid4().hex[:6]}@example.test", "ops", None)
    take_decision(ctx, INVITATIONS, created.invitation.id, "cancel", "not needed after all")
    return created.invitation.id


def make_due(delivery_id: uuid.UUID) -> None:
    """Move the clock: this delivery's next attempt is due now."""
    from models.core.db import owner_session

    with owner_session() as session:
        session.execute(
            text("update delivery_messages set next_attempt_at = now() where id = :id and status = 'pending'"),
            {"id": delivery_id},
        )


def webhook_deliveries(tenant, endpoint_id=None):
    from models.delivery import queries

    page = queries.delivery_page(tenant.ctx(), endpoint_id=endpoint_id, limit=200)
    return [d for d in page.items if d.channel == "webhook"]
