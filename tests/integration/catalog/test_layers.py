"""The catalog's pages and REST routes only call its queries and actions: no module under
app/web/catalog or app/api/catalog imports the ORM, a tables module or `tenant_session`
(the transaction belongs to models/catalog/{queries,price_queries,deep_link,actions}.py)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = ("sqlalchemy", "sqlmodel", "models.catalog.tables", "models.core.tables", "models.core.db")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_catalog_entry_points_never_touch_the_orm():
    files = sorted((ROOT / "app/web/catalog").glob("*.py")) + sorted((ROOT / "app/api/catalog").glob("*.py"))
    assert len(files) >= 10
    offenders = {str(f.relative_to(ROOT)): sorted(i for i in _imports(f) if i.startswith(FORBIDDEN)) for f in files}
    assert {f: i for f, i in offenders.items() if i} == {}
    assert not [f for f in files if "tenant_session" in f.read_text()]


def test_no_catalog_source_file_is_over_600_lines():
    folders = ("app/web/catalog", "app/api/catalog", "models/catalog", "engine/catalog")
    sizes = {
        str(f.relative_to(ROOT)): len(f.read_text().splitlines()) for d in folders for f in (ROOT / d).glob("*.py")
    }
    assert {f: n for f, n in sizes.items() if n > 600} == {}
    assert len((ROOT / "app/web/kit/forms.py").read_text().splitlines()) <= 600
