"""Row keys computed in the worker (engine/margin/row_keys.py) are, byte for byte, the key the SQL
expression gives the same typed values (so rows imported by any version keep deduping), and the
worker declines, leaving the key to SQL, wherever it cannot vouch for the text form."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from engine.margin.row_keys import KeyField, row_ids

TENANT = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
NOW = datetime.now(UTC).replace(microsecond=0)
FIELDS = [
    KeyField("u", "uuid"),
    KeyField("n", "numeric", 10),
    KeyField("i", "integer"),
    KeyField("v", "varchar", 8),
    KeyField("t", "instant"),
]
SCHEMA = {"u": pl.String, "n": pl.Decimal(38, 10), "i": pl.Int64, "v": pl.String, "t": pl.Datetime("us", "UTC")}
SQL_KEY = text(
    "select md5(concat_ws('|', quote_nullable(cast(:u as uuid)), quote_nullable(cast(:n as numeric(38, 10))), "
    "quote_nullable(cast(:i as integer)), quote_nullable(cast(:v as varchar(8))), "
    "quote_nullable(cast(:t as timestamptz)), quote_nullable(cast(:tenant as uuid))))"
)


def _or_null(values: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | values


ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "u": _or_null(st.uuids().map(str)),
            "n": _or_null(st.decimals(min_value=-(10**12), max_value=10**12, places=10)),
            "i": _or_null(st.integers(min_value=-(2**31), max_value=2**31 - 1)),
            # quotes, backslashes and any other character but NUL (which PostgreSQL text cannot hold)
            "v": _or_null(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8)),
            "t": _or_null(
                st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)).map(
                    lambda d: d.replace(microsecond=0)
                )
            ),
        }
    ),
    min_size=1,
    max_size=8,
)


def _sql_keys(rows: list[dict]) -> list[str]:
    from models.core.db import owner_session

    with owner_session() as session:
        session.execute(text("set local timezone = 'UTC'"))
        return [session.execute(SQL_KEY, {**row, "tenant": TENANT}).scalar_one() for row in rows]


@settings(max_examples=80)
@given(rows=ROWS)
def test_worker_keys_are_the_sql_keys(rows):
    frame = pl.DataFrame(rows, schema=SCHEMA)
    ids = row_ids(frame, FIELDS, TENANT)
    assert ids is not None
    assert ids.to_list() == _sql_keys(rows)


def test_a_column_of_nulls_only_keys_as_null_whatever_its_type():
    frame = pl.DataFrame({"u": [None, None]}, schema={"u": pl.Null})
    ids = row_ids(frame, [KeyField("u", "uuid")], TENANT)
    assert ids is not None and ids.to_list() == _sql_keys_of_uuid([None, None])


def _sql_keys_of_uuid(values: list[str | None]) -> list[str]:
    from models.core.db import owner_session

    one = text("select md5(concat_ws('|', quote_nullable(cast(:u as uuid)), quote_nullable(cast(:tenant as uuid))))")
    with owner_session() as session:
        return [session.execute(one, {"u": v, "tenant": TENANT}).scalar_one() for v in values]


@pytest.mark.parametrize(
    ("field", "values", "dtype"),
    [
        (KeyField("t", "instant"), [NOW.replace(microsecond=600)], pl.Datetime("us", "UTC")),
        (KeyField("t", "instant"), [NOW.replace(tzinfo=None)], pl.Datetime("us")),  # no time zone: which day?
        (KeyField("v", "varchar", 3), ["INR", "RUPEE"], pl.String),  # too long: PostgreSQL would refuse or trim
        (KeyField("u", "uuid"), [str(uuid.uuid4()).upper()], pl.String),  # not the canonical text
        (KeyField("n", "numeric", 10), [Decimal("1.50")], pl.Decimal(38, 2)),  # another scale
        (KeyField("i", "integer"), ["7"], pl.String),
        (KeyField("x", "interval"), ["1 day"], pl.String),  # a type the worker does not key
    ],
)
def test_the_worker_declines_what_it_cannot_vouch_for(field, values, dtype):
    frame = pl.DataFrame({field.column: values}, schema={field.column: dtype})
    assert row_ids(frame, [field], TENANT) is None
