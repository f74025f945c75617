"""A pool allocated to the cent by the largest-remainder method (Hamilton's method).

`raw / total(raw) * pool` at 10 places leaves money unallocated at scale (each share is rounded,
and the roundings do not add up to zero: $345 of a pool at 1M employees). Here every share is
computed in whole units (cents, or 10⁻¹⁰ when the pool itself has fractions of a cent) with exact
integer arithmetic: each employee first gets the floor of their exact quota, then the units left
over (fewer than the number of employees) go one each to the largest remainders; equal remainders
go in the order the weights are given (the run's row order), so the result is deterministic.

Properties (tests/unit/engine/comp/test_allocation.py): the shares sum to the pool exactly; each
share is the floor or the ceiling of its exact quota; a larger weight never gets less.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")
QUANTUM = Decimal("1E-10")
_SCALE = 10**10


@dataclass(frozen=True)
class Allocation:
    shares: list[Decimal | None]  # per weight, None where the weight was None (a failed row)
    unit: Decimal  # 0.01, or 1E-10 for a pool with fractions of a cent
    allocated: Decimal  # the sum of the shares: the pool, or 0 when nothing has a positive weight
    unallocated: Decimal


def _units(value: Decimal, unit: Decimal) -> int:
    exact = value / unit
    if exact != exact.to_integral_value():
        raise ValueError(f"{value} is not a whole number of {unit}")
    return int(exact)


def allocate(weights: Sequence[Decimal | None], pool: Decimal) -> Allocation:
    """Split `pool` (≥ 0, at most 10 decimals) in proportion to `weights` (None or ≤ 0: nothing)."""
    if pool < 0:
        raise ValueError("the pool cannot be negative")
    unit = CENT if pool == pool.quantize(CENT) else QUANTUM
    total_units = _units(pool.quantize(QUANTUM), unit)
    scaled = [int(w.quantize(QUANTUM) * _SCALE) if w is not None and w > 0 else 0 for w in weights]
    weight_sum = sum(scaled)
    if weight_sum == 0 or total_units == 0:
        zero = Decimal(0).quantize(QUANTUM)
        shares: list[Decimal | None] = [None if w is None else zero for w in weights]
        return Allocation(shares, unit, zero, pool.quantize(QUANTUM))
    floors: list[int] = []
    remainders: list[tuple[int, int]] = []  # (-remainder, position): sorted, the largest first
    for position, w in enumerate(scaled):
        whole, rest = divmod(w * total_units, weight_sum)
        floors.append(whole)
        if rest:
            remainders.append((-rest, position))
    left = total_units - sum(floors)
    remainders.sort()
    for _, position in remainders[:left]:
        floors[position] += 1
    out: list[Decimal | None] = [
        None if w is None else (Decimal(units) * unit).quantize(QUANTUM)
        for w, units in zip(weights, floors, strict=True)
    ]
    allocated = (Decimal(sum(floors)) * unit).quantize(QUANTUM)
    return Allocation(out, unit, allocated, (pool.quantize(QUANTUM) - allocated).quantize(QUANTUM))
