"""The shadow ledger and statements of account (vendor-case-os-prd.md §3: invoices, SOA statements
and lines), as pure rules: vocabularies, amounts, and the reconciliation of a vendor's statement
against the ledger.

Sign convention, the vendor's: what the tenant owes is positive. An invoice counts its total (+),
a payment the vendor was paid counts −amount, a credit note on a statement is negative. The ledger
balance as of a day is Σ invoices issued by then − Σ payments paid by then.

A statement line is reconciled against the ledger by its document number (the same kind of
document, numbers compared without case, spaces or dashes): `matched` when the amounts agree,
`amount_differs` when they do not, `not_in_ledger` when the ledger has no such document. Ledger
entries the statement does not list are reported beside it ("missing from the statement").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from engine.errors import ValidationFailed

DOC_TYPES: dict[str, str] = {
    "invoice": "Invoice",
    "credit_note": "Credit note",
    "payment": "Payment",
    "other": "Other",
}
LEDGER_KIND = {"invoice": "invoice", "payment": "payment"}  # statement document type → ledger entry kind
RECON_STATES = ("matched", "amount_differs", "not_in_ledger")
RESPONSES = ("pending", "confirmed", "disputed")
# an invoice's reconciliation: not in any pack yet, or its live pack's status
RECONCILIATION_STATES = ("unmatched", "open", "matched", "mismatch", "evidence_requested")

NUMBER_MAX = 60
DESCRIPTION_MAX = 300
MAX_LINES = 5000  # lines of one invoice or one statement
AMOUNT_MAX = Decimal("1000000000000")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_AMOUNT = re.compile(r"^-?[0-9]{1,18}(\.[0-9]{1,10})?$")
_NUMBER_NOISE = re.compile(r"[\s\-_/.]")
ZERO = Decimal(0)


def check_currency(value: str, field: str = "currency") -> str:
    code = (value or "").strip().upper()
    if not _CURRENCY.match(code):
        raise ValidationFailed(f"{field}: a three-letter currency code such as INR", fields={field: "invalid"})
    return code


def parse_amount(value: object, field: str, *, signed: bool = False, positive: bool = False) -> Decimal:
    """An exact decimal (at most 10 decimals) from text or a Decimal, or a 422 naming `field`."""
    text = str(value).strip() if value is not None else ""
    if not _AMOUNT.match(text):
        raise ValidationFailed(
            f"{field}: a decimal number such as 1299.50 (at most 10 decimals)", fields={field: "invalid"}
        )
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid decimals
        raise ValidationFailed(f"{field}: not a number", fields={field: "invalid"}) from exc
    if amount < 0 and not signed:
        raise ValidationFailed(f"{field}: must not be negative", fields={field: "negative"})
    if positive and amount <= 0:
        raise ValidationFailed(f"{field}: must be more than 0", fields={field: "not positive"})
    if abs(amount) > AMOUNT_MAX:
        raise ValidationFailed(f"{field}: at most {AMOUNT_MAX}", fields={field: "too large"})
    return amount


def normalize_number(number: str) -> str:
    """A document number as compared: upper case, without spaces, dashes, slashes, dots."""
    return _NUMBER_NOISE.sub("", number or "").upper()


@dataclass(frozen=True)
class LedgerEntry:
    kind: str  # invoice | payment
    ref_id: str
    number: str
    at: datetime
    amount: Decimal  # signed (invoice +, payment −)


@dataclass(frozen=True)
class StatementLine:
    line_no: int
    doc_type: str
    doc_number: str
    amount: Decimal  # signed, the vendor's figure


@dataclass(frozen=True)
class LineResult:
    line_no: int
    state: str  # RECON_STATES
    ledger_amount: Decimal | None
    difference: Decimal  # the vendor's figure − the ledger's (the whole figure when not in the ledger)
    entry: LedgerEntry | None


def reconcile(
    lines: Iterable[StatementLine], entries: Iterable[LedgerEntry]
) -> tuple[list[LineResult], list[LedgerEntry]]:
    """Each statement line against the ledger, and the ledger entries no line named."""
    by_key: dict[tuple[str, str], list[LedgerEntry]] = {}
    for e in entries:
        by_key.setdefault((e.kind, normalize_number(e.number)), []).append(e)
    used: set[tuple[str, str]] = set()
    results = []
    for line in sorted(lines, key=lambda x: x.line_no):
        kind = LEDGER_KIND.get(line.doc_type)
        candidates = by_key.get((kind, normalize_number(line.doc_number)), []) if kind else []
        entry = next((e for e in candidates if (e.kind, e.ref_id) not in used), None)
        if entry is None:
            results.append(LineResult(line.line_no, "not_in_ledger", None, line.amount, None))
            continue
        used.add((entry.kind, entry.ref_id))
        state = "matched" if entry.amount == line.amount else "amount_differs"
        results.append(LineResult(line.line_no, state, entry.amount, line.amount - entry.amount, entry))
    missing = [e for group in by_key.values() for e in group if (e.kind, e.ref_id) not in used]
    return results, sorted(missing, key=lambda e: (e.at, e.number))


def balance(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)
