"""What the case pages add on top of the REST API: the evidence's `can_replace` (the portal's
"Replace file"), and the staff page's assignee choice (only active staff members of the tenant;
a PATCH-style edit, audited; nothing written for a choice that was not offered)."""

from __future__ import annotations

import asyncio
import secrets

from sqlalchemy import text

import tests.integration.core.test_websocket_sweep as sweep
from tests.integration.cases.conftest import PASSWORD
from tests.integration.cases.support import case_trail
from tests.support.effects import unchanged


def _evidence(world, case_id: str, name: str = "proof.txt") -> dict:
    files = {"file": (name, b"48 cartons", "text/plain")}
    res = world.clients["vendor1"].post(f"/api/evidence-uploads?case_id={case_id}&label=Count", files=files)
    assert res.status_code == 201, res.text
    return res.json()


def test_can_replace_follows_the_machine_and_other_vendors_and_tenants_get_404(world):
    case_id = world.new_case()
    ev = _evidence(world, case_id)
    url = f"/api/evidence/{ev['id']}"
    assert world.clients["vendor1"].get(url).json()["can_replace"] is True
    assert "replace" not in [a["action"] for a in world.clients["vendor1"].get(url).json()["actions"]]
    assert world.clients["viewer"].get(url).json()["can_replace"] is False  # no write permission
    assert world.clients["vendor2"].get(url).status_code == 404
    assert world.clients["b_owner"].get(url).status_code == 404
    res = world.clients["ops"].post(f"{url}/update", json={"action": "verify", "expected_status": "submitted"})
    assert res.status_code == 200, res.text
    assert world.clients["vendor1"].get(url).json()["can_replace"] is False  # verified: final for the vendor
    detail = world.clients["vendor1"].get(f"/api/cases/{case_id}").json()
    assert [e["can_replace"] for e in detail["evidence"]] == [False]


def _member_ids(world) -> dict[str, str]:
    from models.core.db import owner_tenant_session

    with owner_tenant_session(world.tenant.ctx()) as s:
        rows = s.execute(
            text(
                "select u.email, u.id::text from users u join memberships m on m.user_id = u.id where m.tenant_id = :t"
            ),
            {"t": world.tenant.tenant_id},
        ).all()
    return {r[0]: r[1] for r in rows}


async def _case_page(email: str, case_id: str, *, assign: str | None = None):
    from app.web.cases.detail import CaseState
    from models.core import sessions

    sweep._handlers()
    token, _, _ = await asyncio.to_thread(sessions.login, email, PASSWORD, f"10.9.{secrets.randbelow(250)}.1")
    root = sweep._root_with_cookie(f"pharos_session={token}", f"/cases/{case_id}")
    page = sweep._substate(root, CaseState)
    await sweep._run(CaseState.event_handlers["load"].fn, page, {})
    if assign is not None:
        await sweep._run(CaseState.event_handlers["assign"].fn, page, {"value": assign})
    return page.found, [(o.id, o.label) for o in page.assignees], page.case.assignee_id, page.notice, page.error


def test_the_assignee_choices_are_active_staff_and_a_change_is_audited(world):
    sweep._handlers()  # import the app (and Reflex's registration context) in this thread first
    case_id = world.new_case()
    ids = _member_ids(world)
    ops_email = next(e for e in ids if e.startswith("ops"))
    found, choices, assignee, _, _ = sweep._in_own_loop(_case_page(ops_email, case_id))
    assert found is True and assignee == ""
    offered = {c[0] for c in choices}
    assert choices[0] == ("nobody", "Unassigned")
    assert ids[ops_email] in offered and ids[world.tenant.owner_email] in offered
    assert not offered & {ids[world.vendor_emails["vendor1"]], ids[world.vendor_emails["vendor2"]]}

    before = case_trail(world, case_id)
    found, _, assignee, notice, error = sweep._in_own_loop(_case_page(ops_email, case_id, assign=ids[ops_email]))
    assert (assignee, notice, error) == (ids[ops_email], "Assignee changed.", "")
    after = case_trail(world, case_id)
    assert after["audit_events"] == before["audit_events"] + 1
    assert (after["status"], after["case_events"]) == (before["status"], before["case_events"])  # not a decision
    assert world.clients["ops"].get(f"/api/cases/{case_id}").json()["case"]["assignee_id"] == ids[ops_email]

    vendor_id = ids[world.vendor_emails["vendor1"]]
    with unchanged(lambda: case_trail(world, case_id)):  # not offered: nothing is sent
        sweep._in_own_loop(_case_page(ops_email, case_id, assign=vendor_id))
        res = world.clients["ops"].patch(f"/api/cases/{case_id}", json={"assignee_id": vendor_id})
        assert res.status_code == 422 and "assignee_id" in res.json()["error"]["fields"], res.text

    _, _, assignee, _, _ = sweep._in_own_loop(_case_page(ops_email, case_id, assign="nobody"))
    assert assignee == ""


def test_read_only_roles_get_no_assignee_choice(world):
    sweep._handlers()
    case_id = world.new_case()
    viewer = next(e for e in _member_ids(world) if e.startswith("viewer"))
    before = case_trail(world, case_id)
    found, choices, _, _, _ = sweep._in_own_loop(_case_page(viewer, case_id, assign="nobody"))
    assert found is True and choices == []
    assert case_trail(world, case_id) == before
