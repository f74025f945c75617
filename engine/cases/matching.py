"""The 3-way match: each invoice line against its purchase order line and the goods received on it,
vectorized in Polars with exact Decimal(38,10) (vendor-case-os-prd.md §3, "Match Pack").

Inputs are three frames (schemas below): the invoice lines to match (each names the PO line it
bills, or none), the PO lines they may name, and the goods receipts of those PO lines. Invoices and
purchase orders are many-to-many: one invoice may bill lines of several POs, one PO line may be
billed by several invoices. Quantities are compared cumulatively: the lines billing one PO line are
taken in invoice order (`invoice_seq`, then `line_no`), and a line is accepted only up to what was
received and not already billed by the lines before it.

Per line (`match`):
- `accepted_qty` = min(quantity, max(received − billed before, 0)); `qty_over` = quantity − accepted
- `price_diff` = invoiced unit price − PO unit price
- `expected_tax` = quantity × invoiced unit price × PO tax rate; `tax_over` = tax invoiced − expected
- `expected_amount` = accepted × PO price × (1 + tax rate); `invoiced_amount` = quantity × price + tax
- `variance` = invoiced_amount − expected_amount (what is billed beyond what PO and receipt support)
and five exception types, each configurable per tenant and vendor (`Tolerance`: on/off, an absolute
amount and a percent of the line's base; the larger allowance applies):

| type | exception when | base of the percent |
|---|---|---|
| price_variance | abs(price_diff) > allowance | the PO unit price |
| quantity_variance | qty_over > allowance | the quantity received |
| tax_overcharge | tax_over > allowance | the expected tax |
| unmatched_line | the line names no known PO line | — |
| currency_mismatch | invoice currency ≠ PO currency | — |

Every exception is explained by `explain` (the rule, the tolerance and the variance behind it), the
same words for the staff and the vendor. Pure: no database; the models layer loads the frames.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from engine.errors import ValidationFailed

MONEY = pl.Decimal(38, 10)
ZERO = Decimal(0)
HUNDRED = Decimal(100)
PERCENT_MAX = Decimal(1000)
ABSOLUTE_MAX = Decimal("1000000000")

PRICE, QUANTITY, UNMATCHED, TAX, CURRENCY = (
    "price_variance",
    "quantity_variance",
    "unmatched_line",
    "tax_overcharge",
    "currency_mismatch",
)


@dataclass(frozen=True)
class ExceptionType:
    code: str
    label: str
    rule: str  # what is checked, in words for both parties
    unit: str  # what the absolute tolerance counts ("" when the type has no tolerance)
    base: str  # what the percent is of


EXCEPTION_TYPES: dict[str, ExceptionType] = {
    PRICE: ExceptionType(
        PRICE,
        "Price variance",
        "The invoiced unit price may differ from the purchase order's unit price by at most the tolerance.",
        "per unit",
        "the PO unit price",
    ),
    QUANTITY: ExceptionType(
        QUANTITY,
        "Quantity variance",
        "The quantity invoiced, with what earlier invoices billed on the same PO line, may exceed the "
        "quantity received by at most the tolerance.",
        "units",
        "the quantity received",
    ),
    TAX: ExceptionType(
        TAX,
        "Tax over-charge",
        "The tax invoiced may exceed the line's net amount × the PO line's tax rate by at most the tolerance.",
        "in money",
        "the expected tax",
    ),
    UNMATCHED: ExceptionType(
        UNMATCHED, "Unmatched line", "Every invoice line must name a purchase order line of this vendor.", "", ""
    ),
    CURRENCY: ExceptionType(
        CURRENCY, "Currency mismatch", "The invoice must be in the purchase order's currency.", "", ""
    ),
}
NUMERIC = (PRICE, QUANTITY, TAX)


@dataclass(frozen=True)
class Tolerance:
    """How far a line may be off before it is an exception: the larger of `absolute` and
    `percent` % of the line's base (EXCEPTION_TYPES[code].base). A type switched off never raises."""

    code: str
    enabled: bool = True
    absolute: Decimal = ZERO
    percent: Decimal = ZERO

    def allowance(self, base: Decimal) -> Decimal:
        return max(self.absolute, base * self.percent / HUNDRED)

    def words(self) -> str:
        if not self.enabled:
            return "switched off"
        kind = EXCEPTION_TYPES[self.code]
        if not kind.unit:
            return "none (always an exception)"
        parts = []
        if self.absolute:
            parts.append(f"{_num(self.absolute)} {kind.unit}")
        if self.percent:
            parts.append(f"{_num(self.percent)} % of {kind.base}")
        if not parts:
            return "none (any difference is an exception)"
        return " or ".join(parts) + (" (the larger)" if len(parts) > 1 else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "enabled": self.enabled,
            "absolute": str(self.absolute),
            "percent": str(self.percent),
        }


