"""Margin state machines: transitions, reasons, labels and the locked RBAC per role."""

from __future__ import annotations

import pytest

from engine.errors import Forbidden, InvalidTransition, ValidationFailed
from engine.margin.machines import (
    ALERT_MACHINE,
    BATCH_MACHINE,
    DEALER_LADDER,
    DEALER_MACHINE,
    MACHINES,
    TASK_MACHINE,
)
from engine.rbac import Role
from tests.unit.engine.margin.helpers import ctx

OW, OPS, S, V = Role.OWNER, Role.OPS, Role.SALES, Role.VIEWER


def allowed(machine, status, action, role, reason="note") -> bool:
    try:
        machine.check(status, action, ctx(role), reason)
    except Forbidden:
        return False
    return True


# (machine, status, action) -> roles that may take it, per the spec's locked RBAC
MATRIX = [
    (ALERT_MACHINE, "open", "acknowledge", {OW, OPS, S}),
    (ALERT_MACHINE, "acknowledged", "enforce", {OW, OPS}),  # Sales: no enforcement
    (ALERT_MACHINE, "in_enforcement", "resolve", {OW, OPS, S}),  # Sales closes the loop
    (ALERT_MACHINE, "open", "dismiss", {OW, OPS, S}),
    (ALERT_MACHINE, "resolved", "reopen", {OW, OPS, S}),
    (TASK_MACHINE, "open", "start", {OW, OPS, S}),
    (TASK_MACHINE, "in_progress", "complete", {OW, OPS, S}),
    (TASK_MACHINE, "done", "reopen", {OW, OPS, S}),
    (DEALER_MACHINE, "active", "warn", {OW, OPS}),
    (DEALER_MACHINE, "suspended", "terminate", {OW, OPS}),
    (DEALER_MACHINE, "terminated", "step_down", {OW, OPS}),
    (BATCH_MACHINE, "draft", "start", {OW, OPS}),
    (BATCH_MACHINE, "running", "cancel", {OW, OPS}),
]


@pytest.mark.parametrize(("machine", "status", "action", "holders"), MATRIX)
@pytest.mark.parametrize("role", [OW, OPS, S, V])
def test_rbac_matrix(machine, status, action, holders, role):
    assert allowed(machine, status, action, role) is (role in holders)


@pytest.mark.parametrize("machine", list(MACHINES.values()))
def test_viewer_sees_no_buttons_anywhere(machine):
    assert all(machine.available_actions(s, ctx(V)) == [] for s in machine.states)


# every button any role could see, per (machine, state): untruncated, so a fifth action fails here
BUTTONS = {
    (ALERT_MACHINE, "open"): {"acknowledge", "enforce", "resolve", "dismiss"},
    (ALERT_MACHINE, "acknowledged"): {"enforce", "resolve", "dismiss"},
    (ALERT_MACHINE, "in_enforcement"): {"stand_down", "resolve"},
    (TASK_MACHINE, "open"): {"start", "complete", "cancel"},
    (DEALER_MACHINE, "final_notice"): {"suspend", "step_down", "restore"},
    (BATCH_MACHINE, "running"): {"cancel"},
}


@pytest.mark.parametrize("machine", list(MACHINES.values()))
def test_every_transition_has_a_label_and_no_role_gets_more_than_four_buttons(machine):
    assert all(t.label for t in machine.transitions)
    for status in machine.states:
        for role in Role:
            candidates = machine.ui_candidates(status, role)
            assert len(candidates) <= 4, (machine.name, status, role, [t.action for t in candidates])
            expected = BUTTONS.get((machine, status))
            if expected is not None and role in (OW, OPS):
                assert {t.action for t in candidates} == expected


def test_alert_lifecycle_with_reopen():
    steps = [
        ("open", "acknowledge"),
        ("acknowledged", "enforce"),
        ("in_enforcement", "resolve"),
        ("resolved", "reopen"),
    ]
    for status, action in steps:
        status = ALERT_MACHINE.check(status, action, ctx(OPS), "fixed").target
    assert status == "open"
    with pytest.raises(InvalidTransition):
        ALERT_MACHINE.check("dismissed", "enforce", ctx(OW), None)


def test_sales_buttons_on_an_open_alert_exclude_enforcement():
    assert [t.label for t in ALERT_MACHINE.available_actions("open", ctx(S))] == ["Acknowledge", "Resolve", "Dismiss"]
    assert [t.label for t in ALERT_MACHINE.available_actions("open", ctx(OPS))] == [
        "Acknowledge",
        "Start enforcement",
        "Resolve",
        "Dismiss",
    ]


@pytest.mark.parametrize("action", ["resolve", "dismiss"])
def test_closing_an_alert_needs_a_note(action):
    with pytest.raises(ValidationFailed):
        ALERT_MACHINE.check("open", action, ctx(S), " ")


def test_dealer_ladder_up_and_back_down_every_change_needs_a_reason():
    status = "active"
    for action in ("warn", "final_notice", "suspend", "terminate"):
        with pytest.raises(ValidationFailed):
            DEALER_MACHINE.check(status, action, ctx(OPS), None)
        status = DEALER_MACHINE.check(status, action, ctx(OPS), "breach x3").target
    assert status == "terminated"
    down = []
    while status != "active":
        status = DEALER_MACHINE.check(status, "step_down", ctx(OPS), "complied").target
        down.append(status)
    assert down == list(reversed(DEALER_LADDER[:-1]))
    assert all(t.reason_required for t in DEALER_MACHINE.transitions)
    assert DEALER_MACHINE.check("suspended", "restore", ctx(OW), "appeal won").target == "active"


def test_task_flow_and_cancel_reason():
    assert TASK_MACHINE.check("open", "start", ctx(S), None).target == "in_progress"
    assert TASK_MACHINE.check("in_progress", "complete", ctx(S), None).target == "done"
    with pytest.raises(ValidationFailed):
        TASK_MACHINE.check("open", "cancel", ctx(S), "")


def test_batch_worker_actions_are_not_buttons():
    assert [t.action for t in BATCH_MACHINE.available_actions("queued", ctx(OW))] == ["cancel"]
    assert [t.action for t in BATCH_MACHINE.available_actions("draft", ctx(OPS))] == ["start", "cancel"]
    for status in ("completed", "cancelled", "failed"):
        assert status in BATCH_MACHINE.terminal and not BATCH_MACHINE.available_actions(status, ctx(OW))
    assert BATCH_MACHINE.check("running", "fail", ctx(OW), "crashed").target == "failed"
    assert {t.action for t in BATCH_MACHINE.transitions if t.system_only} == {"run", "complete", "fail"}
