"""Price rules, requests and the explained result of a resolution (pure data, no I/O).

Ids are plain strings here (the models layer passes `str(uuid)`), money is `Decimal` at scale 10,
and every instant is timezone-aware. A rule is effective on the half-open window
`[effective_from, effective_to)`; `effective_to=None` means open-ended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from typing import Any

from engine.errors import ValidationFailed

SCALE = 10
QUANTUM = Decimal(1).scaleb(-SCALE)
MAX_AMOUNT = Decimal(10) ** 28 - QUANTUM
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PRICE_BOOK_KINDS = ("list", "map", "mrp", "cost", "promo_map")


class Level(IntEnum):
    """Precedence steps; a lower value is more specific and wins."""

    ORG_CHANNEL = 1
    CHANNEL = 2
    ORG = 3
    GLOBAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def of(cls, org_id: str | None, channel_id: str | None) -> Level:
        if org_id is not None and channel_id is not None:
            return cls.ORG_CHANNEL
        if channel_id is not None:
            return cls.CHANNEL
        if org_id is not None:
            return cls.ORG
        return cls.GLOBAL


LEVEL_DESCRIPTIONS = {
    Level.ORG_CHANNEL: "rule for this organization on this channel",
    Level.CHANNEL: "rule for this channel, any organization",
    Level.ORG: "rule for this organization, any channel",
    Level.GLOBAL: "rule for every organization and channel",
}

# Outcome and reason codes of a candidate in the explanation.
WINNER = "winner"
OUTRANKED = "outranked"
EXCLUDED = "excluded"

R_WINNER = "winner"
R_OTHER_SKU = "other_sku"
R_OTHER_KIND = "other_kind"
R_OTHER_ORG = "other_org"
R_OTHER_CHANNEL = "other_channel"
R_CURRENCY = "currency_mismatch"
R_NOT_YET = "not_yet_effective"
R_EXPIRED = "expired"
R_LOWER_PRECEDENCE = "lower_precedence"
R_LOWER_PRIORITY = "lower_priority"
R_EARLIER_FROM = "earlier_effective_from"
R_HIGHER_ID = "higher_rule_id"

TIE_BREAK_RULE = (
    "Among effective rules at the same precedence step the higher priority wins, then the later "
    "effective_from, then the lexicographically smallest rule id."
)


def require_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationFailed(f"{name} must be a timestamp", fields={name: "not a timestamp"})
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationFailed(f"{name} must carry a time zone", fields={name: "timezone required"})
    return value.astimezone(UTC)


def money(value: Any, name: str = "amount") -> Decimal:
    """An exact scale-10 Decimal; floats are refused (they are never money here)."""
    if isinstance(value, (float, bool)):
        raise ValidationFailed(f"{name} must be a decimal string or Decimal, not a float", fields={name: "not exact"})
    try:
        amount = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationFailed(f"{name} is not a number", fields={name: "not a number"}) from exc
    if not amount.is_finite():
        raise ValidationFailed(f"{name} must be finite", fields={name: "not finite"})
    if amount < 0:
        raise ValidationFailed(f"{name} must not be negative", fields={name: "negative"})
    if amount > MAX_AMOUNT:
        raise ValidationFailed(f"{name} has more than 28 digits before the point", fields={name: "too large"})
    if amount != amount.quantize(QUANTUM):
        raise ValidationFailed(f"{name} has more than {SCALE} decimals", fields={name: "too many decimals"})
    return amount.quantize(QUANTUM)


def currency_code(value: str, name: str = "currency") -> str:
    if not isinstance(value, str) or not CURRENCY_RE.match(value):
        raise ValidationFailed(f"{name} must be a 3-letter ISO code in capitals, e.g. USD", fields={name: "invalid"})
    return value


def book_kind(value: str, name: str = "kind") -> str:
    if value not in PRICE_BOOK_KINDS:
        raise ValidationFailed(f"{name} must be one of {', '.join(PRICE_BOOK_KINDS)}", fields={name: "invalid"})
    return value


@dataclass(frozen=True, slots=True)
class PriceRule:
    """One price for one SKU, optionally narrowed to an organization and/or a channel.

    `kind` and `currency` come from the rule's price book.
    """

    id: str
    sku_id: str
    amount: Decimal
    currency: str
    effective_from: datetime
    effective_to: datetime | None = None
    org_id: str | None = None
    channel_id: str | None = None
    priority: int = 0
    kind: str = "list"
    price_book_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", money(self.amount))
        currency_code(self.currency)
        book_kind(self.kind)
        start = require_aware(self.effective_from, "effective_from")
        object.__setattr__(self, "effective_from", start)
        if self.effective_to is not None:
            end = require_aware(self.effective_to, "effective_to")
            if end <= start:
                raise ValidationFailed(
                    "effective_to must be after effective_from", fields={"effective_to": "not after effective_from"}
                )
            object.__setattr__(self, "effective_to", end)
        if isinstance(self.priority, bool) or not isinstance(self.priority, int):
            raise ValidationFailed("priority must be an integer", fields={"priority": "not an integer"})

    @property
    def level(self) -> Level:
        return Level.of(self.org_id, self.channel_id)

    def effective_at(self, at: datetime) -> bool:
        return self.effective_from <= at and (self.effective_to is None or at < self.effective_to)

    def rank_key(self) -> tuple[int, int, int, str]:
        """Sort key: smaller is better (precedence step, then the tie-break)."""
        return (int(self.level), -self.priority, -micros(self.effective_from), self.id)


@dataclass(frozen=True, slots=True)
class PriceQuery:
    """What price does `sku_id` have for this org on this channel at instant `at`, in `currency`?"""

    sku_id: str
    at: datetime
    currency: str
    kind: str = "list"
    org_id: str | None = None
    channel_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", require_aware(self.at, "at"))
        currency_code(self.currency)
        book_kind(self.kind)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One rule as the resolver saw it: its outcome and the reason, as a code and a sentence."""

    rule: PriceRule
    outcome: str
    reason: str
    detail: str
    level: Level | None

    def to_dict(self) -> dict[str, Any]:
        r = self.rule
        return {
            "rule_id": r.id,
            "price_book_id": r.price_book_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "detail": self.detail,
            "level": self.level.label if self.level else None,
            "amount": str(r.amount),
            "currency": r.currency,
            "kind": r.kind,
            "org_id": r.org_id,
            "channel_id": r.channel_id,
            "priority": r.priority,
            "effective_from": _iso(r.effective_from),
            "effective_to": _iso(r.effective_to) if r.effective_to else None,
        }