DEFAULT_TOLERANCES: dict[str, Tolerance] = {
    PRICE: Tolerance(PRICE, True, Decimal("0.01"), Decimal("0.5")),
    QUANTITY: Tolerance(QUANTITY, True, ZERO, ZERO),
    TAX: Tolerance(TAX, True, Decimal("0.01"), ZERO),
    UNMATCHED: Tolerance(UNMATCHED),
    CURRENCY: Tolerance(CURRENCY),
}


def check_tolerance(code: str, enabled: bool, absolute: Decimal, percent: Decimal) -> Tolerance:
    """A tolerance from user input, or a 422 naming the field."""
    if code not in EXCEPTION_TYPES:
        raise ValidationFailed(
            f"exception_type: unknown exception type {code!r} (one of: {', '.join(EXCEPTION_TYPES)})",
            fields={"exception_type": "unknown"},
        )
    if not ZERO <= absolute <= ABSOLUTE_MAX:
        raise ValidationFailed(f"absolute: must be between 0 and {ABSOLUTE_MAX}", fields={"absolute": "out of range"})
    if not ZERO <= percent <= PERCENT_MAX:
        raise ValidationFailed(f"percent: must be between 0 and {PERCENT_MAX}", fields={"percent": "out of range"})
    if not EXCEPTION_TYPES[code].unit and (absolute or percent):
        raise ValidationFailed(
            f"{code} has no tolerance: it can only be switched on or off", fields={"absolute": "not applicable"}
        )
    return Tolerance(code, enabled, absolute, percent)


def resolve(*layers: Iterable[Tolerance]) -> dict[str, Tolerance]:
    """The tolerances in force: the defaults, overridden by each layer in turn (the tenant's, then
    the vendor's)."""
    out = dict(DEFAULT_TOLERANCES)
    for layer in layers:
        for t in layer:
            out[t.code] = t
    return out


def from_json(rows: Iterable[Mapping[str, Any]]) -> dict[str, Tolerance]:
    """Tolerances as a pack stored them (`Tolerance.as_json`)."""
    return resolve(
        Tolerance(str(r["code"]), bool(r["enabled"]), Decimal(str(r["absolute"])), Decimal(str(r["percent"])))
        for r in rows
        if r.get("code") in EXCEPTION_TYPES
    )


# ---- the frames -----------------------------------------------------------------------------------

INVOICE_LINES: dict[str, Any] = {
    "line_id": pl.String,
    "invoice_id": pl.String,
    "invoice_seq": pl.Int64,  # the invoices' order (issue date, then number): who billed first
    "line_no": pl.Int64,
    "currency": pl.String,
    "po_line_id": pl.String,  # null: the line names no PO line
    "quantity": MONEY,
    "unit_price": MONEY,
    "tax_amount": MONEY,
}
PO_LINES: dict[str, Any] = {
    "po_line_id": pl.String,
    "po_id": pl.String,
    "po_currency": pl.String,
    "ordered_qty": MONEY,
    "po_price": MONEY,
    "tax_rate": MONEY,  # 0.18 for 18 %
}
RECEIPTS: dict[str, Any] = {"po_line_id": pl.String, "received_qty": MONEY}

