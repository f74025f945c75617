"""Webhooks in the browser: an owner adds an endpoint on /settings/webhooks (the secret shown once),
takes a decision (cancels an invitation on /settings/members), sees the delivery in the endpoint's
log — verified by the receiver with the reference library — and replays it with the same webhook-id.
A real worker process (the dispatcher) and a real receiver on 127.0.0.1."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from tests.e2e.conftest import signed_in
from tests.support.env import settings_env
from tests.support.tenants import make_tenant
from tests.support.webhook_receiver import ScriptedReceiver

pytestmark = pytest.mark.e2e


def _until(predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)  # polling for a result, not evidence of anything


def test_owner_adds_an_endpoint_sees_the_delivery_and_replays_it(page, live_app, kill_harness):
    tenant = make_tenant("hooks")
    with ScriptedReceiver() as receiver, settings_env() as configure:
        configure(PHAROS_WEBHOOK_ALLOW_PRIVATE="1")  # the worker's: the receiver is on 127.0.0.1
        worker = kill_harness(lease_seconds=5, chunk_size=10)
        worker.start()
        signed_in(page, tenant.owner_email, tenant.password)
        page.goto("/settings/webhooks")
        expect(page.get_by_test_id("endpoints-empty")).to_be_visible()
        page.get_by_test_id("webhook-url").fill("ftp://nowhere")
        page.get_by_test_id("webhook-add").click()
        expect(page.get_by_test_id("url-error")).to_be_visible()

        page.get_by_test_id("webhook-url").fill(receiver.url("/e2e"))
        page.get_by_test_id("webhook-type").click()
        page.get_by_role("option", name=re.compile(r"^invitation\.cancel")).click()
        expect(page.get_by_test_id("chosen-type")).to_have_text("invitation.cancel")
        page.get_by_test_id("webhook-add").click()
        secret_box = page.get_by_test_id("webhook-secret")
        expect(secret_box).to_have_value(re.compile(r"^whsec_[A-Za-z0-9+/=]{40,}$"))
        secret = secret_box.input_value()
        expect(page.get_by_test_id("endpoint-row")).to_have_count(1)

        # the decision: an invitation cancelled on the members page
        page.goto("/settings/members")
        page.get_by_test_id("invite-email").fill(f"hooked-{uuid.uuid4().hex[:6]}@example.test")
        page.get_by_test_id("invite-submit").click()
        expect(page.get_by_test_id("invitation-row")).to_have_count(1)
        page.get_by_test_id("invitation-cancel").click()
        page.get_by_test_id("reason-input").fill("sent to the wrong person")
        page.get_by_test_id("reason-confirm").click()
        expect(page.get_by_test_id("invitation-row")).to_have_count(0)

        _until(lambda: len(receiver.to("/e2e")) == 1, "the webhook")
        first = receiver.to("/e2e")[0]
        assert Webhook(secret).verify(first.body, first.headers)["type"] == "invitation.cancel"

        page.goto("/settings/webhooks")
        page.get_by_test_id("endpoint-deliveries").click()
        row = page.get_by_test_id("delivery-row")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(first.headers["webhook-id"])
        expect(page.get_by_test_id("delivery-status")).to_have_text("delivered")
        page.get_by_test_id("delivery-show-attempts").click()
        expect(page.get_by_test_id("attempt-row")).to_have_count(1)
        expect(page.get_by_test_id("attempt-row")).to_contain_text("200")

        page.get_by_test_id("delivery-replay").click()
        _until(lambda: len(receiver.to("/e2e")) == 2, "the replay")
        assert receiver.to("/e2e")[1].headers["webhook-id"] == first.headers["webhook-id"]
        Webhook(secret).verify(receiver.to("/e2e")[1].body, receiver.to("/e2e")[1].headers)
        page.get_by_test_id("deliveries-refresh").click()
        expect(page.get_by_test_id("delivery-status")).to_have_text("delivered")
        page.get_by_test_id("delivery-show-attempts").click()
        expect(page.get_by_test_id("attempt-row")).to_have_count(2)
