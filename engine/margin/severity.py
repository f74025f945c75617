"""Severity of an alert from its impact and its breach depth; thresholds are tenant parameters.

Severity is the higher of the two levels, so a deep breach on one unit and a shallow breach on
many units both surface. The scalar and the Polars form apply the same thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from engine.errors import ValidationFailed
from engine.margin.frames import MONEY

LEVELS = ("low", "medium", "high", "critical")


@dataclass(frozen=True, slots=True)
class SeverityPolicy:
    """At/above `impact[i]` (money) or `depth_pct[i]` (percent below the floor) → LEVELS[i + 1]."""

    impact: tuple[Decimal, Decimal, Decimal] = (Decimal("100"), Decimal("1000"), Decimal("10000"))
    depth_pct: tuple[Decimal, Decimal, Decimal] = (Decimal("5"), Decimal("15"), Decimal("30"))

    def __post_init__(self) -> None:
        for name in ("impact", "depth_pct"):
            values = getattr(self, name)
            if len(values) != 3 or any(not isinstance(v, Decimal) for v in values):
                raise ValidationFailed(f"severity {name} needs three Decimal thresholds", fields={name: "invalid"})
            if list(values) != sorted(values):
                raise ValidationFailed(f"severity {name} thresholds must ascend", fields={name: "order"})


def _level(value: Decimal | None, thresholds: tuple[Decimal, ...]) -> int:
    return 0 if value is None else sum(value >= t for t in thresholds)


def severity_of(impact: Decimal, depth_pct: Decimal | None, policy: SeverityPolicy = SeverityPolicy()) -> str:
    """Scalar severity (the reference)."""
    return LEVELS[max(_level(impact, policy.impact), _level(depth_pct, policy.depth_pct))]


def _level_expr(column: str, thresholds: tuple[Decimal, ...]) -> pl.Expr:
    steps = [(pl.col(column) >= pl.lit(t, dtype=MONEY)).fill_null(False).cast(pl.Int8) for t in thresholds]
    return pl.sum_horizontal(steps)


def severity_expr(impact: str, depth_pct: str, policy: SeverityPolicy = SeverityPolicy()) -> pl.Expr:
    """Vectorized severity over two Decimal columns; a null depth counts as the lowest level."""
    level = pl.max_horizontal(_level_expr(impact, policy.impact), _level_expr(depth_pct, policy.depth_pct))
    return level.replace_strict(dict(enumerate(LEVELS)), return_dtype=pl.String)