FLAGS = {
    PRICE: "exc_price",
    QUANTITY: "exc_quantity",
    TAX: "exc_tax",
    UNMATCHED: "exc_unmatched",
    CURRENCY: "exc_currency",
}
OUTPUT = (
    "line_id",
    "invoice_id",
    "po_line_id",
    "po_id",
    "ordered_qty",
    "received_qty",
    "billed_before",
    "accepted_qty",
    "qty_over",
    "po_price",
    "price_diff",
    "expected_tax",
    "tax_over",
    "expected_amount",
    "invoiced_amount",
    "variance",
    *FLAGS.values(),
    "exceptions",
)


def _lit(value: Decimal) -> pl.Expr:
    return pl.lit(value, dtype=MONEY)


def _allowance(t: Tolerance, base: pl.Expr) -> pl.Expr:
    by_percent = base * _lit(t.percent / HUNDRED)
    return pl.when(by_percent > _lit(t.absolute)).then(by_percent).otherwise(_lit(t.absolute))


def _flag(t: Tolerance, condition: pl.Expr) -> pl.Expr:
    return condition if t.enabled else pl.lit(False)


def match(
    lines: pl.DataFrame | pl.LazyFrame,
    po_lines: pl.DataFrame | pl.LazyFrame,
    receipts: pl.DataFrame | pl.LazyFrame,
    tolerances: Mapping[str, Tolerance] | None = None,
) -> pl.DataFrame:
    """One row per invoice line (in invoice order) with its figures and exception flags (OUTPUT)."""
    tol = resolve(tolerances.values() if tolerances else ())
    zero = _lit(ZERO)
    received = receipts.lazy().group_by("po_line_id").agg(pl.col("received_qty").sum())
    po = po_lines.lazy().select(list(PO_LINES))
    frame = (
        lines.lazy()
        .select(list(INVOICE_LINES))
        .join(po, on="po_line_id", how="left")
        .join(received, on="po_line_id", how="left")
        .sort("invoice_seq", "line_no", "line_id")
    )
    known = pl.col("po_id").is_not_null()
    qty = pl.col("quantity")
    frame = frame.with_columns(
        received_qty=pl.when(known).then(pl.col("received_qty").fill_null(zero)).otherwise(zero),
        billed_before=pl.when(known).then(qty.cum_sum().over("po_line_id") - qty).otherwise(zero),
        net=qty * pl.col("unit_price"),
    )
    available = pl.col("received_qty") - pl.col("billed_before")
    available = pl.when(available > zero).then(available).otherwise(zero)
    accepted = pl.when(known & (qty < available)).then(qty).when(known).then(available).otherwise(zero)
    frame = frame.with_columns(accepted_qty=accepted)
    frame = frame.with_columns(
        qty_over=qty - pl.col("accepted_qty"),
        price_diff=pl.when(known).then(pl.col("unit_price") - pl.col("po_price")).otherwise(zero),
        expected_tax=pl.when(known).then(pl.col("net") * pl.col("tax_rate")).otherwise(zero),
        accepted_net=pl.when(known).then(pl.col("accepted_qty") * pl.col("po_price")).otherwise(zero),
    )
    frame = frame.with_columns(
        tax_over=pl.col("tax_amount") - pl.col("expected_tax"),
        expected_amount=pl.col("accepted_net")
        + pl.when(known).then(pl.col("accepted_net") * pl.col("tax_rate")).otherwise(zero),
        invoiced_amount=pl.col("net") + pl.col("tax_amount"),
    )
    price_diff = pl.col("price_diff")
    frame = frame.with_columns(
        variance=pl.col("invoiced_amount") - pl.col("expected_amount"),
        exc_unmatched=_flag(tol[UNMATCHED], ~known),
        exc_currency=_flag(tol[CURRENCY], known & (pl.col("currency") != pl.col("po_currency"))),
        exc_price=_flag(
            tol[PRICE],
            known
            & (
                pl.when(price_diff < zero).then(zero - price_diff).otherwise(price_diff)
                > _allowance(tol[PRICE], pl.col("po_price").fill_null(zero))
            ),
        ),
        exc_quantity=_flag(
            tol[QUANTITY], known & (pl.col("qty_over") > _allowance(tol[QUANTITY], pl.col("received_qty")))
        ),
        exc_tax=_flag(tol[TAX], known & (pl.col("tax_over") > _allowance(tol[TAX], pl.col("expected_tax")))),
    )
    frame = frame.with_columns(
        exceptions=pl.sum_horizontal([pl.col(f).cast(pl.Int32) for f in FLAGS.values()]).cast(pl.Int32)
    )
    return frame.select(list(OUTPUT)).collect()


