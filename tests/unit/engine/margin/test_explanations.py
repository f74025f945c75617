"""The vectorized lost-margin explanations equal the scalar reference (`impact.explain`) exactly."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import ValidationFailed
from engine.margin.explanations import decimal_text, fmt_text, lost_margin_explanations, vectorized
from engine.margin.frames import MAP_BREACH, MONEY, MRP_BREACH
from engine.margin.impact import EvidenceRow, explain, fmt, q10

KEYS = ["dealer_id", "rule"]


# every value a Decimal(38,10) column holds: zero, tiny (printed "5.000E-7"), many decimals, negative;
# `big` adds values whose products overflow Decimal(38,10) (the scalar form takes those over)
def money(big: bool):
    wide = st.integers(-(10**37) + 1, 10**37 - 1) if big else st.integers(-(10**26), 10**26)
    return st.one_of(
        st.sampled_from([Decimal(v) for v in ("0", "0.0000001", "0.000001", "-0.0000005", "1", "499", "449.5", "-3")]),
        st.sampled_from([Decimal("0.0000001"), Decimal("0")]),  # with a zero qty or gap: Decimal's signed zero
        st.decimals(min_value=Decimal("-1000"), max_value=Decimal("100000"), places=10, allow_nan=False),
        wide.map(lambda i: Decimal(i).scaleb(-10)),
    ).map(q10)


def qtys(big: bool):
    return st.one_of(st.integers(-5, 30), st.integers(-(2**63), 2**63 - 1) if big else st.integers(-(10**9), 10**9))


@st.composite
def evidence(draw, big: bool):
    n = draw(st.integers(1, 40))
    ids = draw(st.lists(st.text("0123456789abcdef-", min_size=1, max_size=8), min_size=n, max_size=n, unique=True))
    return [
        {
            "dealer_id": draw(st.sampled_from(["d1", "d2", "d3"])),
            "rule": draw(st.sampled_from([MAP_BREACH, MRP_BREACH])),
            "evidence_id": i,
            "qty": draw(qtys(big)),
            "floor": draw(money(big)),
            "price": draw(money(big)),
        }
        for i in ids
    ]


def _frame(rows: list[dict]) -> pl.DataFrame:
    schema = {"dealer_id": pl.String, "rule": pl.String, "evidence_id": pl.String, "qty": pl.Int64}
    return pl.DataFrame(rows, schema={**schema, "floor": MONEY, "price": MONEY})


def _reference(rows: list[dict]) -> dict[tuple, dict]:
    groups: dict[tuple, list[EvidenceRow]] = {}
    for r in rows:
        groups.setdefault((r["dealer_id"], r["rule"]), []).append(
            EvidenceRow(r["evidence_id"], r["qty"], r["price"], r["floor"])
        )
    return {key: explain(key[1], found).as_dict() for key, found in groups.items()}


@settings(max_examples=400, deadline=None)
@given(evidence(big=False))
def test_vectorized_explanations_equal_the_scalar_reference(rows):
    """Values that fit Decimal(38,10) (|qty × gap| and the sum < 10²⁸): computed in Polars alone."""
    assert vectorized(_frame(rows), KEYS) == _reference(rows)
    assert lost_margin_explanations(_frame(rows), KEYS) == _reference(rows)


@settings(max_examples=150, deadline=None)
@given(evidence(big=True))
def test_huge_values_still_equal_the_scalar_reference(rows):
    """Huge qty or money: Polars may overflow (then every group goes to the scalar form); either way equal."""
    assert lost_margin_explanations(_frame(rows), KEYS) == _reference(rows)


@settings(max_examples=300, deadline=None)
@given(st.lists(money(big=True), min_size=1, max_size=20))
def test_decimal_and_fmt_text_equal_python(values):
    frame = pl.DataFrame({"v": values}, schema={"v": MONEY})
    out = frame.select(decimal_text(pl.col("v")).alias("s"), fmt_text(pl.col("v")).alias("f"))
    assert out["s"].to_list() == [str(v) for v in values]
    assert out["f"].to_list() == [fmt(v) for v in values]


def test_many_rows_render_twelve_terms_and_the_rest_counted():
    rows = [
        {"dealer_id": "d1", "rule": MAP_BREACH, "evidence_id": f"e{i:02}", "qty": 1, "floor": q10(Decimal("499"))}
        | {"price": q10(Decimal("449.5"))}
        for i in range(15)
    ]
    found = lost_margin_explanations(_frame(rows), KEYS)[("d1", MAP_BREACH)]
    assert found == _reference(rows)[("d1", MAP_BREACH)]
    assert found["rendered"] == (
        "Σ qty × (floor − price) = " + " + ".join(["1 × (499.00 − 449.50)"] * 12) + " + … (3 more) = 742.50"
    )
    assert len(found["terms"]) == 15


def test_a_row_without_floor_is_refused_as_the_scalar_form_does():
    rows = [{"dealer_id": "d1", "rule": MRP_BREACH, "evidence_id": "e1", "qty": 2, "floor": None, "price": Decimal(1)}]
    with pytest.raises(ValidationFailed, match="evidence row e1 has no floor"):
        lost_margin_explanations(_frame(rows), KEYS)
