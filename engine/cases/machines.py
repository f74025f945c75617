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

# ---- payments (§5.2, §6.2) ----------------------------------------------------------------------
# A payment to the vendor for some of its invoices, proposed by staff (`submitted`). HOLD is a
# status, never an action: the system puts a submitted payment `on_hold` while a case about it (or
# a disputed line of one of its invoices) is active, and releases it when the last one closes;
# staff may also hold and release it with a note (their own routes, not decisions). Paying is the
# system's too (`settle`, when the remittance is recorded).

PAY_SUBMITTED, PAY_ON_HOLD, PAY_APPROVED, PAY_PAID = "submitted", "on_hold", "approved", "paid"
PAY_REJECTED, PAY_WITHDRAWN, PAY_CANCELLED = "rejected", "withdrawn", "cancelled"
PAYMENT_OPEN = frozenset({PAY_SUBMITTED, PAY_ON_HOLD, PAY_APPROVED})
PAYMENT_CLOSED = frozenset({PAY_PAID, PAY_REJECTED, PAY_WITHDRAWN, PAY_CANCELLED})
HOLD, RELEASE, SETTLE = "hold", "release", "settle"

PAYMENT_MACHINE = StateMachine(
    name="payment",
    states=PAYMENT_OPEN | PAYMENT_CLOSED,
    initial=PAY_SUBMITTED,
    owner_field="vendor_org_id",
    events="payment_events",
    terminal=PAYMENT_CLOSED,
    transitions=(
        Transition("approve", frozenset({PAY_SUBMITTED}), PAY_APPROVED, APPROVE, label="Approve"),
        Transition(
            "reject",
            frozenset({PAY_SUBMITTED, PAY_ON_HOLD}),
            PAY_REJECTED,
            REJECT,
            reason_required=True,
            label="Reject",
        ),
        Transition(
            "withdraw",
            frozenset({PAY_SUBMITTED, PAY_ON_HOLD}),
            PAY_WITHDRAWN,
            WITHDRAW,
            owner_only=True,
            label="Withdraw",
        ),
        Transition(
            "cancel",
            frozenset({PAY_APPROVED, PAY_ON_HOLD}),
            PAY_CANCELLED,
            CANCEL,
            reason_required=True,
            label="Cancel",
        ),
        Transition(HOLD, frozenset({PAY_SUBMITTED}), PAY_ON_HOLD, APPROVE, system_only=True),
        Transition(RELEASE, frozenset({PAY_ON_HOLD}), PAY_SUBMITTED, APPROVE, system_only=True),
        Transition(SETTLE, frozenset({PAY_APPROVED}), PAY_PAID, APPROVE, system_only=True),
    ),
)
PAYMENT_DECISIONS = ("approve", "reject", "withdraw", "cancel")

# ---- match packs (§5.4) --------------------------------------------------------------------------
# A match pack holds a vendor's invoices matched line by line against purchase orders and goods
# receipts (engine/cases/matching.py), born `open`. Reviewers confirm the match (a pack with
# exceptions needs a note; a line the vendor disputes in an active case blocks it), mark it a
# mismatch (note), or ask for evidence (note); ops cancel it (note).

MP_OPEN, MP_MATCHED, MP_MISMATCH, MP_EVIDENCE, MP_CANCELLED = (
    "open",
    "matched",
    "mismatch",
    "evidence_requested",
    "cancelled",
)
MATCH_MACHINE = StateMachine(
    name="match_pack",
    states=frozenset({MP_OPEN, MP_MATCHED, MP_MISMATCH, MP_EVIDENCE, MP_CANCELLED}),
    initial=MP_OPEN,
    owner_field="vendor_org_id",
    events="match_pack_events",
    terminal=frozenset({MP_MATCHED, MP_CANCELLED}),
    transitions=(
        Transition(
            "confirm_match", frozenset({MP_OPEN, MP_EVIDENCE, MP_MISMATCH}), MP_MATCHED, APPROVE, label="Confirm match"
        ),
        Transition(
            "mark_mismatch",
            frozenset({MP_OPEN, MP_EVIDENCE}),
            MP_MISMATCH,
            REJECT,
            reason_required=True,
            label="Mark mismatch",
        ),
        Transition(
            "request_evidence",
            frozenset({MP_OPEN, MP_MISMATCH}),
            MP_EVIDENCE,
            APPROVE,
            reason_required=True,
            label="Request evidence",
        ),
        Transition(
            "cancel",
            frozenset({MP_OPEN, MP_EVIDENCE, MP_MISMATCH}),
            MP_CANCELLED,
            CANCEL,
            reason_required=True,
            label="Cancel",
        ),
    ),
)
MATCH_DECISIONS = ("confirm_match", "mark_mismatch", "request_evidence", "cancel")
