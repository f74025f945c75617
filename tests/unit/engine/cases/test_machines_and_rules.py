"""The case and evidence machines as the spec's tables say, and the evidence file rules."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from engine.cases import rules
from engine.cases.machines import CASE_MACHINE, DECISIONS, EVIDENCE_MACHINE
from engine.context import TenantContext
from engine.errors import Forbidden, InvalidTransition, ValidationFailed
from engine.rbac import Role
from engine.state_machine import MAX_UI_ACTIONS

ANCHOR = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def ctx(role: Role, org: uuid.UUID | None = None) -> TenantContext:
    return TenantContext(tenant_id=uuid.uuid4(), user_id=uuid.uuid4(), role=role, organization_id=org)


def test_the_spec_excerpt_of_6_1_holds():
    table = {
        ("open", "cancel"): "cancelled",
        ("waiting_vendor", "cancel"): "cancelled",
        ("in_review", "approve"): "resolved_approved",
        ("in_review", "reject"): "resolved_rejected",
        ("in_review", "withdraw"): "withdrawn",
    }
    for (status, action), target in table.items():
        assert CASE_MACHINE.transition_for(status, action).target == target
    assert set(DECISIONS) <= set(CASE_MACHINE.actions)


@pytest.mark.parametrize("status", sorted(CASE_MACHINE.terminal))
def test_closed_cases_take_no_action(status):
    for action in CASE_MACHINE.actions:
        with pytest.raises(InvalidTransition):
            CASE_MACHINE.transition_for(status, action)


def test_no_role_ever_gets_more_than_four_buttons_and_the_moves_are_never_buttons():
    for machine in (CASE_MACHINE, EVIDENCE_MACHINE):
        for status in machine.states:
            for role in Role:
                candidates = machine.ui_candidates(status, role)
                assert len(candidates) <= MAX_UI_ACTIONS
                assert not {"respond", "request_info"} & {t.action for t in candidates}


def test_withdraw_is_the_owning_vendors_only():
    org = uuid.uuid4()
    CASE_MACHINE.check("in_review", "withdraw", ctx(Role.VENDOR, org), None, is_owner=True)
    with pytest.raises(Forbidden):
        CASE_MACHINE.check("in_review", "withdraw", ctx(Role.VENDOR, uuid.uuid4()), None, is_owner=False)
    with pytest.raises(Forbidden):
        CASE_MACHINE.check("in_review", "withdraw", ctx(Role.OWNER), None)
    with pytest.raises(Forbidden):
        CASE_MACHINE.check("in_review", "approve", ctx(Role.VENDOR, org), None, is_owner=True)
    with pytest.raises(ValidationFailed):
        CASE_MACHINE.check("in_review", "reject", ctx(Role.OPS), "  ")
    with pytest.raises(Forbidden):
        CASE_MACHINE.check("open", "cancel", ctx(Role.ADMIN), "dup")


def test_age_against_the_sla():
    due = rules.due_at(ANCHOR, "payment_query")
    assert due == ANCHOR + timedelta(days=5)
    assert rules.age(ANCHOR, due, ANCHOR + timedelta(days=4), active=True) == rules.Age(4, False)
    assert rules.age(ANCHOR, due, ANCHOR + timedelta(days=6), active=True) == rules.Age(6, True)
    assert rules.age(ANCHOR, due, ANCHOR + timedelta(days=6), active=False) == rules.Age(6, False)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"GIF89a", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"PK\x03\x04....[Content_Types].xml", "application/vnd.openxmlformats-officedocument"),
        ("naïve,text\n".encode(), "text/plain"),
    ],
)
def test_sniffing_reads_the_content(head, kind):
    found = rules.sniff(head)
    assert found is not None and found[0] == kind


@pytest.mark.parametrize(
    "head", [b"MZ\x90\x00", b"\x7fELF\x02", b"PK\x03\x04plain zip", b"a\x00b", b"\xff\xfe\x00\x01bad"]
)
def test_executables_archives_and_binary_are_refused(head):
    assert rules.sniff(head) is None


def test_filenames_are_cleaned_and_must_agree_with_the_content():
    assert rules.clean_filename("C:\\Users\\x\\report.pdf") == "report.pdf"
    assert rules.clean_filename("../../etc/pass?wd.txt") == "pass_wd.txt"
    with pytest.raises(ValidationFailed):
        rules.clean_filename("  ")
    with pytest.raises(ValidationFailed):
        rules.clean_filename("a" * 201 + ".pdf")
    assert rules.check_file("a.PDF", b"%PDF-1.4", 10) == "application/pdf"
    with pytest.raises(ValidationFailed):
        rules.check_file("a.txt", b"%PDF-1.4", 10)
