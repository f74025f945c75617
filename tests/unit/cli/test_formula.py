"""`pharos formula run|check` through the module's own register(): exit codes, messages, outputs."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import formula

PLAN = {
    "name": "demo",
    "version": "3",
    "inputs": [
        {"key": "salary", "dtype": "decimal"},
        {"key": "score", "dtype": "int"},
        {"key": "dept", "dtype": "text"},
        {"key": "start", "dtype": "date"},
        {"key": "active", "dtype": "bool"},
        {"key": "prev", "dtype": "decimal"},
    ],
    "fund_inputs": {"fund_return": "0.12"},
    "steps": [
        {"order": 10, "name": "base", "expr": "salary * 0.1", "condition": None},
        {"order": 20, "name": "mult", "expr": "if (score >= 4) then 1.5 else 1", "condition": None},
        {"order": 30, "name": "growth", "expr": "pct_change(salary, prev)", "condition": None},
        {
            "order": 40,
            "name": "bonus",
            "expr": "round2(base * mult * (1 + fund_return))",
            "condition": 'active && dept != "ops" && start < date("2025-01-01")',
        },
        {"order": 50, "name": "share", "expr": "bonus / total(bonus)", "condition": None},
    ],
}
DATA = (
    "employee_ref,salary,score,dept,start,active,prev,extra\n"
    "e1,100000.55,5,sales,2020-01-01,true,90000,x\n"
    "e2,50000,3,ops,2021-06-30,1,0,y\n"
    "e3,70000.123456789012,4,research,2024-12-31,TRUE,1,z\n"
    "e4,-1,1,sales,2019-02-28,false,-2,\n"
)


def call(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pharos")
    formula.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture
def files(tmp_path: Path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN))
    data = tmp_path / "data.csv"
    data.write_text(DATA)
    return tmp_path, plan, data


def test_run_both_engines_byte_identical(files, capsys):
    tmp, plan, data = files
    assert call(["formula", "run", "--plan", str(plan), "--input", str(data), "--output", str(tmp / "v.csv")]) == 0
    assert (
        call(
            [
                "formula",
                "run",
                "--plan",
                str(plan),
                "--input",
                str(data),
                "--output",
                str(tmp / "r.csv"),
                "--engine",
                "reference",
            ]
        )
        == 0
    )
    v, r = (tmp / "v.csv").read_bytes(), (tmp / "r.csv").read_bytes()
    assert v == r
    assert v.decode().splitlines() == [
        "employee_ref,base,mult,growth,bonus,share,error",
        "e1,10000.0550000000,1.5000000000,0.1111172222,16800.0900000000,0.5882361798,",
        "e2,,,,,,growth: pct_change with a previous value of 0",
        "e3,7000.0123456789,1.5000000000,69999.1234567890,11760.0200000000,0.4117638202,",
        "e4,-0.1000000000,1.0000000000,-0.5000000000,0.0000000000,0.0000000000,",
    ]
    out = capsys.readouterr().out
    assert "4 rows, 1 row error(s)" in out and "e2: growth: pct_change" in out


def test_check_ok(files, capsys):
    _, plan, _ = files
    assert call(["formula", "check", str(plan)]) == 0
    assert "evaluation order: base, mult, growth, bonus, share" in capsys.readouterr().out


def test_check_invalid_plan_lists_every_error(tmp_path, capsys):
    bad = dict(
        PLAN,
        steps=[
            {"order": 10, "name": "a", "expr": "salry * 2"},
            {"order": 20, "name": "b", "expr": "a +", "condition": "dept > 1"},
            {"order": 30, "name": "c", "expr": "d"},
            {"order": 40, "name": "d", "expr": "c"},
        ],
    )
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    assert call(["formula", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "step 'a' (expr), line 1, column 1: unknown name 'salry' (did you mean 'salary'?)" in err
    assert "step 'b' (expr), line 1, column 4: the expression ends too early" in err
    assert "step 'b' (condition), line 1, column 1: cannot compare a text with a number" in err
    assert "steps form a cycle: c -> d -> c" in err


def test_run_with_invalid_plan_exits_2(tmp_path, files, capsys):
    _, _, data = files
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    assert call(["formula", "run", "--plan", str(path), "--input", str(data), "--output", str(tmp_path / "o.csv")]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("e9,12x,1,a,2020-01-01,true,1", "row 5 (line 6 of the file), column 'salary': '12x' is not a decimal number"),
        ("e9,1,1.5,a,2020-01-01,true,1", "column 'score': '1.5' is not a whole number"),
        ("e9,1,1,a,2020-13-01,true,1", "column 'start': '2020-13-01' is not a date (YYYY-MM-DD)"),
        ("e9,1,1,a,2020-01-01,yes,1", "column 'active': 'yes' is not a boolean"),
        ("e9,,1,a,2020-01-01,true,1", "column 'salary': an empty cell is not a decimal number"),
        ("e9," + "9" * 29 + ",1,a,2020-01-01,true,1", "at most 28 digits before the point"),
        ("e1,1,1,a,2020-01-01,true,1", "employee_ref 'e1' appears more than once"),
        (",1,1,a,2020-01-01,true,1", "column 'employee_ref': an empty cell"),
        ("e9,1e5,1,a,2020-01-01,true,1", "'1e5' is not a decimal number"),
    ],
)
def test_malformed_cell_names_row_and_column(tmp_path, files, capsys, row, message):
    _, plan, _ = files
    data = tmp_path / "bad.csv"
    data.write_text(
        DATA.replace(",extra", "")
        .replace(",x\n", "\n")
        .replace(",y\n", "\n")
        .replace(",z\n", "\n")
        .replace(",\n", "\n")
        + row
        + "\n"
    )
    assert call(["formula", "run", "--plan", str(plan), "--input", str(data), "--output", str(tmp_path / "o.csv")]) == 2
    assert message in capsys.readouterr().err


def test_missing_column_and_missing_file(tmp_path, files, capsys):
    _, plan, _ = files
    data = tmp_path / "d.csv"
    data.write_text("employee_ref,salary\ne1,1\n")
    assert call(["formula", "run", "--plan", str(plan), "--input", str(data), "--output", str(tmp_path / "o.csv")]) == 2
    assert "the header lacks the column(s): score, dept, start, active, prev" in capsys.readouterr().err
    assert (
        call(
            [
                "formula",
                "run",
                "--plan",
                str(plan),
                "--input",
                str(tmp_path / "nope.csv"),
                "--output",
                str(tmp_path / "o.csv"),
            ]
        )
        == 2
    )
    assert call(["formula", "check", str(tmp_path / "nope.json")]) == 2


def test_module_runs_as_a_process(files):
    tmp, plan, data = files
    out = tmp / "p.csv"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli.formula",
            "formula",
            "run",
            "--plan",
            str(plan),
            "--input",
            str(data),
            "--output",
            str(out),
            "--engine",
            "reference",
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("employee_ref,base,mult,growth,bonus,share,error\n")


def test_cli_module_imports_only_the_engine():
    code = (
        "import sys, app.cli.formula, engine.formula.tape, engine.formula.snapshot; bad = [m for m in "
        "sys.modules if m.split('.')[0] in "
        "('models', 'workers', 'reflex', 'sqlmodel', 'sqlalchemy', 'arq', 'redis')]; print(bad)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[3]
    )
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr
