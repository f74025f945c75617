"""Members in the browser: an owner invites a colleague on /settings/members, copies the link, and
the colleague accepts it in a fresh browser and is signed in; a deactivated member's open tab and
raw Socket.IO client are refused at their next event (the tab goes to /login)."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import uuid

import httpx
import pytest
import socketio
from playwright.sync_api import expect

from tests.e2e.conftest import login, signed_in
from tests.support.tenants import make_tenant

pytestmark = pytest.mark.e2e


def test_owner_invites_and_the_colleague_joins_through_the_link(page, browser, live_app):
    tenant = make_tenant("invite")
    signed_in(page, tenant.owner_email, tenant.password)
    page.goto("/settings/members")
    expect(page.get_by_test_id("member-row")).to_have_count(1)
    # a bad address is named at the field, nothing is created
    page.get_by_test_id("invite-email").fill("someone@nowhere")  # the browser takes it; the server does not
    page.get_by_test_id("invite-submit").click()
    expect(page.get_by_text("invalid e-mail")).to_be_visible()
    expect(page.get_by_test_id("invitation-row")).to_have_count(0)

    email = f"colleague-{uuid.uuid4().hex[:6]}@example.test"
    page.get_by_test_id("invite-email").fill(email)
    page.get_by_test_id("invite-role").click()
    page.get_by_role("option", name="finance").click()
    page.get_by_test_id("invite-submit").click()
    link_box = page.get_by_test_id("invite-link")
    expect(link_box).to_have_value(re.compile(r"/invite/accept\?token=[A-Za-z0-9_-]{40,}$"))
    expect(page.get_by_test_id("invitation-row")).to_have_count(1)
    expect(page.get_by_test_id("invitation-row")).to_contain_text(email)

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_app.url)
    page.get_by_test_id("invite-link-copy").click()
    expect(page.get_by_test_id("invite-link-copied")).to_be_visible()
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link == link_box.input_value() and link.startswith(live_app.url)

    colleague = browser.new_context(base_url=live_app.url)
    try:
        tab = colleague.new_page()
        tab.goto(link)
        expect(tab.get_by_test_id("accept-summary")).to_contain_text(email)
        expect(tab.get_by_test_id("accept-summary")).to_contain_text("finance")
        tab.get_by_test_id("accept-name").fill("Cora Colleague")
        tab.get_by_test_id("accept-password").fill("colleague-pass-1")
        tab.get_by_test_id("accept-confirm").fill("colleague-pass-2")
        tab.get_by_test_id("accept-submit").click()
        expect(tab.get_by_test_id("accept-password-error")).to_have_text("The two passwords differ.")
        tab.get_by_test_id("accept-confirm").fill("colleague-pass-1")
        tab.get_by_test_id("accept-submit").click()
        tab.wait_for_url(re.compile(r"^[^?]*/$"))
        expect(tab.get_by_test_id("user-menu")).to_contain_text("Cora Colleague")
        # the link worked once
        tab.goto(link)
        expect(tab.get_by_test_id("accept-problem")).to_contain_text("already accepted")
    finally:
        colleague.close()

    again = browser.new_context(base_url=live_app.url)
    try:
        fresh = again.new_page()
        signed_in(fresh, email, "colleague-pass-1")
        expect(fresh.get_by_test_id("user-menu")).to_contain_text("Cora Colleague")
    finally:
        again.close()

    page.reload()
    expect(page.get_by_test_id("invitation-row")).to_have_count(0)
    expect(page.get_by_test_id("member-row")).to_have_count(2)
    expect(page.get_by_test_id("member-row").filter(has_text=email)).to_contain_text("active")


def _api_login(url: str, email: str, password: str) -> str:
    res = httpx.post(f"{url}/api/auth/login", json={"email": email, "password": password})
    assert res.status_code == 200, res.text
    return res.json()["token"]


def _admin_member(live_app) -> tuple[object, str, str, str]:
    """A fresh tenant with an admin colleague: (tenant, owner token, admin e-mail, admin user id)."""
    from tests.support.users import PASSWORD, add_user

    tenant = make_tenant("revoke")
    email = add_user(tenant, "admin")
    owner = _api_login(live_app.url, tenant.owner_email, tenant.password)
    token = _api_login(live_app.url, email, PASSWORD)
    me = httpx.get(f"{live_app.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    return tenant, owner, email, me["user"]["id"]


def _deactivate(live_app, owner_token: str, user_id: str) -> None:
    res = httpx.post(
        f"{live_app.url}/api/members/{user_id}/deactivate",
        json={"reason": "left"},
        headers={"Authorization": f"Bearer {owner_token}"},
    )
    assert res.status_code == 200, res.text


def test_a_deactivated_members_open_tab_goes_to_login_at_its_next_event(page, live_app, console):
    from tests.support.users import PASSWORD

    console.allow(r"status of 401")  # the refused sign-in at the end

    _, owner, email, user_id = _admin_member(live_app)
    signed_in(page, email, PASSWORD)
    page.goto("/settings/members")
    expect(page.get_by_test_id("member-row")).to_have_count(2)
    _deactivate(live_app, owner, user_id)
    page.get_by_test_id("invite-email").fill("late@example.test")
    page.get_by_test_id("invite-submit").click()  # the next event: refused, the tab is sent away
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    # The tab still holds the ended session's cookie, and the login page settles it on load: a
    # sign-in typed before that has finished can have its refusal cleared by it (seen once in CI).
    # So sign in until the refusal shows; it must never be accepted.
    for attempt in range(3):
        login(page, email, PASSWORD)
        try:
            expect(page.get_by_test_id("login-error")).to_have_text("E-mail or password is incorrect.", timeout=8_000)
            break
        except AssertionError:
            assert attempt < 2, "the refusal never showed"
        finally:
            assert re.search(r"/login$", page.url), page.url  # never signed in


def _socket_round(url: str, cookie: str, token: str, state: str, handler: str) -> list[dict]:
    """Send one page event over a real Socket.IO connection as the tab `token`, then a sentinel;
    return every update received up to the sentinel's answer (Reflex answers one client's events
    in order)."""
    from app.web.shell.error_notice import ErrorNoticeState

    updates: list[dict] = []
    reference = uuid.uuid4().hex[:16]

    async def run() -> None:
        answered = asyncio.Event()

        def received(data: dict) -> None:
            updates.append(data)
            if reference in json.dumps(data.get("delta", {})):
                answered.set()

        client = socketio.AsyncClient(reconnection=False)
        client.on("event", received, namespace="/_event")
        await client.connect(
            f"{url}?token={token}",
            socketio_path="/_event",
            transports=["websocket"],
            headers={"Cookie": cookie},
            namespaces=["/_event"],
            wait_timeout=10,
        )
        router = {"pathname": "/settings/members", "query": {}, "asPath": "/settings/members"}
        try:
            for name, payload in (
                (f"{state}.{handler}", {}),
                (f"{ErrorNoticeState.get_full_name()}.show", {"reference": reference}),
            ):
                await client.emit(
                    "event",
                    {"name": name, "payload": payload, "handler": None, "token": token, "router_data": router},
                    namespace="/_event",
                )
            await asyncio.wait_for(answered.wait(), timeout=60)
        finally:
            await client.disconnect()

    errors: list[BaseException] = []

    def main() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    worker = threading.Thread(target=main)
    worker.start()
    worker.join(timeout=90)
    assert not worker.is_alive() and not errors, errors
    return updates


def test_a_deactivated_members_socket_event_is_refused(live_app):
    from app.web.core.members import MembersState

    _, owner, email, user_id = _admin_member(live_app)
    token = _api_login(live_app.url, email, "correct-horse")
    cookie = f"pharos_session={token}"
    state, tab = MembersState.get_full_name(), str(uuid.uuid4())
    before = json.dumps(_socket_round(live_app.url, cookie, tab, state, "open_page"))
    assert email in before  # the member list answered
    _deactivate(live_app, owner, user_id)
    after = _socket_round(live_app.url, cookie, tab, state, "open_page")
    text = json.dumps(after)
    assert email not in text and "Traceback" not in text
    # the tab's identity is cleared and it is told its session ended (the shell then goes to /login)
    auth = [d for u in after for name, d in (u.get("delta") or {}).items() if name.endswith("____auth_state")]
    assert {"session_ended_rx_state_": True, "signed_in_rx_state_": False}.items() <= auth[0].items()
    members = [d for u in after for name, d in (u.get("delta") or {}).items() if name.endswith("____members_state")]
    assert members[0]["rows_rx_state_"] == [] and members[0]["role_options_rx_state_"] == []


def test_resend_gives_a_new_link_and_cancel_asks_for_a_note(page, live_app):
    tenant = make_tenant("resend")
    signed_in(page, tenant.owner_email, tenant.password)
    page.goto("/settings/members")
    email = f"twice-{uuid.uuid4().hex[:6]}@example.test"
    page.get_by_test_id("invite-email").fill(email)
    page.get_by_test_id("invite-submit").click()
    first = page.get_by_test_id("invite-link")
    expect(first).to_have_value(re.compile(r"token="))
    old = first.input_value()

    page.get_by_test_id("invitation-resend").click()
    fresh = page.get_by_test_id("fresh-link")
    expect(fresh).to_have_value(re.compile(r"/invite/accept\?token="))
    new = fresh.input_value()
    assert new != old
    expect(page.get_by_text("the old link no longer works")).to_be_visible()

    page.get_by_test_id("invitation-cancel").click()
    confirm = page.get_by_test_id("reason-confirm")
    expect(confirm).to_be_disabled()  # the note is the confirmation
    page.get_by_test_id("reason-input").fill("sent to the wrong address")
    confirm.click()
    expect(page.get_by_text("Invitation cancelled.")).to_be_visible()
    expect(page.get_by_test_id("invitation-row")).to_have_count(0)
    res = httpx.post(
        f"{live_app.url}/api/invitations/accept",
        json={"token": new.split("token=")[1], "password": "whatever-pw"},
    )
    assert res.status_code == 409 and res.json()["error"]["fields"] == {"token": "cancelled"}
