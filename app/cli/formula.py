"""`pharos formula run|check`: the offline formula engine for plan authors, test vectors and CI.

Exit status: 0 when everything worked, 2 for an invalid plan or unreadable input (each problem printed
with its step, line and column, or its row and column). Imports only the pure engine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from engine.formula import reference, table, vectorized
from engine.formula.errors import FormulaError, InputDataError, PlanError
from engine.formula.plan import loads
from engine.formula.validator import CompiledPlan, validate

EXIT_OK = 0
EXIT_INVALID = 2


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `formula` command group (run, check) to the main CLI's subparsers."""
    group = subparsers.add_parser("formula", help="validate and run bonus plan formulas offline")
    sub = group.add_subparsers(dest="formula_command", metavar="{run,check}")
    sub.required = True

    run = sub.add_parser("run", help="evaluate a plan over a CSV of employees and write the results")
    run.add_argument("--plan", required=True, type=Path, help="PLAN.json")
    run.add_argument("--input", required=True, type=Path, help="DATA.csv with employee_ref and the plan's inputs")
    run.add_argument("--output", required=True, type=Path, help="OUT.csv to write")
    run.add_argument("--engine", choices=("vectorized", "reference"), default="vectorized")
    run.set_defaults(func=cmd_run)

    check = sub.add_parser("check", help="validate a plan without running it")
    check.add_argument("plan", type=Path, help="PLAN.json")
    check.set_defaults(func=cmd_check)
    return group


def _load_plan(path: Path) -> CompiledPlan:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([]) from exc
    return validate(loads(text))


def _report_plan_error(path: Path, exc: PlanError) -> int:
    if not exc.issues:
        cause = exc.__cause__
        print(f"error: cannot read plan {path}: {cause}", file=sys.stderr)
        return EXIT_INVALID
    print(
        f"error: plan {path} is invalid ({len(exc.issues)} problem{'s' if len(exc.issues) != 1 else ''}):",
        file=sys.stderr,
    )
    for issue in exc.issues:
        print(f"  {issue}", file=sys.stderr)
    return EXIT_INVALID


def _plan_or_exit(path: Path) -> CompiledPlan | int:
    """The validated plan, or the exit status after its problems were printed."""
    try:
        return _load_plan(path)
    except PlanError as exc:
        return _report_plan_error(path, exc)


def cmd_check(args: argparse.Namespace) -> int:
    compiled = _plan_or_exit(args.plan)
    if isinstance(compiled, int):
        return compiled
    plan = compiled.plan
    print(f"ok: plan '{plan.name}' version {plan.version}: {len(compiled.steps)} steps")
    print(f"evaluation order: {', '.join(s.name for s in compiled.steps)}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    compiled = _plan_or_exit(args.plan)
    if isinstance(compiled, int):
        return compiled
    try:
        data = args.input.read_bytes()
    except OSError as exc:
        print(f"error: cannot read input {args.input}: {exc.strerror}", file=sys.stderr)
        return EXIT_INVALID
    try:
        frame = table.read_csv(data, compiled)
    except InputDataError as exc:
        print(f"error: input {args.input}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    started = time.perf_counter()
    try:
        engine = reference if args.engine == "reference" else vectorized
        result = engine.run(compiled, frame)
    except FormulaError as exc:  # defensive: engines report row errors as data, not exceptions
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    elapsed = time.perf_counter() - started
    try:
        table.write_csv(result, args.output)
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return EXIT_INVALID
    print(
        f"wrote {args.output}: {frame.height} rows, {result.error_count} row error(s), "
        f"{args.engine} engine, {elapsed:.3f} s"
    )
    for ref, err in result.error_rows().head(20).iter_rows():
        print(f"  row error: {ref}: {err}")
    if result.error_count > 20:
        print(f"  … and {result.error_count - 20} more")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (python -m app.cli.formula …) until the main CLI wires us in."""
    parser = argparse.ArgumentParser(prog="pharos")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
