"""Impact math, exact: Polars expressions for the scan and Decimal twins for reference and "why?".

Formulas (all money at scale 10, products rounded half-even to 10 places, as Decimal(38,10) does):

- lost margin (MAP, MRP)      = Σ qty × (floor − price) over the breach rows, where price is the
                                price the rule watches (advertised for MAP, transaction for MRP).
- breach depth (per row)      = (floor − price) × 100 / floor, in percent (0 when floor ≤ 0).
- undercut threshold          = our price × pct / 100; a snapshot undercuts when
                                our price − snapshot price > that threshold.
- undercut exposure           = (our price − lowest undercutting snapshot price) × units, where
                                units = Σ qty of our sale rows of that SKU in the scan.
- dead-stock carrying value   = Σ qty × unit cost over inventory rows aged ≥ N days.

`explain` returns each alert's formula with its values, e.g.
"Σ qty × (floor − price) = 3 × (499.00 − 449.00) + 1 × (499.00 − 459.00) = 190.00".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

import polars as pl

from engine.errors import ValidationFailed
from engine.margin.frames import DEAD_STOCK, MAP_BREACH, MONEY, MRP_BREACH, UNDERCUT

SCALE = 10
QUANTUM = Decimal(1).scaleb(-SCALE)
HUNDRED = Decimal(100)
_WIDE = Context(prec=80, rounding=ROUND_HALF_EVEN)


def q10(value: Decimal) -> Decimal:
    """Round half-even to scale 10, the column type's rule."""
    return value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN, context=_WIDE)


def money(value: Decimal | int | str) -> Decimal:
    """Exact Decimal at scale 10; refuses floats (they carry binary noise)."""
    if isinstance(value, float):
        raise ValidationFailed("money must be Decimal, not float", fields={"value": "float"})
    return q10(Decimal(value))


def _lit(value: Decimal) -> pl.Expr:
    return pl.lit(value, dtype=MONEY)


# --- vectorized forms ---------------------------------------------------------------------------


def row_loss_expr(qty: str, floor: str, price: str) -> pl.Expr:
    """qty × (floor − price) for one breach row."""
    return pl.col(qty).cast(MONEY) * (pl.col(floor) - pl.col(price))


def depth_expr(floor: str, price: str) -> pl.Expr:
    """(floor − price) × 100 / floor; the division only runs where floor > 0 (no batch-wide raise)."""
    gap = (pl.col(floor) - pl.col(price)) * _lit(HUNDRED)
    return pl.when(pl.col(floor) > _lit(Decimal(0))).then(gap / pl.col(floor)).otherwise(_lit(Decimal(0)))


def undercut_rate(pct: Decimal) -> Decimal:
    """pct / 100 as an exact scale-10 rate; refuses a pct that would need rounding or is negative."""
    if not isinstance(pct, Decimal) or not pct.is_finite() or pct < 0:
        raise ValidationFailed("undercut threshold must be a non-negative Decimal percent", fields={"pct": "invalid"})
    rate = pct / HUNDRED
    if q10(rate) != rate:
        raise ValidationFailed("undercut threshold has more than 8 decimals", fields={"pct": "precision"})
    return rate


def undercut_mask_expr(our_price: str, price: str, pct: Decimal) -> pl.Expr:
    """our − price > our × rate (strict: 'by more than' the threshold)."""
    threshold = pl.col(our_price) * _lit(undercut_rate(pct))
    return (pl.col(our_price) - pl.col(price)) > threshold


# --- scalar reference forms ---------------------------------------------------------------------


# Every scalar form computes in an 80-digit context, then rounds once to scale 10 like the column.


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """Σ without the default 28-digit context's silent rounding."""
    with localcontext(_WIDE):
        return q10(sum(values, Decimal(0)))


def row_loss(qty: int, floor: Decimal, price: Decimal) -> Decimal:
    with localcontext(_WIDE):
        return q10(Decimal(qty) * (floor - price))


def depth_pct(floor: Decimal, price: Decimal) -> Decimal:
    if floor <= 0:
        return Decimal(0).quantize(QUANTUM)
    with localcontext(_WIDE):
        gap = q10((floor - price) * HUNDRED)
        return q10(gap / floor)


def is_undercut(our_price: Decimal, price: Decimal, pct: Decimal) -> bool:
    with localcontext(_WIDE):
        return our_price - price > q10(our_price * undercut_rate(pct))


def lost_margin(rows: Iterable[tuple[int, Decimal, Decimal]]) -> Decimal:
    """Σ qty × (floor − price) over (qty, floor, price) rows."""
    with localcontext(_WIDE):
        total = sum((row_loss(qty, floor, price) for qty, floor, price in rows), Decimal(0))
        return q10(total)


def undercut_exposure(our_price: Decimal, prices: Iterable[Decimal], units: int) -> Decimal:
    """(our price − lowest snapshot price) × units; 0 without snapshots."""
    lowest = min(prices, default=None)
    return Decimal(0).quantize(QUANTUM) if lowest is None else row_loss(units, our_price, lowest)


def carrying_value(rows: Iterable[tuple[int, Decimal]]) -> Decimal:
    """Σ qty × unit cost over (qty, unit_cost) rows."""
    with localcontext(_WIDE):
        total = sum((q10(Decimal(qty) * unit_cost) for qty, unit_cost in rows), Decimal(0))
        return q10(total)


