"""The case and the evidence file as decision-bearing entities (vendor-case-os-prd.md §5.1, §5.5, §6.1).

Case: opened by staff (`open`). The four decisions are the spec's: APPROVE and REJECT by the
tenant's reviewers (owner, admin, ops, finance) on a case `in_review`; WITHDRAW by the vendor, on
its own case only (`owner_field = vendor_org_id`), while it is not yet resolved; CANCEL by ops
(and the owner) while it waits (`open`, `waiting_vendor`). Two further moves are not decisions and
never buttons (`system_only`): the vendor's response (`respond`: `open`/`waiting_vendor` →
`in_review`, taken when the vendor submits a response, owner-only) and the staff's request for
more (`request_info`: `open`/`in_review` → `waiting_vendor`, taken when staff ask the vendor);
both still go through the decision path, so each leaves an event and an audit row.

Evidence: a file the vendor (or staff) attaches to a case, born `submitted`. VERIFY and REJECT by
reviewers; REPLACE puts the newest uploaded version in place (back to `submitted`); REMOVE is a soft
delete (`removed`): the row and every version's bytes stay, and the app role cannot DELETE them.
"""

from __future__ import annotations

from engine.cases.permissions import APPROVE, CANCEL, REJECT, WITHDRAW, WRITE
from engine.state_machine import StateMachine, Transition

OPEN, WAITING_VENDOR, IN_REVIEW = "open", "waiting_vendor", "in_review"
RESOLVED_APPROVED, RESOLVED_REJECTED, WITHDRAWN, CANCELLED = (
    "resolved_approved",
    "resolved_rejected",
    "withdrawn",
    "cancelled",
)
ACTIVE = frozenset({OPEN, WAITING_VENDOR, IN_REVIEW})
CLOSED = frozenset({RESOLVED_APPROVED, RESOLVED_REJECTED, WITHDRAWN, CANCELLED})

# the spec's decisions (the buttons); the non-decision moves are RESPOND and REQUEST_INFO
DECISIONS = ("approve", "reject", "withdraw", "cancel")
RESPOND, REQUEST_INFO = "respond", "request_info"

CASE_MACHINE = StateMachine(
    name="case",
    states=ACTIVE | CLOSED,
    initial=OPEN,
    owner_field="vendor_org_id",
    events="case_events",
    terminal=CLOSED,
    transitions=(
        Transition("approve", frozenset({IN_REVIEW}), RESOLVED_APPROVED, APPROVE, label="Approve"),
        Transition("reject", frozenset({IN_REVIEW}), RESOLVED_REJECTED, REJECT, reason_required=True, label="Reject"),
        Transition("withdraw", ACTIVE, WITHDRAWN, WITHDRAW, owner_only=True, label="Withdraw"),
        Transition(
            "cancel", frozenset({OPEN, WAITING_VENDOR}), CANCELLED, CANCEL, reason_required=True, label="Cancel"
        ),
        Transition(RESPOND, frozenset({OPEN, WAITING_VENDOR}), IN_REVIEW, WRITE, owner_only=True, system_only=True),
        Transition(REQUEST_INFO, frozenset({OPEN, IN_REVIEW}), WAITING_VENDOR, APPROVE, system_only=True),
    ),
)

SUBMITTED, VERIFIED, REJECTED, REMOVED = "submitted", "verified", "rejected", "removed"

EVIDENCE_MACHINE = StateMachine(
    name="evidence",
    states=frozenset({SUBMITTED, VERIFIED, REJECTED, REMOVED}),
    initial=SUBMITTED,
    events="evidence_events",
    terminal=frozenset({REMOVED}),
    transitions=(
        Transition("verify", frozenset({SUBMITTED}), VERIFIED, APPROVE, label="Verify"),
        Transition("reject", frozenset({SUBMITTED}), REJECTED, REJECT, reason_required=True, label="Reject"),
        Transition("replace", frozenset({SUBMITTED, REJECTED}), SUBMITTED, WRITE, label="Replace"),
        Transition("remove", frozenset({SUBMITTED, REJECTED}), REMOVED, WRITE, reason_required=True, label="Remove"),
    ),
)
