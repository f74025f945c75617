"""Re-running detection never duplicates an alert: new evidence attaches to the open alert.

Pure planning: given the open alerts (one per (dealer_id, sku_id, rule) — the table's partial
unique index guarantees it) and a scan's candidates, decide per key to create, attach or leave.
Impact on attach depends on what the rule measures:

- flows (MAP/MRP lost margin): the alert's impact grows by the contributions of the *new* rows
  only, so a row seen by two overlapping scans counts once;
- stocks (undercut exposure, dead-stock carrying value): the latest scan's value replaces the old.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from engine.errors import Conflict
from engine.margin.frames import PRICE_RULES
from engine.margin.impact import exact_sum

Key = tuple[str, str, str]  # (dealer_id, sku_id, rule)


@dataclass(frozen=True, slots=True)
class OpenAlert:
    id: str
    dealer_id: str
    sku_id: str
    rule: str
    impact: Decimal
    evidence_ids: frozenset[str]

    @property
    def key(self) -> Key:
        return (self.dealer_id, self.sku_id, self.rule)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate alert; `evidence` maps each evidence id to its row's impact contribution."""

    dealer_id: str
    sku_id: str
    rule: str
    impact: Decimal
    evidence: Mapping[str, Decimal]
    data: Mapping[str, object] = field(default_factory=dict)  # the rest of the candidate row

    @property
    def key(self) -> Key:
        return (self.dealer_id, self.sku_id, self.rule)


@dataclass(frozen=True, slots=True)
class Create:
    candidate: Candidate


@dataclass(frozen=True, slots=True)
class Attach:
    """Add `new_evidence_ids` to alert `alert_id` and set its impact to `impact`."""

    alert_id: str
    candidate: Candidate
    new_evidence_ids: tuple[str, ...]
    impact: Decimal


@dataclass(frozen=True, slots=True)
class Plan:
    creates: tuple[Create, ...]
    attaches: tuple[Attach, ...]
    unchanged: tuple[str, ...]  # alert ids the scan confirmed without news


def plan(open_alerts: Iterable[OpenAlert], candidates: Iterable[Candidate]) -> Plan:
    """Decide per candidate key: create, attach (new rows or a new stock value) or leave alone."""
    by_key: dict[Key, OpenAlert] = {}
    for alert in open_alerts:
        if alert.key in by_key:
            raise Conflict(f"two open alerts for {alert.key}: {by_key[alert.key].id}, {alert.id}")
        by_key[alert.key] = alert
    creates: list[Create] = []
    attaches: list[Attach] = []
    unchanged: list[str] = []
    seen: set[Key] = set()
    for cand in sorted(candidates, key=lambda c: (c.rule, c.dealer_id, c.sku_id)):
        if cand.key in seen:
            raise Conflict(f"two candidates for {cand.key}")
        seen.add(cand.key)
        alert = by_key.get(cand.key)
        if alert is None:
            creates.append(Create(cand))
            continue
        new_ids = tuple(sorted(set(cand.evidence) - alert.evidence_ids))
        if cand.rule in PRICE_RULES:
            impact = exact_sum([alert.impact, *(cand.evidence[i] for i in new_ids)])
        else:
            impact = cand.impact
        if new_ids or impact != alert.impact:
            attaches.append(Attach(alert.id, cand, new_ids, impact))
        else:
            unchanged.append(alert.id)
    return Plan(tuple(creates), tuple(attaches), tuple(unchanged))


def candidates_from_frames(alerts: pl.DataFrame, evidence: pl.DataFrame) -> list[Candidate]:
    """Detection output (ALERT_SCHEMA + EVIDENCE_SCHEMA frames) as Candidates."""
    grouped = evidence.group_by("dealer_id", "sku_id", "rule").agg("evidence_id", "impact")  # frame order kept
    contributions: dict[Key, dict[str, Decimal]] = {
        (dealer, sku, rule): dict(zip(ids, impacts, strict=True))
        for dealer, sku, rule, ids, impacts in grouped.iter_rows()
    }
    out = []
    for row in alerts.iter_rows(named=True):
        key = (row["dealer_id"], row["sku_id"], row["rule"])
        out.append(
            Candidate(row["dealer_id"], row["sku_id"], row["rule"], row["impact"], contributions.get(key, {}), row)
        )
    return out
