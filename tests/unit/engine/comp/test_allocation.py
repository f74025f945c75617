"""The pool allocated to the cent by the largest-remainder method: known answers and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.comp.allocation import CENT, QUANTUM, allocate

D = Decimal


def test_three_equal_weights_split_a_dollar():
    # 100 cents / 3: 33 each, the one cent left goes to the first of the equal remainders
    got = allocate([D(1), D(1), D(1)], D("1.00"))
    assert got.shares == [D("0.34"), D("0.33"), D("0.33")]
    assert got.allocated == D("1.00") and got.unallocated == 0


def test_largest_remainder_wins_the_spare_cents():
    # quotas of 10.00 in proportion 1:2:3:4 → 1.00, 2.00, 3.00, 4.00 exactly
    assert allocate([D(1), D(2), D(3), D(4)], D("10")).shares == [D(1), D(2), D(3), D(4)]
    # 7.00 in proportion 1:1:1 → 2.333… each: floors 2.33 (699 cents), one cent to the first
    assert allocate([D(5), D(5), D(5)], D("7")).shares == [D("2.34"), D("2.33"), D("2.33")]
    # quotas 1.666…, 3.333… of 5.00 → remainders 0.666… and 0.333…: the first gets the cent
    assert allocate([D(1), D(2)], D("5")).shares == [D("1.67"), D("3.33")]


def test_failed_rows_and_non_positive_weights_get_nothing():
    got = allocate([D(3), None, D(0), D(-4), D(1)], D("100"))
    assert got.shares == [D(75), None, D(0), D(0), D(25)]


def test_nothing_to_weigh_leaves_the_pool_unallocated():
    got = allocate([None, D(0)], D("500"))
    assert got.shares == [None, D(0)] and got.allocated == 0 and got.unallocated == D(500)


def test_a_pool_with_fractions_of_a_cent_is_split_in_the_smallest_unit():
    got = allocate([D(1), D(1)], D("0.0000000003"))
    assert got.unit == QUANTUM
    assert got.shares == [D("0.0000000002"), D("0.0000000001")]


def test_naive_division_leaves_money_over_where_this_does_not():
    weights = [D(1)] * 7
    naive = sum((w / sum(weights) * D("100")).quantize(CENT) for w in weights)
    assert naive != D("100")  # 7 × 14.29 = 100.03
    assert allocate(weights, D("100")).allocated == D("100")


def test_negative_pool_is_refused():
    with pytest.raises(ValueError):
        allocate([D(1)], D("-1"))


weights = st.lists(
    st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=10, allow_nan=False)), min_size=1, max_size=60
)
pools = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False)


@given(weights, pools)
def test_shares_sum_to_the_pool_and_stay_within_a_cent_of_the_quota(ws, pool):
    got = allocate(ws, pool)
    positive = [w for w in ws if w is not None and w > 0]
    if not positive or pool == 0:
        assert all(s in (None, 0) for s in got.shares)
        return
    total = sum(positive)
    assert sum(s for s in got.shares if s is not None) == pool
    assert got.unallocated == 0
    for w, share in zip(ws, got.shares, strict=True):
        if w is None:
            assert share is None
            continue
        quota = (w if w > 0 else 0) * pool / total
        assert share is not None and abs(share - quota) < got.unit
    ordered = sorted((w, s) for w, s in zip(ws, got.shares, strict=True) if w is not None and s is not None)
    assert all(a[1] <= b[1] for a, b in zip(ordered, ordered[1:], strict=False) if a[0] < b[0])
