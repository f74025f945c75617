"""Organization status decisions on the pages' generic decision dialog, driven like the websocket
sweep drives handlers: ops holds and reinstates through the dialog (the id comes from the shown
row, never an argument); a viewer and another tenant's owner change nothing."""

from __future__ import annotations

import asyncio

from tests.integration.catalog.test_forms import _call, _signed_in_root
from tests.integration.core.test_websocket_sweep import _in_own_loop, _substate
from tests.support.users import PASSWORD, add_user


def _status(cat, key: str) -> str:
    from models.catalog import queries

    return queries.org(cat.ctx(), cat.ids.orgs[key]).status


async def _ops_holds_and_reinstates(root, cat_a) -> list[str]:
    from app.web.catalog.organizations import OrgsState

    metro = str(cat_a.ids.orgs["dealer-metro"])
    state = await _call(root, OrgsState, "load")
    await _call(root, OrgsState, "select", org_id=metro)
    assert state.found and state._record_id == metro
    assert {a["action"] for a in state.actions} == {"hold", "suspend", "archive"}
    await _call(root, OrgsState, "start_action", action="reinstate")  # not offered: ignored
    assert not state.dialog_open
    await _call(root, OrgsState, "start_action", action="hold")
    assert state.dialog_open and state.dialog_title == "Put on hold"
    await _call(root, OrgsState, "confirm_action")  # no reason yet: nothing happens
    seen = [await asyncio.to_thread(_status, cat_a, "dealer-metro")]
    await _call(root, OrgsState, "set_reason", value="awaiting paperwork")
    await _call(root, OrgsState, "confirm_action")
    assert not state.dialog_open and state.notice == "Done: hold." and state.selected.status == "on_hold"
    assert {r.id: r.status for r in state.rows}[metro] == "on_hold"  # the list shows it too
    seen.append(await asyncio.to_thread(_status, cat_a, "dealer-metro"))
    await _call(root, OrgsState, "start_action", action="reinstate")
    await _call(root, OrgsState, "set_reason", value="paperwork in")
    await _call(root, OrgsState, "confirm_action")
    seen.append(await asyncio.to_thread(_status, cat_a, "dealer-metro"))
    for cls in (OrgsState,):
        _substate(root, cls)._serialize()  # the state manager pickles it between events
    return seen


async def _cannot_decide(root, cat_a, org_key: str) -> None:
    from app.web.catalog.organizations import OrgsState

    state = await _call(root, OrgsState, "load")
    await _call(root, OrgsState, "select", org_id=str(cat_a.ids.orgs[org_key]))
    await _call(root, OrgsState, "start_action", action="hold")
    await _call(root, OrgsState, "set_reason", value="should not happen")
    await _call(root, OrgsState, "confirm_action")
    assert not state.dialog_open and state.selected.status != "on_hold"


async def _scenario(cat_a, cat_b):
    ops = (await asyncio.to_thread(add_user, cat_a.tenant, "ops"), PASSWORD)
    viewer = (await asyncio.to_thread(add_user, cat_a.tenant, "viewer"), PASSWORD)
    seen = await _ops_holds_and_reinstates(
        await asyncio.to_thread(_signed_in_root, *ops, "/catalog/organizations"), cat_a
    )
    await _cannot_decide(
        await asyncio.to_thread(_signed_in_root, *viewer, "/catalog/organizations"), cat_a, "dealer-coastal"
    )
    b_root = await asyncio.to_thread(
        _signed_in_root, cat_b.tenant.owner_email, cat_b.tenant.password, "/catalog/organizations"
    )
    await _cannot_decide(b_root, cat_a, "dealer-coastal")  # tenant A's id: not found for B
    return seen


def test_org_decisions_through_the_dialog(cat_a, cat_b):
    import app.app  # noqa: F401  (registers every page state under the root state)

    assert _in_own_loop(_scenario(cat_a, cat_b)) == ["active", "on_hold", "active"]
    assert _status(cat_a, "dealer-coastal") == "active"
    assert _status(cat_b, "dealer-coastal") == "active"
