"""The cases module's tables: cases, their messages and checklist steps, evidence files with their
versions, and the per-entity decision event tables of the case and the evidence machines
(docs/adr/0001-decision-event-tables.md).

Every row that a vendor may see carries `vendor_org_id`: besides tenant isolation, a restrictive
RLS policy (`vendor_scope`, migration 0018) lets a vendor membership see its own organization's
rows only. Evidence and its versions cannot be deleted by the app role (REMOVE is a soft delete).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TIMESTAMP, UUID
from sqlmodel import Field, SQLModel

from engine.cases.ledger import DOC_TYPES, RECON_STATES, RECONCILIATION_STATES, RESPONSES
from engine.cases.machines import CASE_MACHINE, EVIDENCE_MACHINE, MATCH_MACHINE, PAYMENT_MACHINE
from engine.cases.matching import EXCEPTION_TYPES
from engine.cases.rules import BODY_MAX, CASE_TYPES, FILENAME_MAX, LABEL_MAX, STEP_MAX, SUBJECT_MAX
from engine.state_machine import StateMachine
from models.core.base import (
    MONEY,
    id_field,
    json_field,
    money_field,
    ref_field,
    sql_in,
    tenant_field,
    tenant_fk,
    tenant_key,
    ts_field,
)

MESSAGE_KINDS = ("comment", "response", "request")


class Case(SQLModel, table=True):
    __tablename__: ClassVar[str] = "cases"
    __table_args__ = (
        tenant_key("cases"),
        tenant_fk(["vendor_org_id"], "organizations"),
        CheckConstraint(sql_in("status", CASE_MACHINE.statuses), name="ck_cases_status"),
        CheckConstraint(sql_in("case_type", CASE_TYPES), name="ck_cases_type"),
        # the inbox: newest first, per status, per vendor, per assignee, overdue ones
        Index("ix_cases_inbox", "tenant_id", "opened_at", "id"),
        Index("ix_cases_status", "tenant_id", "status", "opened_at", "id"),
        Index("ix_cases_vendor", "tenant_id", "vendor_org_id", "opened_at", "id"),
        Index("ix_cases_assignee", "tenant_id", "assignee_id", "opened_at", "id"),
        Index("ix_cases_due", "tenant_id", "due_at"),
        # what a case is about, when it is about a money record (migration 0021)
        tenant_fk(["payment_id"], "payments"),
        tenant_fk(["match_line_id"], "match_lines"),
        tenant_fk(["soa_line_id"], "soa_lines"),
        Index("ix_cases_payment", "tenant_id", "payment_id"),
        Index("ix_cases_match_line", "tenant_id", "match_line_id"),
        Index("ix_cases_soa_line", "tenant_id", "soa_line_id"),
        Index("ix_cases_origin", "tenant_id", "origin", "origin_ref"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    subject: str = Field(max_length=SUBJECT_MAX)
    case_type: str = Field(default="general", max_length=30)
    status: str = Field(default=CASE_MACHINE.initial, max_length=30)
    assignee_id: uuid.UUID | None = Field(default=None)
    opened_by: uuid.UUID | None = Field(default=None)
    opened_at: datetime = ts_field()
    due_at: datetime = ts_field()
    # links: the payment, the match line or the statement line the case is about; or the record of
    # another module that opened it (origin "margin.notice" + the notice's id), by name only
    payment_id: uuid.UUID | None = ref_field("payment_id", nullable=True)
    match_line_id: uuid.UUID | None = ref_field("match_line_id", nullable=True)
    soa_line_id: uuid.UUID | None = ref_field("soa_line_id", nullable=True)
    origin: str | None = Field(default=None, max_length=40)
    origin_ref: str | None = Field(default=None, max_length=100)


class CaseMessage(SQLModel, table=True):
    """A comment, a vendor's response or a staff request on a case (CRUD only: never edited)."""

    __tablename__: ClassVar[str] = "case_messages"
    __table_args__ = (
        tenant_key("case_messages"),
        tenant_fk(["case_id"], "cases"),
        CheckConstraint(sql_in("kind", MESSAGE_KINDS), name="ck_case_messages_kind"),
        Index("ix_case_messages_case", "tenant_id", "case_id", "created_at"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    case_id: uuid.UUID = ref_field("case_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    kind: str = Field(default="comment", max_length=20)
    body: str = Field(max_length=BODY_MAX)
    author_id: uuid.UUID | None = Field(default=None)
    author_name: str = Field(default="", max_length=200)
    author_role: str = Field(default="", max_length=20)
    created_at: datetime = ts_field()


class ChecklistStep(SQLModel, table=True):
    __tablename__: ClassVar[str] = "case_checklist_steps"
    __table_args__ = (
        tenant_key("case_checklist_steps"),
        tenant_fk(["case_id"], "cases"),
        Index("ix_case_checklist_case", "tenant_id", "case_id", "position"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    case_id: uuid.UUID = ref_field("case_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    position: int = 0
    label: str = Field(max_length=STEP_MAX)
    done: bool = False
    done_by: uuid.UUID | None = Field(default=None)
    done_at: datetime | None = ts_field(nullable=True, default_now=False)
    created_at: datetime = ts_field()


class Evidence(SQLModel, table=True):
    """An evidence file on a case; its bytes are in `evidence_versions` (one row per upload)."""

    __tablename__: ClassVar[str] = "evidence"
    __table_args__ = (
        tenant_key("evidence"),
        tenant_fk(["case_id"], "cases"),
        CheckConstraint(sql_in("status", EVIDENCE_MACHINE.statuses), name="ck_evidence_status"),
        Index("ix_evidence_case", "tenant_id", "case_id", "created_at"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    case_id: uuid.UUID = ref_field("case_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    label: str = Field(default="", max_length=LABEL_MAX)
    status: str = Field(default=EVIDENCE_MACHINE.initial, max_length=20)
    current_version: int = 1
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = ts_field()


class EvidenceVersion(SQLModel, table=True):
    """One uploaded file of an evidence row, never changed or deleted (storage key, size, SHA-256)."""

    __tablename__: ClassVar[str] = "evidence_versions"
    __table_args__ = (
        tenant_key("evidence_versions"),
        tenant_fk(["evidence_id"], "evidence"),
        UniqueConstraint("tenant_id", "evidence_id", "version", name="uq_evidence_versions_version"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    evidence_id: uuid.UUID = ref_field("evidence_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    version: int = 1
    filename: str = Field(max_length=FILENAME_MAX)
    content_type: str = Field(max_length=100)
    size: int = 0
    sha256: str = Field(max_length=64)
    storage_key: str = Field(sa_column=Column(String(300), nullable=False))
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = ts_field()


def event_table(name: str, machine: StateMachine, entity_table: str) -> Table:
    """A per-entity decision event table: the core column shape, a foreign key to the entity, the
    action and target-status CHECKs generated from the machine (ADR 0001)."""
    return Table(
        name,
        SQLModel.metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("tenant_id", UUID(as_uuid=True), nullable=False),
        Column("machine", String(60), nullable=False),
        Column("entity_id", UUID(as_uuid=True), nullable=False),
        Column("action", String(60), nullable=False),
        Column("from_status", String(40), nullable=False),
        Column("to_status", String(40), nullable=False),
        Column("reason", String(4000)),
        Column("actor", String(64), nullable=False),
        Column("actor_role", String(20), nullable=False),
        Column("at", TIMESTAMP(timezone=True), nullable=False),
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "entity_id"], [f"{entity_table}.tenant_id", f"{entity_table}.id"]),
        CheckConstraint(sql_in("action", machine.actions), name=f"ck_{name}_action"),
        CheckConstraint(sql_in("to_status", machine.statuses), name=f"ck_{name}_to_status"),
        Index(f"ix_{name}_entity", "tenant_id", "entity_id", "at"),
    )


CASE_EVENTS = event_table(CASE_MACHINE.events, CASE_MACHINE, "cases")
EVIDENCE_EVENTS = event_table(EVIDENCE_MACHINE.events, EVIDENCE_MACHINE, "evidence")


# ---- the shadow ledger: purchase orders, goods receipts, invoices ---------------------------------
# Every row carries `vendor_org_id` (the restrictive `vendor_scope` policy, migration 0021). An
# invoice and its lines are the vendor's original document: the app role can neither update nor
# delete them; what the tenant concluded about an invoice is its own record
# (`invoice_reconciliations`).


def _money(default: Decimal | None = None) -> Any:
    if default is None:
        return money_field()
    return Field(default=default, sa_column=Column(MONEY, nullable=False))


class PurchaseOrder(SQLModel, table=True):
    __tablename__: ClassVar[str] = "purchase_orders"
    __table_args__ = (
        tenant_key("purchase_orders"),
        tenant_fk(["vendor_org_id"], "organizations"),
        UniqueConstraint("tenant_id", "vendor_org_id", "number", name="uq_purchase_orders_number"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    number: str = Field(max_length=60)
    currency: str = Field(max_length=3)
    ordered_at: datetime = ts_field()
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = ts_field()


class PurchaseOrderLine(SQLModel, table=True):
    __tablename__: ClassVar[str] = "purchase_order_lines"
    __table_args__ = (
        tenant_key("purchase_order_lines"),
        tenant_fk(["po_id"], "purchase_orders"),
        UniqueConstraint("tenant_id", "po_id", "line_no", name="uq_purchase_order_lines_no"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    po_id: uuid.UUID = ref_field("po_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    line_no: int = Field(sa_column=Column(Integer, nullable=False))
    description: str = Field(default="", max_length=300)
    quantity: Decimal = _money()
    unit_price: Decimal = _money()
    tax_rate: Decimal = _money(Decimal(0))  # 0.18 for 18 %


class GoodsReceipt(SQLModel, table=True):
    """Goods received on one PO line (one row per receipt line)."""

    __tablename__: ClassVar[str] = "goods_receipts"
    __table_args__ = (
        tenant_key("goods_receipts"),
        tenant_fk(["po_line_id"], "purchase_order_lines"),
        Index("ix_goods_receipts_po_line", "tenant_id", "po_line_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    po_line_id: uuid.UUID = ref_field("po_line_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    number: str = Field(max_length=60)
    quantity: Decimal = _money()
    received_at: datetime = ts_field()
    created_at: datetime = ts_field()


class Invoice(SQLModel, table=True):
    """A vendor's invoice as received: never changed (no UPDATE or DELETE for the app role)."""

    __tablename__: ClassVar[str] = "invoices"
    __table_args__ = (
        tenant_key("invoices"),
        tenant_fk(["vendor_org_id"], "organizations"),
        UniqueConstraint("tenant_id", "vendor_org_id", "number", name="uq_invoices_number"),
        Index("ix_invoices_vendor", "tenant_id", "vendor_org_id", "issued_at", "id"),
        Index("ix_invoices_issued", "tenant_id", "issued_at", "id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    number: str = Field(max_length=60)
    currency: str = Field(max_length=3)
    issued_at: datetime = ts_field()
    due_at: datetime | None = ts_field(nullable=True, default_now=False)
    net_total: Decimal = _money()
    tax_total: Decimal = _money()
    total: Decimal = _money()
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = ts_field()


class InvoiceLine(SQLModel, table=True):
    __tablename__: ClassVar[str] = "invoice_lines"
    __table_args__ = (
        tenant_key("invoice_lines"),
        tenant_fk(["invoice_id"], "invoices"),
        tenant_fk(["po_line_id"], "purchase_order_lines"),
        UniqueConstraint("tenant_id", "invoice_id", "line_no", name="uq_invoice_lines_no"),
        Index("ix_invoice_lines_po_line", "tenant_id", "po_line_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    invoice_id: uuid.UUID = ref_field("invoice_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    line_no: int = Field(sa_column=Column(Integer, nullable=False))
    po_line_id: uuid.UUID | None = ref_field("po_line_id", nullable=True)  # the PO line it bills, if named
    description: str = Field(default="", max_length=300)
    quantity: Decimal = _money()
    unit_price: Decimal = _money()
    tax_amount: Decimal = _money(Decimal(0))
    amount: Decimal = _money()  # quantity × unit price + tax


class InvoiceReconciliation(SQLModel, table=True):
    """What the tenant concluded about an invoice (its own record; the invoice never changes): the
    pack it was matched in, that pack's status, the expected amount and the variance."""

    __tablename__: ClassVar[str] = "invoice_reconciliations"
    __table_args__ = (
        tenant_key("invoice_reconciliations"),
        tenant_fk(["invoice_id"], "invoices"),
        tenant_fk(["match_pack_id"], "match_packs"),
        UniqueConstraint("tenant_id", "invoice_id", name="uq_invoice_reconciliations_invoice"),
        CheckConstraint(sql_in("state", RECONCILIATION_STATES), name="ck_invoice_reconciliations_state"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    invoice_id: uuid.UUID = ref_field("invoice_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    match_pack_id: uuid.UUID | None = ref_field("match_pack_id", nullable=True)
    state: str = Field(default="unmatched", max_length=30)
    exceptions: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    expected_amount: Decimal = _money(Decimal(0))
    variance: Decimal = _money(Decimal(0))
    updated_at: datetime = ts_field()


# ---- match packs -----------------------------------------------------------------------------------


class MatchTolerance(SQLModel, table=True):
    """A tolerance of one exception type for the tenant (`vendor_org_id` null) or one vendor."""

    __tablename__: ClassVar[str] = "match_tolerances"
    __table_args__ = (
        tenant_key("match_tolerances"),
        tenant_fk(["vendor_org_id"], "organizations"),
        UniqueConstraint(
            "tenant_id",
            "vendor_org_id",
            "exception_type",
            name="uq_match_tolerances_type",
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint(sql_in("exception_type", EXCEPTION_TYPES), name="ck_match_tolerances_type"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    vendor_org_id: uuid.UUID | None = ref_field("vendor_org_id", nullable=True)
    exception_type: str = Field(max_length=30)
    enabled: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    absolute: Decimal = _money(Decimal(0))
    percent: Decimal = _money(Decimal(0))
    updated_by: uuid.UUID | None = Field(default=None)
    updated_at: datetime = ts_field()


class MatchPack(SQLModel, table=True):
    """A vendor's invoices matched line by line against POs and goods receipts; the tolerances in
    force when it was matched are kept with it (`tolerances`), so its explanation never drifts."""

    __tablename__: ClassVar[str] = "match_packs"
    __table_args__ = (
        tenant_key("match_packs"),
        tenant_fk(["vendor_org_id"], "organizations"),
        CheckConstraint(sql_in("status", MATCH_MACHINE.statuses), name="ck_match_packs_status"),
        Index("ix_match_packs_created", "tenant_id", "created_at", "id"),
        Index("ix_match_packs_vendor", "tenant_id", "vendor_org_id", "created_at", "id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    title: str = Field(max_length=200)
    status: str = Field(default=MATCH_MACHINE.initial, max_length=30)
    tolerances: list[dict[str, Any]] = json_field([])
    invoice_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    line_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    exception_lines: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    invoiced_amount: Decimal = _money(Decimal(0))
    expected_amount: Decimal = _money(Decimal(0))
    variance: Decimal = _money(Decimal(0))
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = ts_field()


class MatchLine(SQLModel, table=True):
    """One invoice line as matched (write-once): the figures of engine.cases.matching.match."""

    __tablename__: ClassVar[str] = "match_lines"
    __table_args__ = (
        tenant_key("match_lines"),
        tenant_fk(["pack_id"], "match_packs"),
        tenant_fk(["invoice_id"], "invoices"),
        tenant_fk(["invoice_line_id"], "invoice_lines"),
        tenant_fk(["po_line_id"], "purchase_order_lines"),
        Index("ix_match_lines_pack", "tenant_id", "pack_id", "seq"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    pack_id: uuid.UUID = ref_field("pack_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    invoice_id: uuid.UUID = ref_field("invoice_id")
    invoice_line_id: uuid.UUID = ref_field("invoice_line_id")
    po_line_id: uuid.UUID | None = ref_field("po_line_id", nullable=True)
    quantity: Decimal = _money()
    unit_price: Decimal = _money()
    tax_amount: Decimal = _money()
    ordered_qty: Decimal | None = Field(default=None, sa_column=Column(MONEY, nullable=True))
    po_price: Decimal | None = Field(default=None, sa_column=Column(MONEY, nullable=True))
    received_qty: Decimal = _money(Decimal(0))
    billed_before: Decimal = _money(Decimal(0))
    accepted_qty: Decimal = _money(Decimal(0))
    qty_over: Decimal = _money(Decimal(0))
    price_diff: Decimal = _money(Decimal(0))
    expected_tax: Decimal = _money(Decimal(0))
    tax_over: Decimal = _money(Decimal(0))
    expected_amount: Decimal = _money(Decimal(0))
    invoiced_amount: Decimal = _money(Decimal(0))
    variance: Decimal = _money(Decimal(0))
    exc_price: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    exc_quantity: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    exc_tax: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    exc_unmatched: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    exc_currency: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    exceptions: int = Field(default=0, sa_column=Column(Integer, nullable=False))


# ---- payments ----------------------------------------------------------------------------------------


class Payment(SQLModel, table=True):
    __tablename__: ClassVar[str] = "payments"
    __table_args__ = (
        tenant_key("payments"),
        tenant_fk(["vendor_org_id"], "organizations"),
        CheckConstraint(sql_in("status", PAYMENT_MACHINE.statuses), name="ck_payments_status"),
        CheckConstraint("amount > 0", name="ck_payments_amount"),
        UniqueConstraint("tenant_id", "reference", name="uq_payments_reference"),
        Index("ix_payments_created", "tenant_id", "created_at", "id"),
        Index("ix_payments_status", "tenant_id", "status", "created_at", "id"),
        Index("ix_payments_vendor", "tenant_id", "vendor_org_id", "created_at", "id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    reference: str = Field(max_length=60)
    currency: str = Field(max_length=3)
    amount: Decimal = _money()
    status: str = Field(default=PAYMENT_MACHINE.initial, max_length=30)
    # on hold because a case about it (or a disputed line of its invoices) is active: released by
    # the system when the last such case closes (a hold staff put by hand is released by hand)
    auto_hold: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    scheduled_for: datetime | None = ts_field(nullable=True, default_now=False)
    note: str = Field(default="", max_length=1000)
    paid_reference: str | None = Field(default=None, max_length=100)
    paid_at: datetime | None = ts_field(nullable=True, default_now=False)
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = ts_field()


class PaymentInvoice(SQLModel, table=True):
    """How much of a payment settles which invoice (a payment may pay several invoices, an invoice
    may be paid in several payments)."""

    __tablename__: ClassVar[str] = "payment_invoices"
    __table_args__ = (
        tenant_key("payment_invoices"),
        tenant_fk(["payment_id"], "payments"),
        tenant_fk(["invoice_id"], "invoices"),
        UniqueConstraint("tenant_id", "payment_id", "invoice_id", name="uq_payment_invoices_pair"),
        Index("ix_payment_invoices_invoice", "tenant_id", "invoice_id"),
        CheckConstraint("amount > 0", name="ck_payment_invoices_amount"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    payment_id: uuid.UUID = ref_field("payment_id")
    invoice_id: uuid.UUID = ref_field("invoice_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    amount: Decimal = _money()


# ---- statements of account -------------------------------------------------------------------------


class SoaStatement(SQLModel, table=True):
    """A vendor's statement of account as of a day: its lines as the vendor stated them, reconciled
    against the shadow ledger (the figures here are the last reconciliation's)."""

    __tablename__: ClassVar[str] = "soa_statements"
    __table_args__ = (
        tenant_key("soa_statements"),
        tenant_fk(["vendor_org_id"], "organizations"),
        Index("ix_soa_statements_vendor", "tenant_id", "vendor_org_id", "as_of", "id"),
        Index("ix_soa_statements_as_of", "tenant_id", "as_of", "id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    reference: str = Field(max_length=60)
    currency: str = Field(max_length=3)
    as_of: datetime = ts_field()
    vendor_balance: Decimal = _money()  # Σ of the lines: the balance the vendor states
    ledger_balance: Decimal = _money(Decimal(0))  # the shadow ledger's balance as of the day
    difference: Decimal = _money(Decimal(0))
    line_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    matched_count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    missing: list[dict[str, Any]] = json_field([])  # ledger entries the statement does not list
    reconciled_at: datetime = ts_field()
    created_by: uuid.UUID | None = Field(default=None)
    created_at: datetime = ts_field()


class SoaLine(SQLModel, table=True):
    __tablename__: ClassVar[str] = "soa_lines"
    __table_args__ = (
        tenant_key("soa_lines"),
        tenant_fk(["statement_id"], "soa_statements"),
        tenant_fk(["invoice_id"], "invoices"),
        tenant_fk(["payment_id"], "payments"),
        UniqueConstraint("tenant_id", "statement_id", "line_no", name="uq_soa_lines_no"),
        CheckConstraint(sql_in("doc_type", DOC_TYPES), name="ck_soa_lines_doc_type"),
        CheckConstraint(sql_in("recon_state", RECON_STATES), name="ck_soa_lines_recon_state"),
        CheckConstraint(sql_in("response", RESPONSES), name="ck_soa_lines_response"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    statement_id: uuid.UUID = ref_field("statement_id")
    vendor_org_id: uuid.UUID = ref_field("vendor_org_id")
    line_no: int = Field(sa_column=Column(Integer, nullable=False))
    doc_type: str = Field(max_length=20)
    doc_number: str = Field(max_length=60)
    doc_date: datetime | None = ts_field(nullable=True, default_now=False)
    amount: Decimal = _money()
    recon_state: str = Field(default="not_in_ledger", max_length=20)
    ledger_amount: Decimal | None = Field(default=None, sa_column=Column(MONEY, nullable=True))
    difference: Decimal = _money(Decimal(0))
    invoice_id: uuid.UUID | None = ref_field("invoice_id", nullable=True)
    payment_id: uuid.UUID | None = ref_field("payment_id", nullable=True)
    # the vendor's word on the line: confirmed, or disputed with a note (which opens a linked case)
    response: str = Field(default="pending", max_length=20)
    response_note: str = Field(default="", max_length=1000)
    responded_by: uuid.UUID | None = Field(default=None)
    responded_at: datetime | None = ts_field(nullable=True, default_now=False)


PAYMENT_EVENTS = event_table(PAYMENT_MACHINE.events, PAYMENT_MACHINE, "payments")
MATCH_PACK_EVENTS = event_table(MATCH_MACHINE.events, MATCH_MACHINE, "match_packs")
