"""Display rows of the pricing page: books, rules, overlap warnings and pickers from the pricing
overview; the "why this price?" answer from an explained resolution; a deep link's prefill; and the
sentence on whether a linked rule won. Each data function calls one catalog query (run it in a
worker thread)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from app.web.kit.forms import NONE, optional
from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.catalog import price_queries
from models.catalog.deep_link import LinkQuery, resolve_link

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


def overview(ctx: TenantContext, book_id: str) -> dict[str, Any]:
    """Books, the rules of `book_id` (any other value: all books), overlap warnings and the pickers."""
    data = price_queries.pricing_overview(ctx, book_id)
    books = {b.id: b for b in data.books}
    flagged = {rid for c in data.conflicts for rid in c["rule_ids"]}

    def named(names: dict[uuid.UUID, str], key: uuid.UUID | None) -> str:
        return "any" if key is None else names.get(key, "?")

    return {
        "books": [
            {
                "id": str(b.id),
                "name": b.name,
                "kind": b.kind,
                "currency": b.currency,
                "label": f"{b.name} · {b.kind.upper()} {b.currency}",
            }
            for b in data.books
        ],
        "rules": [
            {
                "id": str(r.id),
                "book": books[r.price_book_id].name if r.price_book_id in books else "",
                "sku": data.sku_codes.get(r.sku_id, str(r.sku_id)),
                "org": named(data.org_names, r.org_id),
                "channel": named(data.channel_names, r.channel_id),
                "amount": amount_text(r.amount),
                "currency": books[r.price_book_id].currency if r.price_book_id in books else "",
                "from": _when(r.effective_from),
                "to": _when(r.effective_to),
                "priority": str(r.priority),
                "overlap": "yes" if str(r.id) in flagged else "",
            }
            for r in data.rules
        ],
        "conflicts": [
            {"severity": c["severity"], "message": c["message"]} for c in data.conflicts if c["severity"] != "info"
        ],
        "skus": [{"id": o.id, "label": o.label} for o in data.sku_options],
        "orgs": [{"id": o.id, "label": o.label} for o in data.org_options],
        "channels": [{"id": o.id, "label": o.label} for o in data.channel_options],
    }


def parse_day(value: str) -> datetime:
    try:
        day = date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        raise ValidationFailed("pick a date (YYYY-MM-DD)", fields={"at": "invalid date"}) from None
    return datetime.combine(day, time.min, tzinfo=UTC)


def explain(ctx: TenantContext, form: dict[str, str]) -> dict[str, Any]:
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
    return {
        "winner": body["rule_id"] or "",
        "summary": body["summary"],
        "price": f"{amount_text(result.price)} {body['currency']}" if result.found else "No price",
        "level": body["level"] or "",
        "candidates": [
            {
                "id": c["rule_id"],
                "rule_id": c["rule_id"][:8],
                "outcome": c["outcome"],
                "reason": c["reason"].replace("_", " "),
                "detail": c["detail"],
                "level": (c["level"] or "").replace("_", " "),
                "amount": f"{amount_text(Decimal(c['amount']))} {c['currency']}",
                "org": names.get(c["org_id"] or "", "any") if c["org_id"] else "any",
                "window": f"{c['effective_from'][:10]} → {c['effective_to'][:10] if c['effective_to'] else 'open'}",
                "priority": str(c["priority"]),
            }
            for c in body["candidates"]
        ],
    }


def deep_link(ctx: TenantContext, params: dict[str, str]) -> dict[str, Any]:
    """A deep link checked against this tenant (models.catalog.deep_link) as the panel's inputs:
    `fields` (w_sku, w_org, … only from valid parameters; no org / channel → the "none" choice),
    `problems`, `rule`, `run` and `inactive_sku` (a picker option, or None)."""
    link = resolve_link(ctx, LinkQuery.of(params))
    fields = {
        LINK_FIELDS[name]: (value or NONE) if name in ("org", "channel") else value
        for name, value in link.prefill.items()
    }
    extra = link.inactive_sku
    return {
        "fields": fields,
        "problems": link.problems,
        "rule": link.rule_id,
        "run": link.run,
        "inactive_sku": {"id": extra.id, "label": extra.label} if extra else None,
    }


def rule_verdict(rule_id: str, answer: dict[str, Any]) -> str:
    """One sentence on the linked rule: it won, or which rule beat it and why."""
    if not rule_id:
        return ""
    short = rule_id[:8]
    rows = answer.get("candidates", [])
    mine = next((r for r in rows if r["id"] == rule_id), None)
    winner = next((r for r in rows if r["outcome"] == "winner"), None)
    if mine is None:
        return f"Rule {short} is not a candidate for this query (it prices another SKU or price book kind)."
    if mine is winner:
        return f"Rule {short} is the winning rule ({mine['amount']}, step {mine['level']})."
    if winner is None:
        return f"No rule applies, so rule {short} did not win: {mine['reason']} — {mine['detail']}"
    if mine["outcome"] == "excluded":
        return (
            f"Rule {short} did not win: it does not apply here ({mine['reason']}). {mine['detail']} "
            f"The winning rule is {winner['rule_id']} ({winner['amount']}, step {winner['level']})."
        )
    return (
        f"Rule {short} did not win ({mine['outcome']}: {mine['reason']}). "
        f"Rule {winner['rule_id']} beat it ({winner['amount']}, step {winner['level']}). {mine['detail']}"
    )
