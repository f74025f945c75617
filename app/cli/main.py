"""`pharos`: one command line for running, migrating, seeding and checking PharOS.

Every subcommand has --help, exits 0 on success and 2 with a clear message on bad usage or bad
input. Domain errors are printed as one line, never as a stack trace.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.cli.errors import CliError
from engine.errors import DomainError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's default is exit 2 too; keep it but tidy
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    from app.cli import admin, formula, imports, run, users

    parser = _Parser(prog="pharos", description="PharOS operations platform")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    run.register(sub)
    admin.register(sub)
    users.register(sub)
    formula.register(sub)
    imports.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"pharos: {exc}", file=sys.stderr)
        return exc.status
    except DomainError as exc:
        fields = "".join(f"\n  {k}: {v}" for k, v in exc.fields.items())
        print(f"pharos: {exc.message}{fields}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
