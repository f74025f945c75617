"""Finding a package's modules by convention, so each layer registers every module's parts without
a hand-kept list (pages, routers, job kinds and tables register themselves when imported)."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def import_tree(package: str, *, leaf: str | None = None) -> list[ModuleType]:
    """Import `package` and every module below it (only those named `leaf`, when given), in name
    order; return them (the package first)."""
    root = importlib.import_module(package)
    found = [root]
    path = getattr(root, "__path__", None)
    if path is None:
        return found
    for info in sorted(pkgutil.walk_packages(path, prefix=f"{package}."), key=lambda i: i.name):
        if leaf is None or info.name.rsplit(".", 1)[-1] == leaf:
            found.append(importlib.import_module(info.name))
    return found


def module_parts(packages: tuple[str, ...], leaf: str, attr: str) -> list:
    """`attr` of every `<package>.<leaf>` module that exists (e.g. each module's PROVIDERS in
    models/<module>/search_providers.py), concatenated in `packages` order."""
    found: list = []
    for package in packages:
        name = f"{package}.{leaf}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found += list(getattr(module, attr))
    return found
