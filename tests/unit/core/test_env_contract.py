"""The environment contract is frozen in `.env.example`: every variable the product reads is listed
there, and every listed variable is read somewhere (spec: ".env.example matches exactly").

Reads are found in the source, not guessed: `os.environ.get("X")`, `os.environ["X"]`,
`os.getenv("X")`, `_env_float("X", …)` and `_seconds("X", …)` (models/core/settings.py), in every module
the product ships (tests and benchmarks excluded)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ["app", "models", "workers", "engine", "seeds", "rxconfig.py"]
NOT_OURS = {"PATH"}  # the process's own search path, passed on to bun


def _reads(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            if _is_env_reader(node.func):
                key = node.args[0].value
        elif (
            isinstance(node, ast.Subscript)
            and _is_environ_or_os(node.value)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.ctx, ast.Load)
        ):
            key = node.slice.value
        if isinstance(key, str):
            names.add(key)
    return names


def _is_env_reader(func: ast.AST) -> bool:
    """os.environ.get / os.getenv / workers.main._env_float / models.settings._seconds."""
    if isinstance(func, ast.Attribute):
        return func.attr in ("get", "getenv") and _is_environ_or_os(func.value)
    return isinstance(func, ast.Name) and func.id in ("_env_float", "_seconds")


def _is_environ_or_os(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "os"
    )


def read_by_code() -> set[str]:
    files = []
    for entry in SHIPPED:
        path = ROOT / entry
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    names: set[str] = set()
    for file in files:
        names |= _reads(ast.parse(file.read_text(), filename=str(file)))
    return names - NOT_OURS


def listed_in_example() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, sep, _ = line.partition("=")
            assert sep, f".env.example: {line!r} is not NAME=value"
            names.add(name.strip())
    return names


def test_every_variable_read_is_listed_and_every_listed_one_is_read():
    read, listed = read_by_code(), listed_in_example()
    assert read - listed == set(), "read by the code but missing from .env.example"
    assert listed - read == set(), "listed in .env.example but read nowhere"


def test_the_scanner_sees_each_form_of_read():
    tree = ast.parse(
        "import os\n"
        "a = os.environ.get('A')\nb = os.environ['B']\nc = os.getenv('C')\nd = _env_float('D', 1.0)\n"
        "e = _seconds('F', 1.0)\nos.environ['E'] = 'written, not read'\n"
    )
    assert _reads(tree) == {"A", "B", "C", "D", "F"}
