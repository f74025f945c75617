"""The margin import targets and their reference checks (pure: Polars frames, no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from engine.margin.import_checks import Ref, RefIndex, duplicate_issues, reference_issues, resolve, rule_issues
from engine.margin.import_targets import TARGETS
from engine.rbac import Role, has_permission

DEALERS = RefIndex(
    "dealer",
    [
        Ref("d1", "DLR-METRO", "Metro Pharma Retail"),
        Ref("d2", "DLR-COASTAL", "Coastal Health Mart"),
        Ref("d3", "DLR-TWIN-A", "Twin Chemists"),
        Ref("d4", "DLR-TWIN-B", "Twin Chemists"),
    ],
)
SKUS = RefIndex("SKU", [Ref("s1", "AUR-D3-60", "Aurora Vitamin D3")], by_name=False)


def _frame(dealers: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"__row": list(range(2, 2 + len(dealers))), "dealer": dealers}, schema={"__row": pl.Int64, "dealer": pl.String}
    )


def test_three_targets_with_unique_fields_and_ops_permission():
    assert [t.name for t in TARGETS] == ["margin.sales", "margin.snapshots", "margin.inventory"]
    for target in TARGETS:
        names = [f.name for f in target.fields]
        assert len(names) == len(set(names)), target.name
        assert target.module == "margin"
        assert has_permission(Role.OPS, target.permission) and has_permission(Role.ADMIN, target.permission)
        assert not has_permission(Role.SALES, target.permission)
        assert not has_permission(Role.VIEWER, target.permission)
        # the header people export is recognised as an alias of exactly one field
        aliases = [a.casefold() for f in target.fields for a in f.aliases]
        assert len(aliases) == len(set(aliases)), target.name


@pytest.mark.parametrize(
    ("target", "header", "field"),
    [
        ("margin.sales", "Invoice Date", "date"),
        ("margin.sales", "Bill Date", "date"),
        ("margin.sales", "Party Name", "dealer"),
        ("margin.sales", "Dealer Code", "dealer"),
        ("margin.sales", "Item Code", "sku"),
        ("margin.sales", "Qty", "qty"),
        ("margin.sales", "Net Rate", "transaction_price"),
        ("margin.sales", "MRP", "advertised_price"),
        ("margin.snapshots", "Seller Name", "competitor"),
        ("margin.inventory", "GRN Date", "received_on"),
        ("margin.inventory", "Closing Stock", "qty"),
    ],
)
def test_real_export_headers_are_aliases(target, header, field):
    by_name = {t.name: t for t in TARGETS}
    assert header in by_name[target].field(field).aliases


def test_money_fields_are_money_and_required_fields_are_the_minimum():
    sales = {t.name: t for t in TARGETS}["margin.sales"]
    assert {f.name for f in sales.fields if f.required} == {"dealer", "sku", "date", "qty"}
    assert sales.field("transaction_price").kind == "money" and sales.field("date").kind == "date"


def test_found_by_code_or_name_whatever_the_case_and_spacing():
    ids = resolve(_frame(["dlr-metro", "  metro   PHARMA retail ", "Coastal Health Mart", None]), "dealer", DEALERS)
    assert ids.to_list() == ["d1", "d1", "d2", None]


def test_unknown_dealer_gets_did_you_mean_with_the_tenants_name():
    issues = reference_issues(_frame(["Metro Pharma", "DLR-METRO", "Metro Pharma"]), "dealer", DEALERS)
    assert [(i.row, i.value) for i in issues] == [(2, "Metro Pharma"), (4, "Metro Pharma")]
    assert issues[0].message == "dealer 'Metro Pharma' not found"
    assert issues[0].hint == "did you mean 'Metro Pharma Retail'?"
    assert issues[0].column == "dealer"


def test_nothing_close_gives_no_hint_rather_than_a_wrong_one():
    (issue,) = reference_issues(_frame(["Zebra Wholesale Logistics"]), "dealer", DEALERS)
    assert issue.message == "dealer 'Zebra Wholesale Logistics' not found" and issue.hint == ""


def test_a_shared_name_asks_for_the_code():
    (issue,) = reference_issues(_frame(["twin chemists"]), "dealer", DEALERS)
    assert "shared by 2 organizations" in issue.message
    assert issue.hint == "write the code (DLR-TWIN-A, DLR-TWIN-B)"


def test_skus_are_matched_by_code_only_and_hinted_by_code():
    frame = pl.DataFrame({"__row": [2, 3], "sku": ["Aurora Vitamin D3", "AUR-D3-6O"]})
    issues = reference_issues(frame, "sku", SKUS)
    assert [i.row for i in issues] == [2, 3]
    assert issues[1].hint == "did you mean 'AUR-D3-60'?"


def test_duplicates_within_the_file_name_the_first_row():
    frame = pl.DataFrame(
        {
            "__row": [2, 3, 4, 5],
            "dealer": ["A", "A", "B", "A"],
            "price": [Decimal("1.50"), Decimal("1.50"), Decimal("1.50"), Decimal("1.50")],
            "day": [date(2026, 1, 1)] * 4,
        },
        schema_overrides={"price": pl.Decimal(38, 10)},
    )
    issues = duplicate_issues(frame, ("dealer", "price", "day"))
    assert [(i.row, i.message) for i in issues] == [(3, "the same row as row 2"), (5, "the same row as row 2")]


def test_rule_issues_name_row_column_and_value():
    frame = pl.DataFrame({"__row": [2, 3], "qty": [4, -1]})
    (issue,) = rule_issues(frame, pl.col("qty") < 0, "qty", "quantity cannot be negative")
    assert (issue.row, issue.column, issue.value) == (3, "qty", "-1")
