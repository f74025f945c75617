"""Deep links into the pricing page's "why this price?" panel (e.g. from a margin alert):
`/catalog/pricing?sku=<SKU code>&org=<organization id>&kind=<kind>&at=<YYYY-MM-DD>
[&channel=<channel code or id>][&rule=<price rule id>][&currency=<ISO code>]`.

`LinkQuery` is the link's parameters as text (cut to 200 characters each); `resolve_link` checks
each against this tenant's rows in one transaction (another tenant's ids look exactly like unknown
ids: every lookup filters on the tenant) and says which are usable and, in one sentence each naming
the parameter, which are not. Bad parameters are never an error: the page names them inline.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, field_validator

from engine.catalog.permissions import PRICING_READ
from engine.context import TenantContext
from engine.errors import NotFound
from engine.pricing import PRICE_BOOK_KINDS
from models.catalog import channels, orgs, pricing, products
from models.catalog.queries import Option
from models.core.db import tenant_session

LINK_PARAMS = ("sku", "org", "kind", "at", "channel", "rule", "currency")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


class LinkQuery(BaseModel):
    """The deep link's parameters, as given (stripped, at most 200 characters each)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: str = ""
    org: str = ""
    kind: str = ""
    at: str = ""
    channel: str = ""
    rule: str = ""
    currency: str = ""

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: object) -> str:
        return str(value or "").strip()[:200]

    @classmethod
    def of(cls, params: Mapping[str, object]) -> LinkQuery:
        return cls.model_validate({k: params.get(k) for k in LINK_PARAMS})


@dataclass(frozen=True)
class ResolvedLink:
    """`prefill`: the panel inputs to set, only from valid parameters, keyed by parameter name ("" =
    the "none" choice of org / channel); `problems`: one sentence per bad parameter; `rule_id`: a
    valid `rule=`; `run`: a SKU is known and nothing is wrong, so the resolution can run at once;
    `inactive_sku`: a picker option for a deactivated SKU the link names (the picker leaves those out)."""

    prefill: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    rule_id: str = ""
    run: bool = False
    inactive_sku: Option | None = None


def _shown(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _day(link: LinkQuery, prefill: dict[str, str], problems: list[str]) -> None:
    if not link.at:
        prefill["at"] = datetime.now(UTC).date().isoformat()
        return
    try:
        if not _DAY.match(link.at):
            raise ValueError
        prefill["at"] = date.fromisoformat(link.at).isoformat()
    except ValueError:
        problems.append(f"at: “{_shown(link.at)}” is not a date (YYYY-MM-DD)")


def resolve_link(ctx: TenantContext, link: LinkQuery) -> ResolvedLink:
    """Check every parameter of the link against this tenant (see the module docstring)."""
    ctx.require(PRICING_READ)
    prefill: dict[str, str] = {}
    problems: list[str] = []
    rule_id = ""
    inactive: Option | None = None
    sku_id: uuid.UUID | None = None
    kind = link.kind.lower() or "map"
    with tenant_session(ctx) as session:
        if not link.sku:
            problems.append("sku: missing — the link names no SKU code")
        else:
            rows = products.skus_by_code(session, ctx, link.sku)
            if len(rows) == 1:
                sku_id = rows[0].id
                prefill["sku"] = str(sku_id)
                if not rows[0].is_active:  # not in the picker: offered for this link only, marked
                    inactive = Option(str(sku_id), f"{rows[0].code} — {rows[0].name} (inactive)")
            else:
                problems.append(f"sku: no SKU with code “{_shown(link.sku)}” in this tenant")
        if link.org:
            key = _uuid(link.org)
            if key is None:
                problems.append(f"org: “{_shown(link.org)}” is not an organization id (a UUID)")
            else:
                try:
                    prefill["org"] = str(orgs.get_org(session, ctx, key).id)
                except NotFound:
                    problems.append(f"org: no organization with id {key} in this tenant")
        else:
            prefill["org"] = ""
        if link.channel:
            channel = channels.find_channel(session, ctx, link.channel)
            if channel is None:
                problems.append(f"channel: no channel with code or id “{_shown(link.channel)}” in this tenant")
            else:
                prefill["channel"] = str(channel.id)
        else:
            prefill["channel"] = ""
        if kind in PRICE_BOOK_KINDS:
            prefill["kind"] = kind
        else:
            problems.append(f"kind: “{_shown(link.kind)}” is not one of {', '.join(PRICE_BOOK_KINDS)}")
        _day(link, prefill, problems)
        if link.currency:
            if _CURRENCY.match(link.currency):
                prefill["currency"] = link.currency.upper()
            else:
                problems.append(f"currency: “{_shown(link.currency)}” is not a three-letter currency code")
        elif kind in PRICE_BOOK_KINDS:
            # the currency of this SKU's rules of this kind (the most common), else of a book of the kind
            rules = pricing.load_rules(session, ctx, sku_ids=[sku_id], kinds=[kind]) if sku_id else []
            seen = Counter(r.currency for r in rules) or Counter(pricing.book_currencies(session, ctx, kind))
            if seen:
                prefill["currency"] = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        if link.rule:
            key = _uuid(link.rule)
            if key is None:
                problems.append(f"rule: “{_shown(link.rule)}” is not a price rule id (a UUID)")
            else:
                try:
                    rule_id = str(pricing.get_rule(session, ctx, key).id)
                except NotFound:
                    problems.append(f"rule: no price rule with id {key} in this tenant")
    return ResolvedLink(prefill, problems, rule_id, sku_id is not None and not problems, inactive)
