"""Writes of the cases module for routes and pages: each checks the permission, owns its
transaction and answers a read model. Decisions go through the core action
(models.core.decision_actions.take_decision) with the targets below, the same path as
`POST /api/cases/{id}/update` and `POST /api/evidence/{id}/update`."""

from __future__ import annotations

import uuid

from engine.cases.machines import CASE_MACHINE, EVIDENCE_MACHINE
from engine.cases.permissions import READ, WRITE
from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.people.permissions import USERS_MANAGE
from models.cases import cases, evidence, links, queries
from models.cases.inputs import CaseCreate, CaseUpdate
from models.cases.tables import Payment
from models.cases.views import CaseView, EvidenceView, MessageView, StepView
from models.core.db import tenant_session
from models.core.decision_actions import DecisionOutcome, DecisionTarget, take_decision
from models.people import actions as people_actions
from models.people.actions import InvitationCreated

CASES = DecisionTarget("cases", CASE_MACHINE, READ, load=cases.get_case, apply=links.apply_case_decision)
EVIDENCE = DecisionTarget("evidence", EVIDENCE_MACHINE, READ, load=evidence.get_evidence, apply=evidence.apply_decision)


def create_case(ctx: TenantContext, body: CaseCreate) -> CaseView:
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        if body.payment_id is not None:
            cases.staff_only(ctx, "open a case")
            paid = session.get(Payment, body.payment_id) if not cases.is_vendor(ctx) else None
            if paid is None or paid.tenant_id != ctx.tenant_id or paid.vendor_org_id != body.vendor_id:
                raise ValidationFailed(
                    f"payment_id: no payment {body.payment_id} of this vendor", fields={"payment_id": "not found"}
                )
        row = links.open_about(
            session,
            ctx,
            vendor_id=body.vendor_id,
            subject=body.subject,
            case_type=body.case_type,
            assignee_id=body.assignee_id,
            message=body.message,
            payment_id=body.payment_id,
        )
        return queries.case_view(session, ctx, row)


def update_case(ctx: TenantContext, case_id: uuid.UUID, body: CaseUpdate) -> CaseView:
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        row = cases.get_case(session, ctx, case_id)
        cases.edit_case(session, ctx, row, body.model_dump(exclude_unset=True))
        return queries.case_view(session, ctx, row)


def decide_case(
    ctx: TenantContext, case_id: uuid.UUID, action: str, reason: str | None, expected_status: str | None = None
) -> DecisionOutcome:
    return take_decision(ctx, CASES, case_id, action, reason, expected_status)


def decide_evidence(
    ctx: TenantContext, evidence_id: uuid.UUID, action: str, reason: str | None, expected_status: str | None = None
) -> DecisionOutcome:
    return take_decision(ctx, EVIDENCE, evidence_id, action, reason, expected_status)


def _message(row) -> MessageView:  # noqa: ANN001 - a CaseMessage
    return MessageView(row.id, row.kind, row.body, row.author_name, row.author_role, row.created_at)


def comment(ctx: TenantContext, case_id: uuid.UUID, body: str) -> MessageView:
    """A plain comment (CRUD: no status change)."""
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        return _message(cases.add_message(session, ctx, cases.get_case(session, ctx, case_id), body))


def respond(ctx: TenantContext, case_id: uuid.UUID, body: str) -> MessageView:
    """The vendor's response: a waiting case goes `in_review` (not a decision; no button)."""
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        return _message(cases.respond(session, ctx, cases.get_case(session, ctx, case_id), body))


def request_info(ctx: TenantContext, case_id: uuid.UUID, body: str) -> MessageView:
    """Staff ask the vendor: an open or in-review case goes `waiting_vendor` (not a decision)."""
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        return _message(cases.request_info(session, ctx, cases.get_case(session, ctx, case_id), body))


def add_step(ctx: TenantContext, case_id: uuid.UUID, label: str) -> StepView:
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        s = cases.add_step(session, ctx, cases.get_case(session, ctx, case_id), label)
        return StepView(s.id, s.position, s.label, s.done, s.done_at)


def set_step(ctx: TenantContext, case_id: uuid.UUID, step_id: uuid.UUID, done: bool) -> StepView:
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        row = cases.get_case(session, ctx, case_id)
        s = cases.set_step_done(session, ctx, row, cases.get_step(session, ctx, row, step_id), done)
        return StepView(s.id, s.position, s.label, s.done, s.done_at)


def receive_evidence(
    ctx: TenantContext,
    chunks,  # noqa: ANN001 - an iterable of bytes
    *,
    filename: str | None,
    label: str | None = None,
    case_id: uuid.UUID | None = None,
    evidence_id: uuid.UUID | None = None,
) -> EvidenceView:
    """A whole file from an iterable of chunks (pages, seeds, tests); REST streams with
    `evidence.EvidenceUpload` itself."""
    upload = evidence.EvidenceUpload(ctx, case_id, evidence_id)
    try:
        for chunk in chunks:
            upload.write(chunk)
    except BaseException:
        upload.discard()
        raise
    row, _ = upload.commit(filename=filename, label=label)
    return queries.get_evidence(ctx, row.id)


def invite_vendor(ctx: TenantContext, case_id: uuid.UUID, email: str) -> InvitationCreated:
    """Invite a person of the case's vendor organization (role vendor) to the vendor portal: the
    people module's invitation (one-time link, audited); owners and admins only."""
    ctx.require(USERS_MANAGE)
    with tenant_session(ctx) as session:
        org = cases.get_case(session, ctx, case_id).vendor_org_id
    return people_actions.invite(ctx, email, "vendor", org)