@dataclass(frozen=True, slots=True)
class Resolution:
    """The price (or none) and the full explanation of how it was chosen."""

    query: PriceQuery
    price: Decimal | None
    rule_id: str | None
    level: Level | None
    decided_by: str
    summary: str
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)

    @property
    def found(self) -> bool:
        return self.price is not None

    @property
    def winner(self) -> Candidate | None:
        return next((c for c in self.candidates if c.outcome == WINNER), None)

    def to_dict(self) -> dict[str, Any]:
        q = self.query
        return {
            "query": {
                "sku_id": q.sku_id,
                "org_id": q.org_id,
                "channel_id": q.channel_id,
                "at": _iso(q.at),
                "currency": q.currency,
                "kind": q.kind,
            },
            "found": self.found,
            "price": str(self.price) if self.price is not None else None,
            "currency": q.currency,
            "rule_id": self.rule_id,
            "price_book_id": self.winner.rule.price_book_id if self.winner else None,
            "level": self.level.label if self.level else None,
            "decided_by": self.decided_by,
            "summary": self.summary,
            "tie_break_rule": TIE_BREAK_RULE,
            "candidates": [c.to_dict() for c in self.candidates],
        }


def micros(moment: datetime) -> int:
    """Exact integer microseconds since the epoch (no float rounding)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
