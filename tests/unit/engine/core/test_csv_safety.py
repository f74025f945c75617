"""CSV exports neutralise formula injection (look-alikes, invisible leads, separator payloads) and
keep numbers numeric."""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine.csv_safety import (
    INVISIBLE_CATEGORIES,
    LOOKALIKE_TRIGGERS,
    SEPARATORS,
    invisible_codepoints,
    is_risky,
    neutralise,
    neutralise_expr,
    to_csv,
)
from tests.unit.engine.margin.helpers import D

RISKY = [
    "=1+1",
    "+SUM(A1)",
    "-2+3",
    "@cmd",
    "\tx",
    "\rx",
    "\nx",
    '  =HYPERLINK("http://x")',
    '=cmd|"/c calc"!A0',
    # the probe's three payloads (issue 17, item 9)
    "\uff1d1+1",  # full-width ＝
    "\u00a0=1+1",  # no-break space before =
    # more look-alikes and leads
    "\uff0bSUM(A1)",
    "\uff0d2+3",
    "\uff20cmd",
    "\ufe66cmd",
    "\u207c1",
    "\u22121",  # minus sign
    "\u2013 1",  # en dash
    "\u3000=1",  # ideographic space
    "\u2007\u202f\u205f=1",  # figure, narrow no-break, medium mathematical spaces
    "\u2028=1",  # line separator
    "\u200b=1",  # zero-width space (format character)
    "\ufeff=1",  # byte-order mark
    "\u200d\u2060+1",  # zero-width joiner, word joiner
    "\x0b=1",  # vertical tab
    "\x00x",  # any control character in the lead
]
# a trigger behind a separator inside the text: an apostrophe in front, and one just before that
# trigger (a reader splitting on that separator would start a new cell there)
EXPOSED = {
    "x;=1+1": "'x;'=1+1",  # a `;` spreadsheet splits off =1+1
    "a,=1": "'a,'=1",
    "a, -1": "'a, '-1",
    "a\t@x": "'a\t'@x",
    "a\r\n=1": "'a\r\n'=1",
    "ok\n=1": "'ok\n'=1",
    "x;\u00a0\uff1d1": "'x;\u00a0'\uff1d1",
    "\r=": "'\r'=",
    "=a;=b": "'=a;'=b",
}
SAFE = ["Dealer One", "a=b", "", "x-1", "'already", "ok\nline", "A; B, C", "e-mail: a@b.c", "ẞ straße", "1+1"]


@pytest.mark.parametrize("text", RISKY)
def test_risky_text_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(("text", "safe"), EXPOSED.items())
def test_a_trigger_behind_a_separator_gets_its_own_apostrophe(text, safe):
    assert neutralise(text) == safe


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
    texts = RISKY + list(EXPOSED) + SAFE
    frame = pl.DataFrame({"c": texts})
    assert frame.select(neutralise_expr("c")).get_column("c").to_list() == [neutralise(t) for t in texts]


def test_whole_document_round_trips_through_a_csv_reader():
    text = to_csv(["dealer", "delta"], [["=evil()", D("-5.25")], ["ok\nline", 3], ["x;=1+1", None]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["dealer", "delta"],
        ["'=evil()", "-5.25"],
        ["ok\nline", "3"],
        ["'x;'=1+1", ""],
    ]


def test_text_cells_are_quoted_and_numbers_are_bare():
    assert to_csv(["a", "b", "c"], [['say "hi"', D("-1.50"), 7]]) == '"a","b","c"\r\n"say ""hi""",-1.50,7\r\n'


def test_every_character_that_normalises_to_a_trigger_is_listed():
    """NFKC folds full-width, small and super/subscript forms onto = + - @: all must be triggers."""
    folding = {chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.normalize("NFKC", chr(cp))[:1] in "=+-@"}
    assert folding - set(LOOKALIKE_TRIGGERS) == set()


def test_the_invisible_table_misses_no_plane():
    everywhere = [cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) in INVISIBLE_CATEGORIES]
    assert invisible_codepoints() == everywhere


INVISIBLE = st.sampled_from([chr(cp) for cp in invisible_codepoints()])
TRIGGER = st.sampled_from(LOOKALIKE_TRIGGERS)
PLAIN = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
NASTY = st.text(
    st.one_of(
        st.sampled_from(LOOKALIKE_TRIGGERS + SEPARATORS + "\"' a1"),
        INVISIBLE,
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=16,
)


@given(lead=st.lists(INVISIBLE, max_size=4).map("".join), trigger=TRIGGER, rest=PLAIN)
def test_a_trigger_behind_any_invisible_lead_is_neutralised(lead, trigger, rest):
    """A leading apostrophe, and only apostrophes added (one more before a trigger that a tab or
    line break in the lead exposes)."""
    out = neutralise(lead + trigger + rest)
    assert out.startswith("'")
    assert out[1:].replace("'", "") == (lead + trigger + rest).replace("'", "")


@given(
    head=PLAIN,
    sep=st.sampled_from(SEPARATORS),
    lead=st.lists(INVISIBLE, max_size=3).map("".join),
    trigger=TRIGGER,
    rest=PLAIN,
)
def test_a_trigger_after_any_separator_is_neutralised(head, sep, lead, trigger, rest):
    assert is_risky(head + sep + lead + trigger + rest)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(NASTY, max_size=20))
def test_polars_and_python_agree_on_any_text(texts):
    frame = pl.DataFrame({"c": texts}, schema={"c": pl.String})
    assert frame.select(neutralise_expr("c")).get_column("c").to_list() == [neutralise(t) for t in texts]


INVISIBLE_CHARS = "".join(chr(cp) for cp in invisible_codepoints())


def _starts_a_formula(cell: str) -> bool:
    """What a spreadsheet would execute: after invisible characters, a trigger or look-alike.
    A cell that starts with one of our bare numbers is a value, even a negative one, also when a
    reader splitting on another separator glued the next fields (or lines) to it."""
    stripped = cell.lstrip(INVISIBLE_CHARS)
    if not stripped or stripped.startswith("'"):
        return False
    try:
        Decimal(re.split(r"[,;\t\r\n]", stripped, maxsplit=1)[0])
        return False
    except InvalidOperation:
        return stripped[0] in LOOKALIKE_TRIGGERS


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.lists(
            st.one_of(NASTY, st.decimals(allow_nan=False, allow_infinity=False, places=2), st.integers()),
            min_size=1,
            max_size=4,
        ),
        max_size=6,
    )
)
# a `;` reader glues a bare negative number to the lines after it (found by hypothesis)
@example(rows=[["", "\n"], [Decimal("-0.01")], [""]])
# a `;` reader loses the quoting at `"",` and breaks the row at the cell's CR (found by hypothesis)
@example(rows=[["", "\r="]])
def test_no_cell_of_an_export_starts_a_formula_whatever_separator_the_reader_uses(rows):
    """Read back the way spreadsheets in different locales split fields (comma, semicolon, tab),
    honouring quotes: no cell may start a formula."""
    document = to_csv(["name"], rows)
    for delimiter in ",;\t":
        for row in csv.reader(io.StringIO(document, newline=""), delimiter=delimiter):
            for cell in row:
                assert not _starts_a_formula(cell), (delimiter, cell, document)
