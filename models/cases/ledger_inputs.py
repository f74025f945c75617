"""Validated inputs of the money side of vendor cases (REST, pages, seeds): purchase orders, goods
receipts, invoices, tolerances, match packs, payments and statements of account. Amounts are
decimal text (never a float: `"1299.50"`, at most 10 decimals); the repositories turn them into
Decimal and refuse what the tables cannot hold, naming the field and the line."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Literal

from pydantic import Field, StrictBool

from engine.cases.ledger import DESCRIPTION_MAX, DOC_TYPES, MAX_LINES, NUMBER_MAX
from engine.cases.matching import EXCEPTION_TYPES
from engine.inputs import Instant, StrictInt
from engine.text import TextInput

if TYPE_CHECKING:
    ExceptionType = str
    DocType = str
else:
    ExceptionType = Literal[tuple(EXCEPTION_TYPES)]
    DocType = Literal[tuple(DOC_TYPES)]

AMOUNT = r"^[0-9]{1,18}(\.[0-9]{1,10})?$"  # ASCII digits only
SIGNED = r"^-?[0-9]{1,18}(\.[0-9]{1,10})?$"
CURRENCY = r"^[A-Za-z]{3}$"
NOTE_MAX = 1000


def _amount(description: str, default: str | None = None, *, signed: bool = False):  # noqa: ANN202
    pattern = SIGNED if signed else AMOUNT
    if default is None:
        return Field(pattern=pattern, max_length=40, description=description)
    return Field(default=default, pattern=pattern, max_length=40, description=description)


class POLineIn(TextInput):
    line_no: StrictInt = Field(ge=1, le=100000)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    quantity: str = _amount("ordered quantity, e.g. '48'")
    unit_price: str = _amount("unit price, e.g. '11.90'")
    tax_rate: str = _amount("tax rate as a fraction, e.g. '0.18' for 18 %", "0")


class POCreate(TextInput):
    vendor_id: uuid.UUID
    number: str = Field(min_length=1, max_length=NUMBER_MAX)
    currency: str = Field(pattern=CURRENCY)
    ordered_at: Instant | None = None
    lines: list[POLineIn] = Field(min_length=1, max_length=MAX_LINES)


class ReceiptCreate(TextInput):
    po_line_id: uuid.UUID
    number: str = Field(min_length=1, max_length=NUMBER_MAX)
    quantity: str = _amount("quantity received")
    received_at: Instant | None = None


class InvoiceLineIn(TextInput):
    line_no: StrictInt = Field(ge=1, le=100000)
    po_line_id: uuid.UUID | None = Field(default=None, description="the purchase order line it bills")
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    quantity: str = _amount("quantity billed")
    unit_price: str = _amount("unit price billed")
    tax_amount: str = _amount("tax billed on the line", "0")


class InvoiceCreate(TextInput):
    vendor_id: uuid.UUID
    number: str = Field(min_length=1, max_length=NUMBER_MAX)
    currency: str = Field(pattern=CURRENCY)
    issued_at: Instant
    due_at: Instant | None = None
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=MAX_LINES)


class ToleranceSet(TextInput):
    """A tolerance for the tenant (`vendor_id` absent) or one vendor: replaces the one in force."""

    vendor_id: uuid.UUID | None = None
    exception_type: ExceptionType
    enabled: StrictBool = True
    absolute: str = _amount("allowed difference in the type's unit (per unit, units, money)", "0")
    percent: str = _amount("allowed difference in % of the line's base", "0")


class PackCreate(TextInput):
    vendor_id: uuid.UUID
    invoice_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    title: str | None = Field(default=None, max_length=200)


class LineDispute(TextInput):
    note: str = Field(min_length=1, max_length=NOTE_MAX, description="what the vendor disputes, and why")


class Allocation(TextInput):
    invoice_id: uuid.UUID
    amount: str = _amount("how much of the payment settles this invoice")


class PaymentCreate(TextInput):
    vendor_id: uuid.UUID
    reference: str = Field(min_length=1, max_length=NUMBER_MAX)
    currency: str = Field(pattern=CURRENCY)
    scheduled_for: Instant | None = None
    note: str = Field(default="", max_length=NOTE_MAX)
    allocations: list[Allocation] = Field(min_length=1, max_length=200)


class HoldNote(TextInput):
    note: str = Field(min_length=1, max_length=NOTE_MAX)


class Settlement(TextInput):
    reference: str = Field(min_length=1, max_length=100, description="the bank's or remittance reference")
    paid_at: Instant | None = None


class StatementLineIn(TextInput):
    doc_type: DocType
    doc_number: str = Field(min_length=1, max_length=NUMBER_MAX)
    doc_date: Instant | None = None
    amount: str = _amount("signed, the vendor's view: invoices +, payments and credit notes −", signed=True)


class StatementCreate(TextInput):
    vendor_id: uuid.UUID
    reference: str = Field(min_length=1, max_length=NUMBER_MAX)
    currency: str = Field(pattern=CURRENCY)
    as_of: Instant
    lines: list[StatementLineIn] = Field(min_length=1, max_length=MAX_LINES)


class LineResponse(TextInput):
    response: Literal["confirmed", "disputed"]
    note: str | None = Field(default=None, max_length=NOTE_MAX, description="required to dispute")
