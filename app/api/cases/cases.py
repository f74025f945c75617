"""Cases over REST (vendor-case-os-prd.md §8): POST create, GET read, PATCH non-decision edits;
messages, the vendor's response, the staff's request and checklist steps are plain creates/edits.
Decisions only through `POST /api/cases/{id}/update` (decisions.py). Every route calls one query
or action, which checks the permission, scopes a vendor to its own organization and owns the
transaction; another vendor's or tenant's id is a 404."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.api.core.members import InvitationCreatedOut, InvitationOut, absolute
from app.api.deps import Cursor, Limit, SearchText, require
from engine.cases.machines import CASE_MACHINE
from engine.cases.permissions import READ, WRITE
from engine.cases.rules import CASE_TYPES
from engine.context import TenantContext
from engine.inputs import Instant, query_int
from models.cases import actions, queries
from models.cases.cases import CaseFilters
from models.cases.inputs import CaseCreate, CaseUpdate, MessageCreate, StepCreate, StepUpdate, VendorInvite
from models.cases.views import CaseDetail, CaseView, EventView, MessageView, StepView
from models.core.pagination import Page

router = APIRouter(prefix="/api", tags=["cases"])

Status = Annotated[str | None, Query(description=f"one of: {', '.join(CASE_MACHINE.statuses)}", max_length=30)]
CaseType = Annotated[str | None, Query(description=f"one of: {', '.join(CASE_TYPES)}", max_length=30)]
AgeDays = Annotated[query_int(0, 36500) | None, Query(description="opened at least this many days ago")]


@router.get("/cases", response_model=Page[CaseView])
def list_cases(
    status: Status = None,
    vendor_id: uuid.UUID | None = None,
    case_type: CaseType = None,
    assignee_id: uuid.UUID | None = None,
    unassigned: bool = False,
    min_age_days: AgeDays = None,
    overdue: bool = False,
    q: SearchText = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    ctx: TenantContext = Depends(require(READ)),
) -> Page[CaseView]:
    """Newest first; a vendor sees its own organization's cases only."""
    filters = CaseFilters(
        status=status,
        vendor_id=vendor_id,
        case_type=case_type,
        assignee_id=assignee_id,
        unassigned=unassigned,
        min_age_days=min_age_days,
        overdue=overdue,
        q=q,
    )
    return queries.case_page(ctx, filters, limit=limit, cursor=cursor)


@router.post("/cases", status_code=201, response_model=CaseView)
def create_case(body: CaseCreate, ctx: TenantContext = Depends(require(WRITE))) -> CaseView:
    return actions.create_case(ctx, body)


@router.get("/cases/{case_id}", response_model=CaseDetail)
def get_case(
    case_id: uuid.UUID,
    as_of: Annotated[Instant | None, Query(description="show the case as it stood then (no decisions)")] = None,
    ctx: TenantContext = Depends(require(READ)),
) -> CaseDetail:
    """The case, the decisions the caller may take now, the timeline, checklist and evidence; with
    `as_of`, the case as it stood at that moment, rebuilt from its events (422 before it was opened)."""
    return queries.case_detail(ctx, case_id, as_of)


@router.patch("/cases/{case_id}", response_model=CaseView)
def update_case(case_id: uuid.UUID, body: CaseUpdate, ctx: TenantContext = Depends(require(WRITE))) -> CaseView:
    """Subject, type and assignee (staff); never the status."""
    return actions.update_case(ctx, case_id, body)


@router.get("/cases/{case_id}/events", response_model=Page[EventView])
def case_events(case_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> Page[EventView]:
    return queries.case_events(ctx, case_id)


@router.post("/cases/{case_id}/messages", status_code=201, response_model=MessageView)
def add_comment(case_id: uuid.UUID, body: MessageCreate, ctx: TenantContext = Depends(require(WRITE))) -> MessageView:
    """A comment: no status change."""
    return actions.comment(ctx, case_id, body.body)


@router.post("/cases/{case_id}/responses", status_code=201, response_model=MessageView)
def respond(case_id: uuid.UUID, body: MessageCreate, ctx: TenantContext = Depends(require(WRITE))) -> MessageView:
    """The vendor's response: an open or waiting case goes `in_review` (vendors only)."""
    return actions.respond(ctx, case_id, body.body)


@router.post("/cases/{case_id}/requests", status_code=201, response_model=MessageView)
def request_info(case_id: uuid.UUID, body: MessageCreate, ctx: TenantContext = Depends(require(WRITE))) -> MessageView:
    """Staff ask the vendor: an open or in-review case goes `waiting_vendor` (reviewers only)."""
    return actions.request_info(ctx, case_id, body.body)


@router.post("/cases/{case_id}/steps", status_code=201, response_model=StepView)
def add_step(case_id: uuid.UUID, body: StepCreate, ctx: TenantContext = Depends(require(WRITE))) -> StepView:
    return actions.add_step(ctx, case_id, body.label)


@router.patch("/cases/{case_id}/steps/{step_id}", response_model=StepView)
def set_step(
    case_id: uuid.UUID, step_id: uuid.UUID, body: StepUpdate, ctx: TenantContext = Depends(require(WRITE))
) -> StepView:
    return actions.set_step(ctx, case_id, step_id, body.done)


@router.post("/cases/{case_id}/invitations", status_code=201, response_model=InvitationCreatedOut)
def invite_vendor(
    case_id: uuid.UUID, body: VendorInvite, request: Request, ctx: TenantContext = Depends(require(READ))
) -> InvitationCreatedOut:
    """Invite a person of the case's vendor organization to the vendor portal (owners, admins):
    the one-time link is answered once."""
    made = actions.invite_vendor(ctx, case_id, body.email)
    return InvitationCreatedOut(
        invitation=InvitationOut.of(made.invitation), accept_url=absolute(request, made.accept_path)
    )