# ---- explanations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One exception type checked on one line: the rule, the tolerance in force, what was found."""

    code: str
    label: str
    rule: str
    tolerance: str
    variance: str
    exception: bool


def _num(value: Decimal | None) -> str:
    """A Decimal without trailing zeros (12.5000000000 → '12.5'); '0' for zero."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def explain(line: Mapping[str, Any], tolerances: Mapping[str, Tolerance], currency: str = "") -> list[Check]:
    """Every enabled check of a matched line, in words: exceptions first. `line` holds the figures
    of `match` (Decimal values) plus `invoice_currency` and `po_currency` when known."""
    tol = resolve(tolerances.values())
    flags = {code: bool(line.get(flag)) for code, flag in FLAGS.items()}
    money = f" {currency}" if currency else ""
    out: list[Check] = []

    def add(code: str, found: str) -> None:
        kind, t = EXCEPTION_TYPES[code], tol[code]
        if t.enabled:
            out.append(Check(code, kind.label, kind.rule, t.words(), found, flags[code]))

    if line.get("po_id") is None:
        add(UNMATCHED, "The line names no purchase order line of this vendor.")
        return out
    po_price, diff = line.get("po_price"), line.get("price_diff")
    add(
        PRICE,
        f"Invoiced {_num((po_price or ZERO) + (diff or ZERO))} against the PO's {_num(po_price)}: "
        f"a difference of {_num(diff)} per unit"
        + (f" (allowed {_num(tol[PRICE].allowance(po_price or ZERO))})" if tol[PRICE].enabled else ""),
    )
    add(
        QUANTITY,
        f"Received {_num(line.get('received_qty'))}, billed before {_num(line.get('billed_before'))}, "
        f"accepted {_num(line.get('accepted_qty'))}: {_num(line.get('qty_over'))} over"
        + (
            f" (allowed {_num(tol[QUANTITY].allowance(line.get('received_qty') or ZERO))})"
            if tol[QUANTITY].enabled
            else ""
        ),
    )
    expected_tax = line.get("expected_tax") or ZERO
    add(
        TAX,
        f"Tax expected {_num(expected_tax)}{money}, invoiced {_num(expected_tax + (line.get('tax_over') or ZERO))}"
        f"{money}: {_num(line.get('tax_over'))}{money} over"
        + (f" (allowed {_num(tol[TAX].allowance(expected_tax))}{money})" if tol[TAX].enabled else ""),
    )
    add(
        CURRENCY,
        f"Invoice in {line.get('invoice_currency') or '—'}, purchase order in {line.get('po_currency') or '—'}.",
    )
    return sorted(out, key=lambda c: not c.exception)


def exception_codes(line: Mapping[str, Any]) -> list[str]:
    """The exception types a matched line raised, in EXCEPTION_TYPES order."""
    return [code for code in EXCEPTION_TYPES if line.get(FLAGS[code])]
