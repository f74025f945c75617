"""CSV exports neutralise formula injection and keep numbers numeric."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import polars as pl
import pytest

from engine.margin.csv_safety import neutralise, neutralise_expr, to_csv
from tests.unit.engine.margin.helpers import D

RISKY = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "\nx", "  =HYPERLINK(\"http://x\")", '=cmd|"/c calc"!A0']
SAFE = ["Dealer One", "a=b", "", "x-1", "'already"]


@pytest.mark.parametrize("text", RISKY)
def test_risky_text_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", SAFE)
def test_safe_text_is_untouched(text):
    assert neutralise(text) == text


def test_numbers_dates_and_none():
    assert neutralise(D("-12.5000000000")) == "-12.5000000000"
    assert neutralise(-3) == "-3"
    assert neutralise(None) == ""
    assert neutralise(True) == "true"
    assert neutralise(datetime(2025, 1, 1, tzinfo=UTC)) == "2025-01-01T00:00:00+00:00"
    with pytest.raises(TypeError):
        neutralise(1.5)


def test_polars_expression_matches_the_scalar_rule():
    frame = pl.DataFrame({"c": RISKY + SAFE})
    assert frame.select(neutralise_expr("c")).get_column("c").to_list() == [neutralise(t) for t in RISKY + SAFE]


def test_whole_document_round_trips_through_a_csv_reader():
    text = to_csv(["dealer", "delta"], [["=evil()", D("-5.25")], ["ok\nline", 3]])
    assert list(csv.reader(io.StringIO(text))) == [["dealer", "delta"], ["'=evil()", "-5.25"], ["ok\nline", "3"]]
