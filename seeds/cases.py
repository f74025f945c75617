"""Demo vendor cases: two vendor organizations (suppliers in the catalog), a vendor login for each
(`vendor@demo.test`, `vendor2@demo.test`, password pharos-demo), and cases in several statuses —
for each vendor at least one `open` and one `in_review` — with messages, checklist steps, evidence
files and the decisions that brought them there (events and audit rows like any other).

Ids are deterministic (seeds.ids.demo_id) and every step is get-or-create: running it twice
changes nothing. Dates are relative to the moment of seeding (one case is past its SLA)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from engine.cases.machines import CASE_MACHINE, RESPOND
from engine.context import TenantContext
from engine.rbac import Role
from models.cases import cases, evidence
from models.cases.tables import Case
from models.catalog.inputs import OrgCreate
from models.catalog.orgs import create_org
from models.catalog.tables import Organization
from models.core.base import utcnow
from models.core.decisions import decide
from models.core.identity import add_membership, ensure_user
from models.core.tables import Membership
from seeds.ids import demo_id

PASSWORD = "pharos-demo"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class Vendor:
    key: str
    code: str
    name: str
    email: str
    person: str


VENDORS = (
    Vendor("vendor-apex", "SUP-APEX", "Apex Packaging Supplies", "vendor@demo.test", "Vera Vendor"),
    Vendor("vendor-blueline", "SUP-BLUE", "BlueLine Logistics", "vendor2@demo.test", "Bruno Blueline"),
)


@dataclass(frozen=True)
class DemoCase:
    key: str
    vendor: str
    subject: str
    case_type: str
    days_ago: int
    status: str  # open | waiting_vendor | in_review | resolved_approved | cancelled
    first: str
    answer: str = ""
    file: tuple[str, bytes] | None = None
    steps: tuple[str, ...] = ()


CASES = (
    DemoCase(
        "apex-short",
        "vendor-apex",
        "Short shipment on PO 4411",
        "quality",
        2,
        "open",
        "PO 4411 arrived with 40 cartons instead of 48. Please confirm what was dispatched.",
        steps=("Dispatch note received", "Carton count confirmed", "Credit or re-delivery agreed"),
    ),
    DemoCase(
        "apex-price",
        "vendor-apex",
        "Invoice INV-2041 priced above contract",
        "invoice_dispute",
        4,
        "in_review",
        "Unit price on INV-2041 is 12.40; the contract says 11.90.",
        answer="The contract price list of March is attached; we will issue a credit note if it differs.",
        file=("contract-prices-march.pdf", PDF),
        steps=("Contract price list received", "Difference computed"),
    ),
    DemoCase(
        "apex-damaged",
        "vendor-apex",
        "Damaged cartons in batch 7",
        "quality",
        12,
        "waiting_vendor",
        "Photos show crushed cartons in batch 7. Send your packing QA report.",
    ),
    DemoCase(
        "apex-paid",
        "vendor-apex",
        "Payment of INV-1988 not received",
        "payment_query",
        20,
        "resolved_approved",
        "We show INV-1988 as paid on the 3rd; please check your remittance.",
        answer="Found it, thank you: it was booked on the wrong account.",
    ),
    DemoCase(
        "blue-late",
        "vendor-blueline",
        "Late delivery penalty for Q3",
        "general",
        1,
        "open",
        "Three Q3 deliveries were over two days late; the penalty clause applies.",
    ),
    DemoCase(
        "blue-fuel",
        "vendor-blueline",
        "Fuel surcharge on invoice BL-778",
        "invoice_dispute",
        3,
        "in_review",
        "BL-778 carries a 6% fuel surcharge that the agreement does not mention.",
        answer="The surcharge index for the month is attached.",
        file=("fuel-index.csv", b"month,index\n2026-09,106.0\n2026-10,104.5\n"),
    ),
    DemoCase(
        "blue-onboard",
        "vendor-blueline",
        "Onboarding documents",
        "onboarding",
        30,
        "cancelled",
        "Please upload your insurance certificate.",
    ),
)


def _vendor_org(session: Session, ctx: TenantContext, v: Vendor) -> uuid.UUID:
    org_id = demo_id("organization", v.key)
    if session.get(Organization, org_id) is None:
        create_org(session, ctx, OrgCreate(type="supplier", code=v.code, name=v.name), org_id=org_id)
    return org_id


def _vendor_user(session: Session, ctx: TenantContext, v: Vendor, org_id: uuid.UUID) -> uuid.UUID:
    user = ensure_user(
        session, email=v.email, display_name=v.person, password=PASSWORD, user_id=demo_id("user", v.email)
    )
    exists = session.exec(
        select(Membership).where(Membership.tenant_id == ctx.tenant_id, Membership.user_id == user.id)
    ).first()
    if exists is None:
        add_membership(session, ctx, user, Role.VENDOR, org_id)
    return user.id


def seed(session: Session, ctx: TenantContext) -> None:
    orgs, people = {}, {}
    for v in VENDORS:
        orgs[v.key] = _vendor_org(session, ctx, v)
        people[v.key] = _vendor_user(session, ctx, v, orgs[v.key])
    ops = TenantContext(ctx.tenant_id, demo_id("user", "ops@demo.test"), Role.OPS, tenant_slug=ctx.tenant_slug)
    for c in CASES:
        case_id = demo_id("case", c.key)
        if session.get(Case, case_id) is not None:
            continue
        vendor = TenantContext(ctx.tenant_id, people[c.vendor], Role.VENDOR, orgs[c.vendor], ctx.tenant_slug)
        row = cases.open_case(
            session,
            ops,
            vendor_id=orgs[c.vendor],
            subject=c.subject,
            case_type=c.case_type,
            assignee_id=ops.user_id,
            message=c.first,
            case_id=case_id,
            opened_at=utcnow() - timedelta(days=c.days_ago),
        )
        for label in c.steps:
            cases.add_step(session, ops, row, label)
        if c.status == "waiting_vendor":
            cases.request_info(session, ops, row, "A reminder: we still need the report.")
        if c.status in ("in_review", "resolved_approved"):
            if c.file is not None:
                evidence.attach_bytes(session, vendor, row, c.file[1], c.file[0], c.file[0].rsplit(".", 1)[0])
            cases.add_message(session, vendor, row, c.answer, kind="response")
            decide(session, vendor, CASE_MACHINE, row, RESPOND)
        if c.status == "resolved_approved":
            decide(session, ops, CASE_MACHINE, row, "approve", reason="Remittance confirmed by the vendor.")
        if c.status == "cancelled":
            decide(session, ops, CASE_MACHINE, row, "cancel", reason="Documents arrived by post.")
