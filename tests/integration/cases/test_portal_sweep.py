"""The websocket sweep for vendors: every Reflex handler of the app, called by vendor 2 (signed in)
with vendor 1's case and evidence ids as every argument, must not raise and must leave nothing of
vendor 1 in the public state tree; and a vendor's session gets nothing from the staff pages'
handlers (the staff shell refuses vendors before any permission), while the portal shows it its
own cases."""

from __future__ import annotations

import asyncio
import secrets

import pytest

import tests.integration.core.test_websocket_sweep as sweep


@pytest.fixture(scope="module")
def vendor_one(world):
    sweep._handlers()  # import the app (and Reflex's registration context) in this thread first
    case_id = world.new_case(subject="Apex secret subject 7731")
    vendor = world.clients["vendor1"]
    assert vendor.post(f"/api/cases/{case_id}/responses", json={"body": "Apex secret answer 9917"}).status_code == 201
    files = {"file": ("apex-proof.txt", b"apex proof", "text/plain")}
    ev = vendor.post(f"/api/evidence-uploads?case_id={case_id}&label=ApexLabel5521", files=files).json()
    theirs = world.new_case(world.org2, subject="BlueLine own case 4410")
    return {"case": case_id, "evidence": ev["id"], "theirs": theirs}


async def _sweep_as(email: str, hostile: list, secrets_: list[str]) -> list[str]:
    from models.core import sessions

    handlers = sweep._handlers()  # imports the app (every state) before the root state is built
    token, _, _ = await asyncio.to_thread(sessions.login, email, "correct-horse", f"10.8.{secrets.randbelow(250)}.1")
    root = sweep._root_with_cookie(f"pharos_session={token}", "/portal")
    problems = []
    for cls, name in handlers:
        if name == "setvar":
            continue
        for kwargs in sweep._calls(cls, name, hostile):
            state = sweep._substate(root, cls)
            try:
                await sweep._run(cls.event_handlers[name].fn, state, kwargs)
            except Exception as exc:
                problems.append(f"{cls.__name__}.{name}({kwargs!r}) raised {type(exc).__name__}: {exc}")
                continue
            tree = sweep._public_tree(root)
            leaked = [m for m in secrets_ if m in tree]
            if leaked:
                problems.append(f"{cls.__name__}.{name}({kwargs!r}) exposed vendor 1 data: {leaked}")
    return problems


def test_vendor_two_passing_vendor_ones_ids_learns_nothing(world, vendor_one):
    hostile = [vendor_one["case"], vendor_one["evidence"], f"/portal/cases/{vendor_one['case']}", None, ""]
    secret = [
        "Apex secret subject 7731",
        "Apex secret answer 9917",
        "ApexLabel5521",
        "apex-proof.txt",
        "Apex Packaging",
    ]
    assert sweep._in_own_loop(_sweep_as(world.vendor_emails["vendor2"], hostile, secret)) == []


async def _pages(email: str, case_id: str, theirs: str):
    from app.web.cases.detail import CaseState
    from app.web.cases.inbox import CaseInboxState
    from app.web.portal.cases import MyCasesState, MyCaseState
    from app.web.shell.auth import AuthState
    from models.core import sessions

    sweep._handlers()
    token, _, _ = await asyncio.to_thread(sessions.login, email, "correct-horse", f"10.7.{secrets.randbelow(250)}.1")
    root = sweep._root_with_cookie(f"pharos_session={token}", f"/cases/{case_id}")
    auth = sweep._substate(root, AuthState)
    redirect = await AuthState.event_handlers["guard"].fn(auth, route="/cases/[id]")
    staff_detail = sweep._substate(root, CaseState)
    await sweep._run(CaseState.event_handlers["load"].fn, staff_detail, {})
    inbox = sweep._substate(root, CaseInboxState)
    await sweep._run(CaseInboxState.event_handlers["load"].fn, inbox, {})
    mine = sweep._substate(root, MyCasesState)
    await sweep._run(MyCasesState.event_handlers["load"].fn, mine, {})
    root.router = sweep._root_with_cookie(f"pharos_session={token}", f"/portal/cases/{case_id}").router
    detail = sweep._substate(root, MyCaseState)
    await sweep._run(MyCaseState.event_handlers["load"].fn, detail, {})
    return auth.access, str(redirect), staff_detail.found, inbox.rows, [r.id for r in mine.rows], detail.found


def test_a_vendor_gets_nothing_from_staff_page_handlers_and_its_own_cases_in_the_portal(world, vendor_one):
    access, redirect, staff_found, inbox_rows, mine, portal_found = sweep._in_own_loop(
        _pages(world.vendor_emails["vendor1"], vendor_one["case"], vendor_one["theirs"])
    )
    assert access == "denied" and "/portal" in redirect
    assert staff_found is False and inbox_rows == []
    assert vendor_one["case"] in mine and vendor_one["theirs"] not in mine
    assert portal_found is True
