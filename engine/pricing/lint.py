"""Overlap linter: rules that compete at the same precedence step during a shared window.

Two rules conflict when they price the same SKU, in the same book kind and currency, for the same
org/channel scope (so the same precedence step for every request they both match), and their
windows `[from, to)` intersect. The resolver still picks one deterministically (see
TIE_BREAK_RULE); the linter says which and by what criterion, so an author can see a rule that is
shadowed by accident. Severity: "ambiguous" when only the rule id separates them (same priority and
same start: a real conflict), "warning" when priority decides, "info" when the later effective_from
decides (the usual way to change a price: add a rule that supersedes an open-ended one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.pricing.model import Level, PriceRule, _iso


@dataclass(frozen=True, slots=True)
class Overlap:
    first: PriceRule
    second: PriceRule
    overlap_from: datetime
    overlap_to: datetime | None
    winner_id: str
    resolved_by: str
    severity: str

    @property
    def level(self) -> Level:
        return self.first.level

    def involves(self, rule_id: str) -> bool:
        return rule_id in (self.first.id, self.second.id)

    def to_dict(self) -> dict[str, Any]:
        a, b = self.first, self.second
        return {
            "rule_ids": [a.id, b.id],
            "sku_id": a.sku_id,
            "kind": a.kind,
            "currency": a.currency,
            "org_id": a.org_id,
            "channel_id": a.channel_id,
            "level": self.level.label,
            "overlap_from": _iso(self.overlap_from),
            "overlap_to": _iso(self.overlap_to) if self.overlap_to else None,
            "winner_id": self.winner_id,
            "resolved_by": self.resolved_by,
            "severity": self.severity,
            "message": (
                f"rules {a.id} and {b.id} both price SKU {a.sku_id} at step '{self.level.label}' from "
                f"{_iso(self.overlap_from)} to {_iso(self.overlap_to) if self.overlap_to else 'open end'}; "
                f"{self.winner_id} wins by {self.resolved_by.replace('_', ' ')}"
            ),
        }


SEVERITY = {"rule_id": "ambiguous", "priority": "warning", "effective_from": "info"}


def _scope(rule: PriceRule) -> tuple:
    return (rule.sku_id, rule.kind, rule.currency, rule.org_id or "", rule.channel_id or "")


def _pair(a: PriceRule, b: PriceRule) -> Overlap:
    start = max(a.effective_from, b.effective_from)
    ends = [e for e in (a.effective_to, b.effective_to) if e is not None]
    end = min(ends) if ends else None
    winner, loser = sorted((a, b), key=PriceRule.rank_key)
    if winner.priority != loser.priority:
        resolved = "priority"
    elif winner.effective_from != loser.effective_from:
        resolved = "effective_from"
    else:
        resolved = "rule_id"
    first, second = sorted((a, b), key=lambda r: r.id)
    return Overlap(first, second, start, end, winner.id, resolved, SEVERITY[resolved])


def find_overlaps(rules: Iterable[PriceRule]) -> list[Overlap]:
    """Every conflicting pair, sorted by scope, overlap start and rule ids (deterministic)."""
    groups: dict[tuple, list[PriceRule]] = defaultdict(list)
    for rule in rules:
        groups[_scope(rule)].append(rule)
    found: list[Overlap] = []
    for scope in sorted(groups):
        members = sorted(groups[scope], key=lambda r: (r.effective_from, r.id))
        for i, rule in enumerate(members):
            for other in members[i + 1 :]:
                if rule.effective_to is not None and other.effective_from >= rule.effective_to:
                    break  # sorted by start: no later rule can overlap `rule`
                found.append(_pair(rule, other))
    found.sort(key=lambda o: (_scope(o.first), o.overlap_from, o.first.id, o.second.id))
    return found


def overlaps_with(rule: PriceRule, others: Iterable[PriceRule]) -> list[Overlap]:
    """Conflicts the (new) `rule` has with `others` (for the warning returned when saving it)."""
    peers = [o for o in others if o.id != rule.id and _scope(o) == _scope(rule)]
    return [o for o in find_overlaps([rule, *peers]) if o.involves(rule.id)]
