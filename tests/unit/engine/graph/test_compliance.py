"""The operator-graph spec's compliance list, held everywhere the module speaks (schema, API, pages,
seed): no MLM, recruiting or earnings terms, and no hierarchy fields."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
MODULE_FILES = [
    *ROOT.glob("engine/graph/*.py"),
    *ROOT.glob("models/graph/*.py"),
    *ROOT.glob("app/api/graph/*.py"),
    *ROOT.glob("app/web/graph/*.py"),
    ROOT / "seeds/graph.py",
    ROOT / "alembic/versions/0019_graph.py",
]
FORBIDDEN = re.compile(
    r"\b(mlm|multi[- ]level|downlines?|uplines?|recruit\w*|sponsor\w*|earnings?|income|commissions?|"
    r"payouts?|bonus\w*|compensation|pyramid|parent_id|parent_participant\w*|levels?|ranks?|tiers?|genealogy)\b",
    re.IGNORECASE,
)


def test_no_forbidden_term_in_the_module():
    found = [
        f"{path.relative_to(ROOT)}:{n}: {m.group(0)}"
        for path in MODULE_FILES
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        for m in FORBIDDEN.finditer(line)
    ]
    assert len(MODULE_FILES) > 20 and found == []
