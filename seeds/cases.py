"""Demo vendor cases: two vendor organizations (suppliers in the catalog), a vendor login for each
(`vendor@demo.test`, `vendor2@demo.test`, password pharos-demo), and cases in several statuses —
for each vendor at least one `open` and one `in_review` — with messages, checklist steps, evidence
files and the decisions that brought them there (events and audit rows like any other); and the money
side per vendor: a purchase order with goods receipts, invoices, a match pack (Apex's with a price
variance), a paid payment, a payment on hold (Apex), and a statement of account reconciled against
the ledger (one line differs, one is not in the ledger).

Ids are deterministic (seeds.ids.demo_id) and every step is get-or-create: running it twice
changes nothing. Dates are relative to the moment of seeding (one case is past its SLA)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from engine.cases.machines import CASE_MACHINE, PAYMENT_MACHINE, RESPOND
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
    _seed_money(session, ctx, orgs)


# ---- the money side: purchase orders, receipts, invoices, a match pack with a variance, payments
# (one on hold), a statement of account per vendor -------------------------------------------------


@dataclass(frozen=True)
class DemoMoney:
    vendor: str
    po: str
    po_lines: tuple[tuple[str, str, str, str], ...]  # description, quantity, unit price, tax rate
    received: tuple[str, ...]  # quantity received per PO line
    invoices: tuple[tuple[str, int, tuple[tuple[int, str, str, str], ...]], ...]  # number, days ago, lines
    packed: tuple[str, ...]  # the invoices matched in the demo pack
    paid: str  # an invoice paid in full
    held: str  # an invoice whose payment is on hold
    statement: tuple[tuple[str, str, str], ...]  # doc type, number, amount ("=" the ledger's figure)


MONEY = (
    DemoMoney(
        "vendor-apex",
        "PO-4411",
        (("Shipping carton 40x30", "48", "11.90", "0.18"), ("Packing tape 50 m", "100", "2.50", "0.18")),
        ("40", "100"),
        (
            ("INV-2040", 25, ((2, "60", "2.50", "27.00"),)),
            ("INV-2041", 4, ((1, "40", "12.40", "89.28"), (2, "40", "2.50", "18.00"))),
        ),
        ("INV-2041",),
        "INV-2040",
        "INV-2041",
        (("invoice", "INV-2040", "="), ("payment", "PAY-APEX-0001", "="), ("invoice", "INV-2041", "600.00")),
    ),
    DemoMoney(
        "vendor-blueline",
        "PO-7001",
        (("Freight Mumbai-Pune, full truck", "6", "18500.00", "0.12"),),
        ("6",),
        (("BL-778", 6, ((1, "4", "18500.00", "8880.00"),)), ("BL-781", 2, ((1, "2", "18500.00", "4440.00"),))),
        ("BL-778", "BL-781"),
        "BL-778",
        "",
        (("invoice", "BL-778", "="), ("payment", "PAY-BLUE-0001", "="), ("invoice", "BL-779", "20720.00")),
    ),
)


def _seed_money(session: Session, ctx: TenantContext, orgs: dict[str, uuid.UUID]) -> None:
    from models.cases import ledger, match_packs, payments, statements
    from models.cases.ledger_inputs import (
        Allocation,
        InvoiceCreate,
        InvoiceLineIn,
        PackCreate,
        PaymentCreate,
        POCreate,
        POLineIn,
        ReceiptCreate,
        StatementCreate,
        StatementLineIn,
    )
    from models.cases.tables import Invoice, PurchaseOrder, PurchaseOrderLine

    finance = TenantContext(
        ctx.tenant_id, demo_id("user", "finance@demo.test"), Role.FINANCE, tenant_slug=ctx.tenant_slug
    )
    ops = TenantContext(ctx.tenant_id, demo_id("user", "ops@demo.test"), Role.OPS, tenant_slug=ctx.tenant_slug)
    now = utcnow()
    for m in MONEY:
        vendor = orgs[m.vendor]
        po_id = demo_id("purchase_order", m.po)
        if session.get(PurchaseOrder, po_id) is not None:
            continue
        ledger.create_po(
            session,
            ops,
            POCreate(
                vendor_id=vendor,
                number=m.po,
                currency="INR",
                ordered_at=now - timedelta(days=40),
                lines=[
                    POLineIn(line_no=i + 1, description=d, quantity=q, unit_price=p, tax_rate=t)
                    for i, (d, q, p, t) in enumerate(m.po_lines)
                ],
            ),
            po_id=po_id,
        )
        lines = session.exec(
            select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po_id).order_by(PurchaseOrderLine.line_no)  # type: ignore[arg-type]
        ).all()
        for line, qty in zip(lines, m.received, strict=True):
            ledger.add_receipt(
                session,
                ops,
                ReceiptCreate(
                    po_line_id=line.id,
                    number=f"GR-{m.po}-{line.line_no}",
                    quantity=qty,
                    received_at=now - timedelta(days=30),
                ),
            )
        invoices: dict[str, Invoice] = {}
        for number, days, inv_lines in m.invoices:
            invoices[number] = ledger.create_invoice(
                session,
                ops,
                InvoiceCreate(
                    vendor_id=vendor,
                    number=number,
                    currency="INR",
                    issued_at=now - timedelta(days=days),
                    due_at=now - timedelta(days=days) + timedelta(days=30),
                    lines=[
                        InvoiceLineIn(line_no=k + 1, po_line_id=lines[n - 1].id, quantity=q, unit_price=p, tax_amount=t)
                        for k, (n, q, p, t) in enumerate(inv_lines)
                    ],
                ),
                invoice_id=demo_id("invoice", number),
            )
        match_packs.build_pack(
            session,
            ops,
            PackCreate(
                vendor_id=vendor, invoice_ids=[invoices[n].id for n in m.packed], title=f"{m.po}: {', '.join(m.packed)}"
            ),
            pack_id=demo_id("match_pack", m.po),
        )
        paid = invoices[m.paid]
        ref = f"PAY-{'APEX' if 'apex' in m.vendor else 'BLUE'}-0001"
        pay = payments.create_payment(
            session,
            finance,
            PaymentCreate(
                vendor_id=vendor,
                reference=ref,
                currency="INR",
                allocations=[Allocation(invoice_id=paid.id, amount=str(paid.total))],
            ),
            payment_id=demo_id("payment", ref),
        )
        decide(session, finance, PAYMENT_MACHINE, pay, "approve")
        payments.settle(session, finance, pay, f"UTR{demo_id('utr', ref).hex[:10].upper()}", now - timedelta(days=10))
        if m.held:
            held = invoices[m.held]
            ref2 = ref.replace("0001", "0002")
            hold = payments.create_payment(
                session,
                finance,
                PaymentCreate(
                    vendor_id=vendor,
                    reference=ref2,
                    currency="INR",
                    scheduled_for=now + timedelta(days=5),
                    allocations=[Allocation(invoice_id=held.id, amount=str(held.total))],
                ),
                payment_id=demo_id("payment", ref2),
            )
            payments.hold(
                session, finance, hold, "Unit price above the contract on line 1: waiting for the price list."
            )
        figures = {**{n: str(i.total) for n, i in invoices.items()}, ref: str(-paid.total)}
        statements.create_statement(
            session,
            ops,
            StatementCreate(
                vendor_id=vendor,
                reference=f"SOA-{m.po}-{now:%Y%m}",
                currency="INR",
                as_of=now,
                lines=[
                    StatementLineIn(doc_type=d, doc_number=n, amount=figures[n] if a == "=" else a)
                    for d, n, a in m.statement
                ],
            ),
            statement_id=demo_id("statement", m.po),
        )