# --- explanation --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """One row of the evidence frame, as the explanation needs it."""

    evidence_id: str
    qty: int
    price: Decimal
    floor: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Term:
    evidence_id: str
    values: dict[str, Decimal | int]
    value: Decimal
    text: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """The formula with its values: symbolic form, one term per row, total, and the rendered line."""

    rule: str
    formula: str
    terms: tuple[Term, ...]
    total: Decimal
    rendered: str

    def as_dict(self) -> dict:
        """JSON-ready (Decimals as strings) for the alert's stored math."""
        return {
            "rule": self.rule,
            "formula": self.formula,
            "terms": [
                {
                    "evidence_id": t.evidence_id,
                    "values": {k: str(v) for k, v in t.values.items()},
                    "value": str(t.value),
                    "text": t.text,
                }
                for t in self.terms
            ],
            "total": str(self.total),
            "rendered": self.rendered,
        }


def fmt(value: Decimal | int) -> str:
    """Plain notation with at least two decimals and no trailing noise: 499.0000000000 → 499.00."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(_WIDE), "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def _render(formula: str, texts: Sequence[str], total: Decimal, max_terms: int, joiner: str = " + ") -> str:
    shown = list(texts[:max_terms])
    if len(texts) > max_terms:
        shown.append(f"… ({len(texts) - max_terms} more)")
    return f"{formula} = {joiner.join(shown) or '0'} = {fmt(total)}"


def _ordered(rows: Iterable[EvidenceRow]) -> list[EvidenceRow]:
    return sorted(rows, key=lambda r: r.evidence_id)


def explain_lost_margin(rule: str, rows: Iterable[EvidenceRow], *, max_terms: int = 12) -> Explanation:
    formula = "Σ qty × (floor − price)"
    ordered = _ordered(rows)
    terms = []
    for r in ordered:
        if r.floor is None:
            raise ValidationFailed(f"evidence row {r.evidence_id} has no floor", fields={"floor": "missing"})
        terms.append(
            Term(
                r.evidence_id,
                {"qty": r.qty, "floor": r.floor, "price": r.price},
                row_loss(r.qty, r.floor, r.price),
                f"{r.qty} × ({fmt(r.floor)} − {fmt(r.price)})",
            )
        )
    total = lost_margin((r.qty, r.floor, r.price) for r in ordered)  # type: ignore[misc]
    return Explanation(rule, formula, tuple(terms), total, _render(formula, [t.text for t in terms], total, max_terms))


def explain_undercut(our_price: Decimal, rows: Iterable[EvidenceRow], units: int) -> Explanation:
    formula = "(our price − lowest competitor price) × units"
    ordered = _ordered(rows)
    terms = tuple(
        Term(
            r.evidence_id,
            {"our_price": our_price, "price": r.price, "units": units},
            row_loss(units, our_price, r.price),
            f"({fmt(our_price)} − {fmt(r.price)}) × {units}",
        )
        for r in ordered
    )
    total = undercut_exposure(our_price, (r.price for r in ordered), units)
    lowest = min(ordered, key=lambda r: (r.price, r.evidence_id), default=None)
    text = [] if lowest is None else [f"({fmt(our_price)} − {fmt(lowest.price)}) × {units}"]
    return Explanation(UNDERCUT, formula, terms, total, _render(formula, text, total, 1))


def explain_carrying_value(rows: Iterable[EvidenceRow], *, max_terms: int = 12) -> Explanation:
    formula = "Σ qty × unit cost"
    ordered = _ordered(rows)
    terms = tuple(
        Term(
            r.evidence_id,
            {"qty": r.qty, "unit_cost": r.price},
            carrying_value([(r.qty, r.price)]),
            f"{r.qty} × {fmt(r.price)}",
        )
        for r in ordered
    )
    total = carrying_value((r.qty, r.price) for r in ordered)
    return Explanation(DEAD_STOCK, formula, terms, total, _render(formula, [t.text for t in terms], total, max_terms))


def explain(rule: str, rows: Sequence[EvidenceRow], *, max_terms: int = 12) -> Explanation:
    """Explain one alert from its evidence rows (evidence frame rows, or stored evidence).

    For an undercut, every row's `floor` is our price and `qty` the SKU's units in the scan.
    """
    if rule in (MAP_BREACH, MRP_BREACH):
        return explain_lost_margin(rule, rows, max_terms=max_terms)
    if rule == DEAD_STOCK:
        return explain_carrying_value(rows, max_terms=max_terms)
    if rule == UNDERCUT:
        if not rows:
            raise ValidationFailed("an undercut needs at least one snapshot", fields={"rows": "empty"})
        our, units = rows[0].floor, rows[0].qty
        if our is None or any(r.floor != our or r.qty != units for r in rows):
            raise ValidationFailed("undercut rows disagree on our price or units", fields={"rows": "inconsistent"})
        return explain_undercut(our, rows, units)
    raise ValidationFailed(f"unknown rule {rule!r}", fields={"rule": "unknown"})


def evidence_rows(evidence: pl.DataFrame) -> list[EvidenceRow]:
    """Evidence frame rows (EVIDENCE_SCHEMA) as EvidenceRow values, in frame order."""
    return [
        EvidenceRow(r["evidence_id"], r["qty"], r["price"], r["floor"])
        for r in evidence.select("evidence_id", "qty", "price", "floor").iter_rows(named=True)
    ]
