"""E-mail over SMTP, against a real local SMTP server (aiosmtpd): an enforcement notice reaches the
dealer whose preference is e-mail, from the tenant's sender, with a Message-ID that stays the same on
a replay; /notices' query says how each notice went. An invitation e-mail carries a working link
that is never stored."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from models.delivery import actions as delivery_actions
from models.delivery import queries as delivery_queries
from models.delivery.dispatcher import Dispatcher
from models.margin import actions as margin_actions
from models.margin.queries import enforcement as enforcement_queries
from tests.integration.margin.conftest import build
from tests.integration.margin.enforcement.conftest import make_batch, run_batch
from tests.support.smtp_server import LocalSmtpServer


@pytest.fixture
def smtp(local_delivery):
    with LocalSmtpServer() as server:
        local_delivery(**server.env())
        yield server


async def _deliver() -> None:
    dispatcher = Dispatcher()
    try:
        await dispatcher.run_until_idle()
    finally:
        await dispatcher.aclose()


async def test_an_enforcement_notice_is_e_mailed_to_its_dealer(smtp, services):
    margin = build("mail")
    ctx = margin.ctx()
    metro = margin.id("organization", "dealer-metro")
    coastal = margin.id("organization", "dealer-coastal")
    delivery_actions.set_sender(ctx, "Brand Compliance", "compliance@brand.test", "legal@brand.test")
    margin_actions.set_notice_delivery(ctx, metro, "email", "pricing@metro.test")
    smtp.refuse.add("nobody@coastal.test")
    margin_actions.set_notice_delivery(ctx, coastal, "email", "nobody@coastal.test")
    batch_id = make_batch(margin, "final_notice")
    run_batch(margin, batch_id)
    await _deliver()

    [mail] = smtp.received
    assert mail.recipients == ["pricing@metro.test"]
    message = mail.message
    assert message["From"] == "Brand Compliance <compliance@brand.test>"
    assert message["Reply-To"] == "legal@brand.test"
    page = enforcement_queries.notice_page(ctx, batch_id=batch_id, limit=50, cursor=None)
    by_dealer = {v.notice.dealer_id: v for v in page.items}
    notice = by_dealer[metro].notice
    assert message["Subject"] == notice.subject
    assert notice.body.splitlines()[0] in message.get_content()
    [sent] = by_dealer[metro].deliveries
    assert (sent.channel, sent.to, sent.status, sent.attempts) == ("email", "pricing@metro.test", "delivered", 1)
    [refused] = by_dealer[coastal].deliveries
    assert refused.status == "dead" and "550" in (refused.last_error or "")

    # a replay sends the same message again, under the same Message-ID
    [delivery] = [
        d for d in delivery_queries.delivery_page(ctx, status="delivered").items if d.email_to == "pricing@metro.test"
    ]
    delivery_actions.replay(ctx, delivery.id)
    await _deliver()
    assert len(smtp.received) == 2
    assert smtp.received[1].message["Message-ID"] == message["Message-ID"] == f"<{delivery.message_id}@pharos>"


async def test_an_invitation_e_mail_carries_a_link_that_signs_the_invitee_in(smtp, tenant, api):
    from models.people import actions as people

    ctx = tenant.ctx()
    created = people.invite(ctx, "new.colleague@example.test", "ops", None)
    await _deliver()
    [mail] = [m for m in smtp.received if m.recipients == ["new.colleague@example.test"]]
    body = mail.message.get_content()
    link = next(line for line in body.splitlines() if "/invite/accept?token=" in line)
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert token not in created.accept_path, "the e-mail has its own token"
    answer = TestClient(api).post(
        "/api/invitations/accept",
        json={"token": token, "password": "colleague-pw-1", "display_name": "New Colleague"},
    )
    assert answer.status_code == 200, answer.text
