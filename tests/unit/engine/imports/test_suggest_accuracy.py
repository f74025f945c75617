"""The column suggester against 32 real-world export headers (sales and HR): ≥ 90% correct (spec §13).

Each file in tests/data/import_headers holds one export's headers, two sample rows and the mapping a
person would choose (`null`: no column feeds that field). A field counts as correct when the
suggester proposes exactly that column, or proposes nothing where nothing is expected.
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.imports.suggest import suggest
from engine.imports.types import detect_column
from tests.support.import_targets import BY_NAME

DATA = Path(__file__).parents[3] / "data" / "import_headers"


def score_set(path: Path) -> tuple[int, int, list[str]]:
    case = json.loads(path.read_text())
    target = BY_NAME[case["target"]]
    header, rows = case["headers"], case["rows"]
    columns = [detect_column(h, [(i + 2, row[c]) for i, row in enumerate(rows)]) for c, h in enumerate(header)]
    got = {s.target: s.column for s in suggest(target, header, columns)}
    misses = [
        f"{path.stem}: {f.name} expected {case['expected'].get(f.name)!r} got {got.get(f.name)!r}"
        for f in target.fields
        if got.get(f.name) != case["expected"].get(f.name)
    ]
    return len(target.fields) - len(misses), len(target.fields), misses


def accuracy() -> tuple[float, list[str]]:
    right = total = 0
    misses: list[str] = []
    for path in sorted(DATA.glob("*.json")):
        ok, count, missed = score_set(path)
        right, total, misses = right + ok, total + count, misses + missed
    return right / total, misses


def test_the_test_set_is_large_enough():
    assert len(list(DATA.glob("*.json"))) >= 30


def test_suggestions_are_at_least_90_percent_right():
    figure, misses = accuracy()
    print(f"mapping accuracy: {figure:.3f}")
    assert figure >= 0.90, "\n".join(misses)


if __name__ == "__main__":
    figure, misses = accuracy()
    print("\n".join(misses))
    print(f"mapping accuracy: {figure:.3f}")
