"""Channel catalog versions as sets of listed offerings: next contents and diffs (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import ValidationFailed


@dataclass(frozen=True)
class CatalogDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"added": list(self.added), "removed": list(self.removed), "unchanged": list(self.unchanged)}


def _dupes(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({i for i in ids if i in seen or seen.add(i)})


def next_listing(current: Iterable[str], change: str, offering_ids: list[str]) -> list[str]:
    """Offerings listed after `change` ("publish" adds, "unlist" removes); refuses no-op changes."""
    if not offering_ids:
        raise ValidationFailed("name at least one offering", fields={"offering_ids": "empty"})
    dupes = _dupes(offering_ids)
    if dupes:
        raise ValidationFailed(f"offerings named twice: {', '.join(dupes)}", fields={"offering_ids": "duplicates"})
    listed = set(current)
    if change == "publish":
        already = sorted(set(offering_ids) & listed)
        if already:
            raise ValidationFailed(
                f"already listed in the current version: {', '.join(already)}",
                fields={"offering_ids": "already listed"},
            )
        return sorted(listed | set(offering_ids))
    if change == "unlist":
        missing = sorted(set(offering_ids) - listed)
        if missing:
            raise ValidationFailed(
                f"not listed in the current version: {', '.join(missing)}", fields={"offering_ids": "not listed"}
            )
        return sorted(listed - set(offering_ids))
    raise ValueError(f"unknown catalog change {change!r}")


def diff(old: Iterable[str], new: Iterable[str]) -> CatalogDiff:
    a, b = set(old), set(new)
    return CatalogDiff(tuple(sorted(b - a)), tuple(sorted(a - b)), tuple(sorted(a & b)))


def diff_items(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Diff of two versions given as {offering_id: item}; items are carried for display."""
    d = diff(old.keys(), new.keys())
    return {
        "added": [new[i] for i in d.added],
        "removed": [old[i] for i in d.removed],
        "unchanged": [new[i] for i in d.unchanged],
    }
