"""Display rows of the pricing page: books, rules, overlap warnings and pickers from the pricing
overview; the "why this price?" answer from an explained resolution; a deep link's prefill; and the
sentence on whether a linked rule won. Each data function calls one catalog query (run it in a
worker thread)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from app.web.kit.forms import NONE, optional
from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.catalog import price_queries
from models.catalog.deep_link import LinkQuery, resolve_link
from models.catalog.queries import Option


@dataclass(frozen=True)
class BookRow:
    id: str
    name: str
    kind: str
    currency: str
    label: str  # "name · MAP INR", for the pickers


@dataclass(frozen=True)
class RuleRow:
    id: str
    book: str
    sku: str  # its code
    org: str  # a name, or "any"
    channel: str  # a name, or "any"
    amount: str
    currency: str
    starts: str  # "YYYY-MM-DD HH:MM" (UTC)
    ends: str  # the same, or "open"
    priority: str
    overlap: bool  # named in an overlap warning


@dataclass(frozen=True)
class RuleWarning:
    severity: str
    message: str


@dataclass(frozen=True)
class PricingView:
    books: list[BookRow]
    rules: list[RuleRow]
    conflicts: list[RuleWarning]  # ambiguous and warning ones (never info)
    skus: list[Option]
    orgs: list[Option]
    channels: list[Option]


@dataclass(frozen=True)
class CandidateRow:
    """One candidate rule of an explained resolution, with its outcome and why."""

    id: str
    rule_id: str  # the id's first 8 characters
    outcome: str  # winner, outranked or excluded
    reason: str
    detail: str
    level: str
    amount: str
    org: str
    window: str
    priority: str


@dataclass(frozen=True)
class Answer:
    winner: str  # the winning rule's id, "" for none
    summary: str
    price: str
    level: str
    candidates: list[CandidateRow]


LINK_FIELDS = {
    "sku": "w_sku",
    "org": "w_org",
    "channel": "w_channel",
    "kind": "w_kind",
    "currency": "w_currency",
    "at": "w_at",
}


def amount_text(value: Any) -> str:
    """An exact decimal without trailing zeros: 479.00 → '479', 599.90 → '599.9'."""
    text = f"{value:f}".rstrip("0").rstrip(".") if value is not None else ""
    return text or "0"


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else "open"


def overview(ctx: TenantContext, book_id: str) -> PricingView:
    """Books, the rules of `book_id` (any other value: all books), overlap warnings and the pickers."""
    data = price_queries.pricing_overview(ctx, book_id)
    books = {b.id: b for b in data.books}
    flagged = {rid for c in data.conflicts for rid in c["rule_ids"]}

    def named(names: dict[uuid.UUID, str], key: uuid.UUID | None) -> str:
        return "any" if key is None else names.get(key, "?")

    def rule(r: Any) -> RuleRow:
        book = books.get(r.price_book_id)
        return RuleRow(
            str(r.id),
            book.name if book else "",
            data.sku_codes.get(r.sku_id, str(r.sku_id)),
            named(data.org_names, r.org_id),
            named(data.channel_names, r.channel_id),
            amount_text(r.amount),
            book.currency if book else "",
            _when(r.effective_from),
            _when(r.effective_to),
            str(r.priority),
            str(r.id) in flagged,
        )

    return PricingView(
        [
            BookRow(str(b.id), b.name, b.kind, b.currency, f"{b.name} · {b.kind.upper()} {b.currency}")
            for b in data.books
        ],
        [rule(r) for r in data.rules],
        [RuleWarning(c["severity"], c["message"]) for c in data.conflicts if c["severity"] != "info"],
        data.sku_options,
        data.org_options,
        data.channel_options,
    )


def parse_day(value: str) -> datetime:
    try:
        day = date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        raise ValidationFailed("pick a date (YYYY-MM-DD)", fields={"at": "invalid date"}) from None
    return datetime.combine(day, time.min, tzinfo=UTC)


def explain(ctx: TenantContext, form: dict[str, str]) -> Answer:
    """Run the resolver for the panel (audited) and turn the explanation into display rows."""
    at = parse_day(form.get("at", ""))
    answer = price_queries.explain(
        ctx,
        sku_id=form.get("sku_id", ""),
        org_id=optional(form, "org_id"),
        channel_id=optional(form, "channel_id"),
        currency=form.get("currency", "").strip().upper(),
        kind=form.get("kind", "map"),
        at=at,
    )
    result, names = answer.resolution, answer.org_names
    body = result.to_dict()

    def candidate(c: dict[str, Any]) -> CandidateRow:
        ends = c["effective_to"][:10] if c["effective_to"] else "open"
        return CandidateRow(
            c["rule_id"],
            c["rule_id"][:8],
            c["outcome"],
            c["reason"].replace("_", " "),
            c["detail"],
            (c["level"] or "").replace("_", " "),
            f"{amount_text(Decimal(c['amount']))} {c['currency']}",
            names.get(c["org_id"] or "", "any") if c["org_id"] else "any",
            f"{c['effective_from'][:10]} → {ends}",
            str(c["priority"]),
        )

    return Answer(
        body["rule_id"] or "",
        body["summary"],
        f"{amount_text(result.price)} {body['currency']}" if result.found else "No price",
        body["level"] or "",
        [candidate(c) for c in body["candidates"]],
    )


def deep_link(ctx: TenantContext, params: dict[str, str]) -> dict[str, Any]:
    """A deep link checked against this tenant (models.catalog.deep_link) as the panel's inputs:
    `fields` (w_sku, w_org, … only from valid parameters; no org / channel → the "none" choice),
    `problems`, `rule`, `run` and `inactive_sku` (a picker option, or None)."""
    link = resolve_link(ctx, LinkQuery.of(params))
    fields = {
        LINK_FIELDS[name]: (value or NONE) if name in ("org", "channel") else value
        for name, value in link.prefill.items()
    }
    return {
        "fields": fields,
        "problems": link.problems,
        "rule": link.rule_id,
        "run": link.run,
        "inactive_sku": link.inactive_sku,
    }


def rule_verdict(rule_id: str, answer: Answer) -> str:
    """One sentence on the linked rule: it won, or which rule beat it and why."""
    if not rule_id:
        return ""
    short = rule_id[:8]
    mine = next((r for r in answer.candidates if r.id == rule_id), None)
    winner = next((r for r in answer.candidates if r.outcome == "winner"), None)
    if mine is None:
        return f"Rule {short} is not a candidate for this query (it prices another SKU or price book kind)."
    if mine is winner:
        return f"Rule {short} is the winning rule ({mine.amount}, step {mine.level})."
    if winner is None:
        return f"No rule applies, so rule {short} did not win: {mine.reason} — {mine.detail}"
    if mine.outcome == "excluded":
        return (
            f"Rule {short} did not win: it does not apply here ({mine.reason}). {mine.detail} "
            f"The winning rule is {winner.rule_id} ({winner.amount}, step {winner.level})."
        )
    return (
        f"Rule {short} did not win ({mine.outcome}: {mine.reason}). "
        f"Rule {winner.rule_id} beat it ({winner.amount}, step {winner.level}). {mine.detail}"
    )
