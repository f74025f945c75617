"""Read models of the money side of vendor cases (frozen dataclasses): what REST answers and the
pages show. Money is Decimal (JSON: a decimal string)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from models.cases.views import EventView
from models.core.decision_actions import ActionView


@dataclass(frozen=True)
class LinkedCase:
    id: uuid.UUID
    subject: str
    status: str
    opened_at: datetime


@dataclass(frozen=True)
class POLineView:
    id: uuid.UUID
    line_no: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    received: Decimal


@dataclass(frozen=True)
class POView:
    id: uuid.UUID
    vendor_id: uuid.UUID
    vendor_name: str
    number: str
    currency: str
    ordered_at: datetime
    lines: list[POLineView] = field(default_factory=list)


@dataclass(frozen=True)
class ReceiptView:
    id: uuid.UUID
    po_line_id: uuid.UUID
    number: str
    quantity: Decimal
    received_at: datetime


@dataclass(frozen=True)
class InvoiceView:
    id: uuid.UUID
    vendor_id: uuid.UUID
    vendor_name: str
    number: str
    currency: str
    issued_at: datetime
    due_at: datetime | None
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    state: str  # its reconciliation: unmatched, or its pack's status
    match_pack_id: uuid.UUID | None
    exceptions: int
    variance: Decimal
    paid: Decimal


@dataclass(frozen=True)
class InvoiceLineView:
    id: uuid.UUID
    line_no: int
    po_line_id: uuid.UUID | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_amount: Decimal
    amount: Decimal


@dataclass(frozen=True)
class AllocationView:
    payment_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_number: str
    payment_reference: str
    payment_status: str
    amount: Decimal


@dataclass(frozen=True)
class ReconciliationView:
    """The invoice's reconciliation record (its own row: the invoice itself never changes)."""

    state: str
    match_pack_id: uuid.UUID | None
    exceptions: int
    expected_amount: Decimal
    variance: Decimal
    updated_at: datetime


@dataclass(frozen=True)
class InvoiceDetail:
    invoice: InvoiceView
    lines: list[InvoiceLineView]
    payments: list[AllocationView]
    reconciliation: ReconciliationView | None = None
    packs: list[PackView] = field(default_factory=list)  # every match pack with a line of this invoice
    cases: list[LinkedCase] = field(default_factory=list)  # disputes of its lines, cases on its payments


@dataclass(frozen=True)
class ToleranceView:
    vendor_id: uuid.UUID | None
    exception_type: str
    label: str
    rule: str
    enabled: bool
    absolute: Decimal
    percent: Decimal
    words: str
    source: str  # default | tenant | vendor


@dataclass(frozen=True)
class CheckView:
    code: str
    label: str
    rule: str
    tolerance: str
    variance: str
    exception: bool


@dataclass(frozen=True)
class MatchLineView:
    id: uuid.UUID
    seq: int
    invoice_id: uuid.UUID
    invoice_number: str
    line_no: int
    description: str
    po_number: str
    po_line_no: int | None
    quantity: Decimal
    unit_price: Decimal
    tax_amount: Decimal
    ordered_qty: Decimal | None
    received_qty: Decimal
    accepted_qty: Decimal
    po_price: Decimal | None
    price_diff: Decimal
    qty_over: Decimal
    tax_over: Decimal
    expected_amount: Decimal
    invoiced_amount: Decimal
    variance: Decimal
    exceptions: list[str]
    checks: list[CheckView]
    dispute: LinkedCase | None
    can_dispute: bool


@dataclass(frozen=True)
class PackView:
    id: uuid.UUID
    vendor_id: uuid.UUID
    vendor_name: str
    title: str
    status: str
    invoice_count: int
    line_count: int
    exception_lines: int
    invoiced_amount: Decimal
    expected_amount: Decimal
    variance: Decimal
    currency: str
    created_at: datetime


@dataclass(frozen=True)
class PackDetail:
    pack: PackView
    actions: list[ActionView]
    lines: list[MatchLineView]
    tolerances: list[ToleranceView]
    events: list[EventView]
    disputes: list[LinkedCase]


@dataclass(frozen=True)
class PaymentView:
    id: uuid.UUID
    vendor_id: uuid.UUID
    vendor_name: str
    reference: str
    currency: str
    amount: Decimal
    status: str
    auto_hold: bool
    scheduled_for: datetime | None
    note: str
    paid_reference: str | None
    paid_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class PaymentDetail:
    payment: PaymentView
    actions: list[ActionView]
    allocations: list[AllocationView]
    events: list[EventView]
    holding_cases: list[LinkedCase]
    cases: list[LinkedCase]


@dataclass(frozen=True)
class PaymentAsOf:
    """A payment rebuilt from its events as of a moment: the status then and the decisions so far."""

    id: uuid.UUID
    at: datetime
    status: str
    events: list[EventView]


@dataclass(frozen=True)
class StatementView:
    id: uuid.UUID
    vendor_id: uuid.UUID
    vendor_name: str
    reference: str
    currency: str
    as_of: datetime
    vendor_balance: Decimal
    ledger_balance: Decimal
    difference: Decimal
    line_count: int
    matched_count: int
    confirmed: int
    disputed: int
    reconciled_at: datetime


@dataclass(frozen=True)
class SoaLineView:
    id: uuid.UUID
    line_no: int
    doc_type: str
    doc_number: str
    doc_date: datetime | None
    amount: Decimal
    recon_state: str
    ledger_amount: Decimal | None
    difference: Decimal
    response: str
    response_note: str
    responded_at: datetime | None
    dispute: LinkedCase | None


@dataclass(frozen=True)
class MissingEntry:
    kind: str
    number: str
    at: str
    amount: Decimal


@dataclass(frozen=True)
class StatementDetail:
    statement: StatementView
    lines: list[SoaLineView]
    missing: list[MissingEntry]


@dataclass(frozen=True)
class DisputeOpened:
    """A vendor's dispute: the case it opened."""

    case_id: uuid.UUID
    subject: str
    status: str
