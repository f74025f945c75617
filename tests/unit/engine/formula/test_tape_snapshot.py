"""Calculation tape and snapshot hash."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from engine.formula import table
from engine.formula.plan import Plan, Step
from engine.formula.snapshot import snapshot_hash
from engine.formula.tape import build_tape

from .helpers import frame, plan

STEPS = [
    ("base", "salary * 0.1"),
    ("mult", "if (score >= 4) then 1.5 else 1"),
    ("growth", "pct_change(salary, prev)"),
    ("bonus", "round2(base * mult)", "score > 1"),
    ("share", "bonus / total(bonus) * pool"),
]
INPUTS = {"salary": "decimal", "score": "decimal", "prev": "decimal"}
FUND = {"pool": "1000"}


def _compiled():
    return plan(STEPS, INPUTS, FUND)


ROWS = [
    {"salary": 1000, "score": 5, "prev": 500},
    {"salary": 3000, "score": 1, "prev": 1},
    {"salary": 2000, "score": 3, "prev": 0},
    {"salary": 500, "score": 4, "prev": 1},
]


def test_tape_for_an_ok_row():
    compiled = _compiled()
    tape = build_tape(compiled, frame(compiled, ROWS), "e1")
    assert tape.error is None
    assert tape.inputs == {
        "salary": "1000.0000000000",
        "score": "5.0000000000",
        "prev": "500.0000000000",
        "pool": "1000.0000000000",
    }
    by = {s.name: s for s in tape.steps}
    assert [s.name for s in tape.steps] == ["base", "mult", "growth", "bonus", "share"]
    assert by["mult"].branches == [{"line": 1, "column": 1, "branch": "then"}]
    assert by["mult"].refs == {"score": "5.0000000000"}
    assert by["bonus"].status == "ok" and by["bonus"].condition_value == "1.0000000000"
    assert by["bonus"].refs == {"score": "5.0000000000", "base": "100.0000000000", "mult": "1.5000000000"}
    assert by["bonus"].result == "150.0000000000"
    # total(bonus) sums rows e1 (150) and e4 (75); e2 is skipped (0) and e3 failed earlier
    assert by["share"].refs == {"bonus": "150.0000000000", "total(…)": "225.0000000000", "pool": "1000.0000000000"}
    assert by["share"].result == "666.6666667000"  # 150 / 225 rounds to 0.6666666667 before * 1000
    assert tape.to_dict()["steps"][0]["expr"] == "salary * 0.1"


def test_tape_for_skipped_and_failed_rows():
    compiled = _compiled()
    df = frame(compiled, ROWS)
    skipped = {s.name: s for s in build_tape(compiled, df, "e2").steps}
    assert skipped["bonus"].status == "skipped" and skipped["bonus"].result == "0.0000000000"
    assert skipped["mult"].branches == [{"line": 1, "column": 1, "branch": "else"}]
    failed = build_tape(compiled, df, "e3")
    by = {s.name: s for s in failed.steps}
    assert failed.error == "growth: pct_change with a previous value of 0"
    assert by["growth"].status == "failed" and by["growth"].error == "pct_change with a previous value of 0"
    assert by["bonus"].status == "not_run" and by["share"].status == "not_run"
    with pytest.raises(KeyError):
        build_tape(compiled, df, "nobody")


def test_snapshot_hash_changes_with_every_part():
    base = Plan("p", "1", (), {"r": Decimal("0.12")}, (Step(10, "a", "r * 2", None),))
    h = snapshot_hash(base)
    assert h == snapshot_hash(Plan("p", "1", (), {"r": Decimal("0.120")}, (Step(10, "a", "r * 2", None),)))
    variants = [
        dataclasses.replace(base, steps=(Step(10, "a", "r * 3", None),)),
        dataclasses.replace(base, steps=(Step(10, "a", "r * 2", "r > 0"),)),
        dataclasses.replace(base, steps=(Step(20, "a", "r * 2", None),)),
        dataclasses.replace(base, fund_inputs={"r": Decimal("0.13")}),
        dataclasses.replace(base, version="2"),
    ]
    hashes = {h} | {snapshot_hash(v) for v in variants}
    hashes |= {snapshot_hash(base, catalog_version="other"), snapshot_hash(base, data_hash="abc")}
    assert len(hashes) == len(variants) + 3


def test_data_hash_follows_the_data():
    compiled = _compiled()
    a = table.data_hash(frame(compiled, ROWS))
    assert a == table.data_hash(frame(compiled, ROWS))
    assert a != table.data_hash(frame(compiled, ROWS[:3]))
