"""The vectorized resolver's shapes and the overlap linter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import polars as pl
import pytest

from engine.errors import ValidationFailed
from engine.pricing import RESULT_COLUMNS, find_overlaps, overlaps_with, queries_frame, resolve_frame, rules_frame
from engine.pricing.vectorized import MONEY, QUERY_SCHEMA
from tests.unit.engine.pricing.helpers import T0, US, query, rule


def test_vectorized_keeps_order_and_extra_columns():
    rules = rules_frame([rule("g", "100", book="b1"), rule("o", "90", org="d"), rule("m", "1", kind="mrp")])
    queries = queries_frame([query(org="d"), query(), query(sku="none"), query(T0 - US)]).with_columns(
        pl.Series("sale_row", [10, 11, 12, 13])
    )
    out = resolve_frame(queries, rules)
    assert out.columns == [*QUERY_SCHEMA, "sale_row", *RESULT_COLUMNS]
    assert out["sale_row"].to_list() == [10, 11, 12, 13]
    assert out["rule_id"].to_list() == ["o", "g", None, None]
    assert out["level"].to_list() == ["org", "global", None, None]
    assert out["price_book_id"].to_list() == [None, "b1", None, None]
    assert out.schema["price"] == MONEY
    assert out["price"].to_list()[:2] == [Decimal("90"), Decimal("100")]


def test_vectorized_with_no_rules_and_no_queries():
    empty_rules = rules_frame([])
    out = resolve_frame(queries_frame([query()]), empty_rules)
    assert out["price"].to_list() == [None]
    assert resolve_frame(queries_frame([]), rules_frame([rule("g")])).height == 0


def test_vectorized_refuses_float_money_naive_instants_and_missing_columns():
    rules = rules_frame([rule("g")]).with_columns(pl.col("amount").cast(pl.Float64))
    with pytest.raises(ValidationFailed) as err:
        resolve_frame(queries_frame([query()]), rules)
    assert "rules.amount" in err.value.fields

    naive = queries_frame([query()]).with_columns(pl.col("at").dt.replace_time_zone(None))
    with pytest.raises(ValidationFailed) as err:
        resolve_frame(naive, rules_frame([rule("g")]))
    assert "queries.at" in err.value.fields

    with pytest.raises(ValidationFailed) as err:
        resolve_frame(queries_frame([query()]).drop("kind"), rules_frame([rule("g")]))
    assert "queries.kind" in err.value.fields


def test_vectorized_accepts_other_time_zones_and_units():
    q = queries_frame([query(T0)]).with_columns(
        pl.col("at").dt.convert_time_zone("Asia/Kolkata").dt.cast_time_unit("ns")
    )
    assert resolve_frame(q, rules_frame([rule("g")]))["rule_id"].to_list() == ["g"]


def test_linter_reports_overlap_at_the_same_step_only():
    day = timedelta(days=1)
    rules = [
        rule("a", start=T0, end=T0 + 10 * day, org="d"),
        rule("b", start=T0 + 5 * day, org="d", priority=1),
        rule("c", start=T0 + 10 * day, org="d", channel="web"),  # other step
        rule("d", start=T0, org="other"),  # other org
        rule("e", start=T0, end=T0 + 5 * day, org="d", currency="EUR"),  # other currency
    ]
    found = find_overlaps(rules)
    assert len(found) == 1
    item = found[0].to_dict()
    assert item["rule_ids"] == ["a", "b"]
    assert item["level"] == "org"
    assert item["overlap_from"] == "2026-01-06T00:00:00Z"
    assert item["overlap_to"] == "2026-01-11T00:00:00Z"
    assert (item["winner_id"], item["resolved_by"], item["severity"]) == ("b", "priority", "warning")


def test_adjacent_windows_do_not_overlap():
    switch = T0 + timedelta(days=3)
    assert find_overlaps([rule("a", end=switch), rule("b", start=switch)]) == []


def test_identical_windows_are_ambiguous_and_reported_for_the_new_rule():
    existing = [rule("r1"), rule("r3", sku="other")]
    new = rule("r2")
    found = overlaps_with(new, existing)
    assert [o.to_dict()["rule_ids"] for o in found] == [["r1", "r2"]]
    assert found[0].severity == "ambiguous"
    assert found[0].winner_id == "r1"


def test_open_ended_rules_overlap_everything_after_them():
    later = datetime(2030, 1, 1, tzinfo=UTC)
    found = find_overlaps([rule("a"), rule("b", start=later, end=later + timedelta(days=1)), rule("c", start=later)])
    assert {tuple(o.to_dict()["rule_ids"]) for o in found} == {("a", "b"), ("a", "c"), ("b", "c")}


def test_a_later_rule_superseding_an_open_ended_one_is_info():
    found = find_overlaps([rule("old"), rule("new", start=T0 + timedelta(days=30))])
    assert [(o.winner_id, o.resolved_by, o.severity) for o in found] == [("new", "effective_from", "info")]
