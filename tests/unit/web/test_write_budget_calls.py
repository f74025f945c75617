"""Every page handler that writes spends the write budget first: it runs the write through
`app.web.kit.calls.write` (or `call(..., writes=True)`), never through `asyncio.to_thread` or a
direct call. Read from the source (AST), so a new page is checked without being listed here.

A *writer* is a function of app/web whose body uses a module's `actions` (other than the read-only
ones below), a function that uses a writer, or a hook whose contract is to write
(`_record_decision` of DecisionDialogMixin, `save` of a FormSpec).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
WEB = ROOT / "app" / "web"
READ_ONLY_ACTIONS = {"org_type", "resolve_price"}  # live in actions.py but change nothing
WRITE_HOOKS = {"_record_decision", "save"}


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(), str(path)) for path in sorted(WEB.rglob("*.py"))}


def _action_names(tree: ast.Module) -> set[str]:
    """Names bound to a module's actions: `from models.m import actions` (or `ledger_actions`),
    `from models.m.actions import x`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("models."):
            for alias in node.names:
                module = (node.module or "").rsplit(".", 1)[-1]
                if alias.name.endswith("actions") or module.endswith("actions"):
                    names.add(alias.asname or alias.name)
    return names


def _module_actions() -> set[str]:
    """The functions every models/<module>/actions.py (and *_actions.py) defines, less the read-only ones."""
    names = set()
    for path in ROOT.glob("models/*/*actions.py"):
        names |= {n.name for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef)}
    return names - READ_ONLY_ACTIONS


def _uses_action(node: ast.AST, action_names: set[str]) -> bool:
    defined = _module_actions()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            if sub.value.id in action_names and sub.attr in defined:
                return True
        elif isinstance(sub, ast.Name) and sub.id in action_names and sub.id in defined:
            return True
    return False


def _functions(tree: ast.Module):
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _terminal(expr: ast.AST) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return ""


def writers() -> set[str]:
    trees = _trees()
    found: set[str] = set()
    for tree in trees.values():
        actions = _action_names(tree)
        found |= {
            f.name for f in _functions(tree) if not isinstance(f, ast.AsyncFunctionDef) and _uses_action(f, actions)
        }
    while True:  # plain helpers that call a writer by name
        more = {
            f.name
            for tree in trees.values()
            for f in _functions(tree)
            if not isinstance(f, ast.AsyncFunctionDef)
            and f.name not in found
            and any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in found for n in ast.walk(f)
            )
        }
        if not more:
            return found | WRITE_HOOKS
        found |= more


def _bypasses(path: Path, tree: ast.Module, writing: set[str]) -> list[str]:
    problems = []
    where = f"{path.relative_to(WEB.parent.parent)}"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = _terminal(node.func)
        if func == "to_thread" and node.args and _terminal(node.args[0]) in writing:
            problems.append(
                f"{where}:{node.lineno}: asyncio.to_thread({_terminal(node.args[0])}) skips the write budget"
            )
        flagged = any(k.arg == "writes" and getattr(k.value, "value", None) is True for k in node.keywords)
        if func == "call" and len(node.args) > 1 and _terminal(node.args[1]) in writing and not flagged:
            problems.append(f"{where}:{node.lineno}: call(..., {_terminal(node.args[1])}) needs writes=True")
    for fn in _functions(tree):
        if not isinstance(fn, ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):  # a handler calling a writer directly (blocking, and unbudgeted)
            if isinstance(node, ast.Call) and _terminal(node.func) in writing and _terminal(node.func) != "write":
                problems.append(f"{where}:{node.lineno}: {fn.name} calls {_terminal(node.func)} directly")
    return problems


def test_the_writers_are_found():
    found = writers()
    for expected in ("change_listing", "create_task", "patch_task", "do_start", "do_cancel", "do_create"):
        assert expected in found, sorted(found)


def test_no_page_handler_writes_around_the_budget():
    writing = writers()
    problems = [p for path, tree in _trees().items() if path.name != "calls.py" for p in _bypasses(path, tree, writing)]
    assert problems == []


def test_the_check_sees_a_bypass():
    tree = ast.parse(
        "import asyncio\n"
        "async def h(self, ctx):\n"
        "    await asyncio.to_thread(create_task, ctx, {})\n"
        "    await call(self, do_start, ctx, 'x')\n"
        "    patch_task(ctx, 'x', {})\n"
    )
    assert len(_bypasses(WEB / "x.py", tree, writers())) == 3
