"""/catalog/pricing — price books, their rules, overlap warnings and the "why this price?" panel;
"New price book" / "New price rule" forms for pricing.write (a saved rule's overlap warnings are
shown at once, as the API returns them).

The panel runs the same resolver as `GET /api/prices/resolve` for a chosen SKU / organization /
channel / date / currency / kind and shows every candidate rule with its outcome and reason. Each
run is audited (`price.resolve`), like an API resolution. Books and rules need ENABLE_PRICE_BOOKS;
the panel also needs ENABLE_PRICE_RESOLUTION.

Deep links (e.g. from an alert): `/catalog/pricing?sku=<SKU code>&org=<organization id>&kind=<kind>
&at=<YYYY-MM-DD>[&channel=<channel code or id>][&rule=<price rule id>][&currency=<ISO code>]`.
`deep_link` validates each parameter against this tenant's rows (another tenant's ids look unknown),
the panel is prefilled with the valid ones, and — when every given parameter is valid — the
resolution runs at once, the winning rule is highlighted, and for `rule=` the page says whether that
rule won or which rule beat it. Bad parameters are named in an inline message, never an error page.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import reflex as rx
from reflex.vars import Var
from sqlalchemy import func
from sqlmodel import select

from app.web.catalog.organizations import _table, not_found_block
from app.web.kit import forms as cf
from app.web.kit.forms import EntityForm, flag_on, page_context
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.errors import DomainError, ValidationFailed
from engine.pricing import PRICE_BOOK_KINDS, TIE_BREAK_RULE
from models.catalog import catalog, orgs, pricing
from models.catalog.tables import Channel, Organization, PriceBook, Sku
from models.catalog.tables import PriceRule as PriceRuleRow
from models.core.db import tenant_session
from models.core.flags import ENABLE_PRICE_BOOKS, ENABLE_PRICE_RESOLUTION

READ, WRITE = "pricing.read", "pricing.write"
NONE = "__none__"
ALL = "__all__"
LIMIT = 200


def _amount(value: Any) -> str:
    text = f"{value:f}".rstrip("0").rstrip(".") if value is not None else ""
    return text or "0"


def fetch_books_and_rules(ctx: TenantContext, book_id: str) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        books = pricing.list_books(session, ctx, limit=LIMIT).items
        by_id = {str(b.id): b for b in books}
        skus = {s.id: s for s in catalog.list_skus(session, ctx, limit=LIMIT).items}
        channels = {c.id: c for c in catalog.list_channels(session, ctx, limit=LIMIT).items}
        rule_page = pricing.list_rules(
            session, ctx, price_book_id=by_id[book_id].id if book_id in by_id else None, limit=LIMIT
        )
        org_names = orgs.orgs_by_id(session, ctx, {r.org_id for r in rule_page.items if r.org_id})
        conflicts = [o.to_dict() for o in pricing.conflicts(session, ctx)]
        all_orgs = orgs.list_orgs(session, ctx, limit=LIMIT).items
    flagged = {rid for c in conflicts for rid in c["rule_ids"]}
    return {
        "books": [
            {
                "id": str(b.id),
                "name": b.name,
                "kind": b.kind,
                "currency": b.currency,
                "label": f"{b.name} · {b.kind.upper()} {b.currency}",
            }
            for b in books
        ],
        "rules": [
            {
                "id": str(r.id),
                "book": by_id[str(r.price_book_id)].name if str(r.price_book_id) in by_id else "",
                "sku": skus[r.sku_id].code if r.sku_id in skus else str(r.sku_id),
                "org": org_names[r.org_id].name if r.org_id in org_names else ("any" if not r.org_id else "?"),
                "channel": channels[r.channel_id].name
                if r.channel_id in channels
                else ("any" if not r.channel_id else "?"),
                "amount": _amount(r.amount),
                "currency": by_id[str(r.price_book_id)].currency if str(r.price_book_id) in by_id else "",
                "from": r.effective_from.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                "to": r.effective_to.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if r.effective_to else "open",
                "priority": str(r.priority),
                "overlap": "yes" if str(r.id) in flagged else "",
            }
            for r in rule_page.items
        ],
        "conflicts": [
            {"severity": c["severity"], "message": c["message"]} for c in conflicts if c["severity"] != "info"
        ],
        # inactive SKUs are not offered in the pickers (their rules still show in the table)
        "skus": [{"id": str(s.id), "label": f"{s.code} — {s.name}"} for s in skus.values() if s.is_active],
        "orgs": [{"id": str(o.id), "label": f"{o.name} ({o.type})"} for o in all_orgs],
        "channels": [{"id": str(c.id), "label": c.name} for c in channels.values()],
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
    with tenant_session(ctx) as session:
        result = pricing.resolve_price(
            session,
            ctx,
            sku_id=form.get("sku_id", ""),
            org_id=None if form.get("org_id") in ("", NONE, None) else form["org_id"],
            channel_id=None if form.get("channel_id") in ("", NONE, None) else form["channel_id"],
            currency=form.get("currency", "").strip().upper(),
            kind=form.get("kind", "map"),
            at=at,
        )
        ids = {c.rule.org_id for c in result.candidates if c.rule.org_id}
        names = {str(k): v.name for k, v in orgs.orgs_by_id(session, ctx, {uuid.UUID(i) for i in ids}).items()}
    body = result.to_dict()
    return {
        "winner": body["rule_id"] or "",
        "summary": body["summary"],
        "price": f"{_amount(result.price)} {body['currency']}" if result.found else "No price",
        "level": body["level"] or "",
        "candidates": [
            {
                "id": c["rule_id"],
                "rule_id": c["rule_id"][:8],
                "outcome": c["outcome"],
                "reason": c["reason"].replace("_", " "),
                "detail": c["detail"],
                "level": (c["level"] or "").replace("_", " "),
                "amount": f"{_amount(Decimal(c['amount']))} {c['currency']}",
                "org": names.get(c["org_id"] or "", "any") if c["org_id"] else "any",
                "window": f"{c['effective_from'][:10]} → {c['effective_to'][:10] if c['effective_to'] else 'open'}",
                "priority": str(c["priority"]),
            }
            for c in body["candidates"]
        ],
    }


# ---- deep links ------------------------------------------------------------------------------

LINK_PARAMS = ("sku", "org", "kind", "at", "channel", "rule", "currency")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _shown(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def deep_link(ctx: TenantContext, params: Mapping[str, str]) -> dict[str, Any]:
    """Validate a deep link's query parameters against this tenant (one transaction).

    Returns `fields` (the panel inputs to prefill: w_sku, w_org, w_channel, w_kind, w_currency,
    w_at — only from valid parameters), `problems` (one sentence per bad parameter, naming it),
    `rule` (the id of a valid `rule=`, else ""), `run` (True when a SKU is known and nothing is
    wrong, so the resolution can run at once) and `inactive_sku` (a picker option for a deactivated
    SKU the link names — the picker leaves those out — else None). Ids of other tenants are reported exactly like
    unknown ids: every lookup filters on this tenant.
    """
    raw = {k: str(params.get(k) or "").strip()[:200] for k in LINK_PARAMS}
    fields: dict[str, str] = {}
    problems: list[str] = []
    rule = ""
    inactive: dict[str, str] | None = None
    with tenant_session(ctx) as session:
        tid = ctx.tenant_id
        sku_id: uuid.UUID | None = None
        if not raw["sku"]:
            problems.append("sku: missing — the link names no SKU code")
        else:
            code = raw["sku"]
            rows = session.exec(select(Sku).where(Sku.tenant_id == tid, Sku.code == code)).all() or session.exec(
                select(Sku).where(Sku.tenant_id == tid, func.upper(Sku.code) == code.upper())
            ).all()
            if len(rows) == 1:
                sku_id = rows[0].id
                fields["w_sku"] = str(sku_id)
                if not rows[0].is_active:  # not in the picker: offered for this link only, marked
                    inactive = {"id": str(sku_id), "label": f"{rows[0].code} — {rows[0].name} (inactive)"}
            else:
                problems.append(f"sku: no SKU with code “{_shown(code)}” in this tenant")
        if raw["org"]:
            key = _uuid_or_none(raw["org"])
            org = (
                session.exec(select(Organization).where(Organization.tenant_id == tid, Organization.id == key)).first()
                if key
                else None
            )
            if key is None:
                problems.append(f"org: “{_shown(raw['org'])}” is not an organization id (a UUID)")
            elif org is None:
                problems.append(f"org: no organization with id {key} in this tenant")
            else:
                fields["w_org"] = str(org.id)
        else:
            fields["w_org"] = NONE
        if raw["channel"]:
            key = _uuid_or_none(raw["channel"])
            query = select(Channel).where(Channel.tenant_id == tid)
            query = (
                query.where(Channel.id == key)
                if key
                else query.where(func.upper(Channel.code) == raw["channel"].upper())
            )
            channel = session.exec(query).first()
            if channel is None:
                problems.append(f"channel: no channel with code or id “{_shown(raw['channel'])}” in this tenant")
            else:
                fields["w_channel"] = str(channel.id)
        else:
            fields["w_channel"] = NONE
        kind = raw["kind"].lower() or "map"
        if kind in PRICE_BOOK_KINDS:
            fields["w_kind"] = kind
        else:
            problems.append(f"kind: “{_shown(raw['kind'])}” is not one of {', '.join(PRICE_BOOK_KINDS)}")
        if raw["at"]:
            try:
                if not _DAY.match(raw["at"]):
                    raise ValueError
                fields["w_at"] = date.fromisoformat(raw["at"]).isoformat()
            except ValueError:
                problems.append(f"at: “{_shown(raw['at'])}” is not a date (YYYY-MM-DD)")
        else:
            fields["w_at"] = datetime.now(UTC).date().isoformat()
        if raw["currency"]:
            if _CURRENCY.match(raw["currency"]):
                fields["w_currency"] = raw["currency"].upper()
            else:
                problems.append(f"currency: “{_shown(raw['currency'])}” is not a three-letter currency code")
        elif kind in PRICE_BOOK_KINDS:
            # the currency of this SKU's rules of this kind (the most common), else of a book of the kind
            seen = Counter(r.currency for r in pricing.load_rules(session, ctx, sku_ids=[sku_id], kinds=[kind])) if sku_id else Counter()
            if not seen:
                seen = Counter(
                    session.exec(select(PriceBook.currency).where(PriceBook.tenant_id == tid, PriceBook.kind == kind)).all()
                )
            if seen:
                fields["w_currency"] = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        if raw["rule"]:
            key = _uuid_or_none(raw["rule"])
            found = (
                session.exec(select(PriceRuleRow).where(PriceRuleRow.tenant_id == tid, PriceRuleRow.id == key)).first()
                if key
                else None
            )
            if key is None:
                problems.append(f"rule: “{_shown(raw['rule'])}” is not a price rule id (a UUID)")
            elif found is None:
                problems.append(f"rule: no price rule with id {key} in this tenant")
            else:
                rule = str(found.id)
    run = sku_id is not None and not problems
    return {"fields": fields, "problems": problems, "rule": rule, "run": run, "inactive_sku": inactive}


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


class PricingState(EntityForm, AuthState):
    _form_kinds = ("book", "rule")
    can_write: bool = False
    notice: str = ""
    rule_warnings: list[dict[str, str]] = []
    feature_off: bool = False
    resolution_on: bool = False
    loading: bool = False
    error: str = ""
    books: list[dict[str, str]] = []
    book_id: str = ALL
    rules: list[dict[str, str]] = []
    conflicts: list[dict[str, str]] = []
    sku_options: list[dict[str, str]] = []
    org_options: list[dict[str, str]] = []
    channel_options: list[dict[str, str]] = []
    # "why this price?" form and answer
    w_sku: str = ""
    w_org: str = NONE
    w_channel: str = NONE
    w_kind: str = "map"
    w_currency: str = ""
    w_at: str = ""
    w_error: str = ""
    w_summary: str = ""
    w_price: str = ""
    w_level: str = ""
    w_rows: list[dict[str, str]] = []
    w_running: bool = False
    w_winner: str = ""  # full id of the winning rule (highlighted in both tables)
    w_rule: str = ""  # full id of the rule a deep link asked about (`rule=`)
    w_verdict: str = ""  # whether that rule won, or which rule beat it
    w_link_problems: list[str] = []  # one sentence per bad deep-link parameter

    async def _load(self):
        self.loading, self.error = True, ""
        self.rules, self.conflicts, self.w_rows, self.w_summary, self.w_price = [], [], [], "", ""
        yield
        ctx, self.feature_off = await page_context(self, READ, ENABLE_PRICE_BOOKS)
        if ctx is not None:
            self.can_write = ctx.can(WRITE)
            self.resolution_on = await asyncio.to_thread(flag_on, ctx, ENABLE_PRICE_RESOLUTION)
            data = await asyncio.to_thread(fetch_books_and_rules, ctx, self.book_id)
            self.books, self.rules, self.conflicts = data["books"], data["rules"], data["conflicts"]
            self.sku_options, self.org_options = data["skus"], data["orgs"]
            self.channel_options = data["channels"]
            if not self.w_sku and self.sku_options:
                self.w_sku = self.sku_options[0]["id"]
            if not self.w_currency and self.books:
                self.w_currency = self.books[0]["currency"]
            if not self.w_at:
                self.w_at = datetime.now(UTC).date().isoformat()
        self.loading = False

    @rx.event
    async def load(self):
        self.notice, self.rule_warnings = "", []
        self.w_rule, self.w_verdict, self.w_link_problems, self.w_winner = "", "", [], ""
        async for _ in self._load():
            yield
        params = {k: str(v) for k, v in self.router.url.query_parameters.items() if k in LINK_PARAMS}
        if params and self.resolution_on:
            await self._open_link(params)

    async def _open_link(self, params: dict[str, str]) -> None:
        """Prefill the panel from a deep link's parameters and, when they are all valid, explain."""
        ctx, _off = await page_context(self, READ, ENABLE_PRICE_RESOLUTION)
        if ctx is None:
            return
        self.w_error = ""
        link = await asyncio.to_thread(deep_link, ctx, params)
        for name, value in link["fields"].items():
            setattr(self, name, value)
        self.w_rule, self.w_link_problems = link["rule"], link["problems"]
        extra = link["inactive_sku"]
        if extra and all(o["id"] != extra["id"] for o in self.sku_options):
            self.sku_options = [*self.sku_options, extra]
        if link["run"]:
            await self._explain(ctx)

    async def _explain(self, ctx: TenantContext) -> None:
        form = {
            "sku_id": self.w_sku,
            "org_id": self.w_org,
            "channel_id": self.w_channel,
            "kind": self.w_kind,
            "currency": self.w_currency,
            "at": self.w_at,
        }
        try:
            answer = await asyncio.to_thread(explain, ctx, form)
        except DomainError as exc:
            self.w_error = exc.message + (f" ({', '.join(exc.fields)})" if exc.fields else "")
            self.w_rows, self.w_summary, self.w_price, self.w_level, self.w_winner = [], "", "", "", ""
            self.w_verdict = ""
        else:
            self.w_summary, self.w_price, self.w_level = answer["summary"], answer["price"], answer["level"]
            self.w_rows, self.w_winner = answer["candidates"], answer["winner"]
            self.w_verdict = rule_verdict(self.w_rule, answer)

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        async for _ in self._load():
            pass
        noun = cf.FORMS[kind].noun
        self.notice = f"Saved {noun} {result['label']}."
        self.rule_warnings = result.get("warnings", [])

    @rx.var
    def rule_currency(self) -> str:
        """The chosen book's currency: a rule is always in its book's currency."""
        wanted = self.form.get("price_book_id", "")
        return next((b["currency"] for b in self.books if b["id"] == wanted), "")

    @rx.event
    async def pick_book(self, value: str):
        self.book_id = str(value or ALL)[:64]
        async for _ in self._load():
            yield

    @rx.event
    def set_field(self, field: str, value: str):
        if field in ("w_sku", "w_org", "w_channel", "w_kind", "w_currency", "w_at"):
            setattr(self, field, str(value or "")[:64])

    @rx.event
    async def why(self):
        ctx, off = await page_context(self, READ, ENABLE_PRICE_RESOLUTION)
        if ctx is None:
            self.w_error = "Price resolution is switched off for this tenant." if off else "Not allowed."
            return
        if self.w_kind not in PRICE_BOOK_KINDS:
            self.w_error = "pick a price book kind"
            return
        self.w_running, self.w_error, self.w_link_problems = True, "", []
        yield
        await self._explain(ctx)
        self.w_running = False


def _rule_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["book"]),
        rx.table.cell(rx.code(row["sku"], variant="ghost")),
        rx.table.cell(row["org"]),
        rx.table.cell(row["channel"]),
        rx.table.cell(rx.text(row["amount"], " ", row["currency"], weight="medium")),
        rx.table.cell(rx.text(row["from"], " → ", row["to"], size="1")),
        rx.table.cell(row["priority"]),
        rx.table.cell(
            rx.cond(row["overlap"] != "", rx.badge("overlap", color_scheme="amber")),
            rx.cond(row["id"] == PricingState.w_winner, rx.badge("wins the query above", color_scheme="green")),
        ),
        background=rx.cond(row["id"] == PricingState.w_winner, "var(--green-a3)", "transparent"),
        data_testid="rule-row",
    )


def _candidate_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.badge(
                    row["outcome"],
                    color_scheme=rx.match(row["outcome"], ("winner", "green"), ("outranked", "amber"), "gray"),
                ),
                rx.cond(row["id"] == PricingState.w_rule, rx.badge("linked rule", variant="outline")),
                spacing="1",
            )
        ),
        rx.table.cell(rx.code(row["rule_id"], variant="ghost", title=row["id"])),
        rx.table.cell(row["amount"]),
        rx.table.cell(row["level"]),
        rx.table.cell(row["org"]),
        rx.table.cell(rx.text(row["window"], size="1")),
        rx.table.cell(row["priority"]),
        rx.table.cell(
            rx.vstack(
                rx.text(row["reason"], weight="medium", size="2"),
                rx.text(row["detail"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        background=rx.cond(row["outcome"] == "winner", "var(--green-a3)", "transparent"),
        font_weight=rx.cond(row["outcome"] == "winner", "600", "400"),
        data_winner=rx.cond(row["outcome"] == "winner", "true", "false"),
        data_testid="candidate-row",
    )


def _picker(label: str, field: str, value: Var, options: Var, *, none_label: str | None = None) -> rx.Component:
    items = [rx.select.item(none_label, value=NONE)] if none_label else []
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(placeholder=label, aria_label=label, width="100%"),
            rx.select.content(*items, rx.foreach(options, lambda o: rx.select.item(o["label"], value=o["id"]))),
            value=value,
            on_change=lambda v: PricingState.set_field(field, v),
        ),
        spacing="1",
        min_width="12rem",
        flex="1",
    )


def why_panel() -> rx.Component:
    s = PricingState
    return rx.card(
        rx.vstack(
            rx.heading("Why this price?", size="4"),
            rx.flex(
                _picker("SKU", "w_sku", s.w_sku, s.sku_options),
                _picker("Organization", "w_org", s.w_org, s.org_options, none_label="No organization"),
                _picker("Channel", "w_channel", s.w_channel, s.channel_options, none_label="No channel"),
                rx.vstack(
                    rx.text("Kind", size="1", weight="medium", color_scheme="gray"),
                    rx.select.root(
                        rx.select.trigger(aria_label="Kind"),
                        rx.select.content(*[rx.select.item(k.upper(), value=k) for k in PRICE_BOOK_KINDS]),
                        value=s.w_kind,
                        on_change=lambda v: PricingState.set_field("w_kind", v),
                    ),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text("Currency", size="1", weight="medium", color_scheme="gray"),
                    rx.input(
                        value=s.w_currency,
                        on_change=lambda v: PricingState.set_field("w_currency", v),
                        max_length=3,
                        width="5rem",
                        aria_label="Currency",
                    ),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text("Date", size="1", weight="medium", color_scheme="gray"),
                    rx.input(
                        type="date",
                        value=s.w_at,
                        on_change=lambda v: PricingState.set_field("w_at", v),
                        aria_label="Date",
                        data_testid="why-date",
                    ),
                    spacing="1",
                ),
                rx.button(
                    rx.cond(s.w_running, rx.spinner(size="2"), rx.icon("search", size=16)),
                    "Explain",
                    on_click=s.why,
                    disabled=s.w_running,
                    align_self="end",
                    data_testid="why-run",
                ),
                spacing="3",
                wrap="wrap",
                align="end",
                width="100%",
            ),
            rx.cond(
                s.w_link_problems.length() > 0,
                rx.callout(
                    rx.vstack(
                        rx.text(
                            "Some parameters of the link could not be used; the others are filled in. "
                            "Fix the fields and press Explain.",
                            weight="medium",
                            size="2",
                        ),
                        rx.foreach(s.w_link_problems, lambda p: rx.text(p, size="2", data_testid="link-problem")),
                        spacing="1",
                    ),
                    icon="link",
                    color_scheme="amber",
                    width="100%",
                    data_testid="link-problems",
                ),
            ),
            rx.cond(s.w_error != "", rx.callout(s.w_error, icon="triangle-alert", color_scheme="red", width="100%")),
            rx.cond(
                s.w_summary != "",
                rx.vstack(
                    rx.hstack(
                        rx.heading(s.w_price, size="6", data_testid="why-price"),
                        rx.cond(s.w_level != "", rx.badge("step: ", s.w_level, variant="soft")),
                        align="center",
                    ),
                    rx.text(s.w_summary, size="2", data_testid="why-summary"),
                    rx.cond(
                        s.w_winner != "",
                        rx.text("Winning rule: ", rx.code(s.w_winner), size="2", data_testid="why-winner"),
                    ),
                    rx.cond(
                        s.w_verdict != "",
                        rx.callout(
                            s.w_verdict,
                            icon="info",
                            color_scheme=rx.cond(s.w_rule == s.w_winner, "green", "amber"),
                            width="100%",
                            data_testid="why-verdict",
                        ),
                    ),
                    _table(
                        ["Outcome", "Rule", "Amount", "Step", "Organization", "Window", "Priority", "Why"],
                        rx.foreach(s.w_rows, _candidate_row),
                        "why-table",
                    ),
                    rx.text(TIE_BREAK_RULE, size="1", color_scheme="gray"),
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="why-panel",
    )


def pricing_forms() -> rx.Component:
    s = PricingState
    pair = {"columns": "2", "spacing": "3", "width": "100%"}
    book = rx.vstack(
        cf.text_field(s, "name", "Name"),
        rx.grid(
            cf.choice_field(s, "kind", "Kind", cf.BOOK_KIND_OPTIONS),
            cf.text_field(s, "currency", "Currency", max_length=3, placeholder="INR"),
            **pair,
        ),
        rx.grid(
            cf.choice_field(s, "scope_channel_id", "Only channel", s.channel_options, none_label="Every channel"),
            cf.choice_field(s, "scope_org_id", "Only organization", s.org_options, none_label="Every organization"),
            **pair,
        ),
        cf.text_field(s, "description", "Description", area=True),
        spacing="3",
        width="100%",
    )
    rule = rx.vstack(
        rx.grid(
            cf.choice_field(s, "price_book_id", "Book", s.books),
            cf.choice_field(s, "sku_id", "SKU", s.sku_options),
            **pair,
        ),
        rx.grid(
            cf.choice_field(s, "org_id", "Organization", s.org_options, none_label="Any organization"),
            cf.choice_field(s, "channel_id", "Channel", s.channel_options, none_label="Any channel"),
            **pair,
        ),
        rx.grid(
            cf.text_field(s, "amount", "Amount (exact decimal)", input_mode="decimal", placeholder="499.00"),
            rx.vstack(
                rx.text("Currency (the book's)", size="1", weight="medium", color_scheme="gray"),
                rx.badge(rx.cond(s.rule_currency != "", s.rule_currency, "pick a book"), size="2", data_testid="rule-currency"),
                spacing="1",
            ),
            **pair,
        ),
        rx.grid(
            cf.text_field(s, "effective_from", "Effective from (UTC)", type="datetime-local"),
            cf.text_field(s, "effective_to", "Effective until (UTC, optional)", type="datetime-local"),
            **pair,
        ),
        rx.grid(
            cf.text_field(s, "priority", "Priority (−1000…1000)", input_mode="numeric"),
            cf.text_field(s, "note", "Note"),
            **pair,
        ),
        spacing="3",
        width="100%",
    )
    return cf.form_dialog(s, {"book": book, "rule": rule})


def saved_block() -> rx.Component:
    s = PricingState
    return rx.fragment(
        rx.cond(s.notice != "", rx.callout(s.notice, icon="check", color_scheme="green", width="100%", data_testid="notice")),
        rx.cond(
            s.rule_warnings.length() > 0,
            rx.callout(
                rx.vstack(
                    rx.text("The saved rule overlaps others at the same step:", weight="medium", size="2"),
                    rx.foreach(
                        s.rule_warnings,
                        lambda w: rx.text(w["severity"], ": ", w["message"], size="1", data_testid="rule-warning"),
                    ),
                    spacing="1",
                ),
                icon="triangle-alert",
                color_scheme="amber",
                width="100%",
                data_testid="rule-warnings",
            ),
        ),
    )


@app_page(
    "/catalog/pricing",
    "Price books and rules",
    permission=READ,
    nav="Pricing",
    icon="tags",
    order=43,
    on_load=PricingState.load,
)
def pricing_page() -> rx.Component:
    s = PricingState
    return rx.cond(
        s.feature_off,
        not_found_block(),
        rx.vstack(
            rx.cond(
                s.can_write,
                rx.hstack(
                    cf.new_button(s, "book", "New price book"),
                    cf.new_button(s, "rule", "New price rule"),
                    spacing="3",
                ),
            ),
            pricing_forms(),
            saved_block(),
            rx.cond(s.resolution_on, why_panel()),
            rx.cond(s.error != "", rx.callout(s.error, icon="triangle-alert", color_scheme="red", width="100%")),
            rx.hstack(
                rx.heading("Rules", size="4"),
                rx.select.root(
                    rx.select.trigger(placeholder="Price book", aria_label="Price book"),
                    rx.select.content(
                        rx.select.item("All books", value=ALL),
                        rx.foreach(s.books, lambda b: rx.select.item(b["name"], value=b["id"])),
                    ),
                    value=s.book_id,
                    on_change=s.pick_book,
                ),
                align="center",
            ),
            rx.cond(
                s.conflicts.length() > 0,
                rx.callout(
                    rx.vstack(rx.foreach(s.conflicts, lambda c: rx.text(c["severity"], ": ", c["message"], size="1"))),
                    icon="triangle-alert",
                    color_scheme="amber",
                    width="100%",
                ),
            ),
            rx.cond(
                s.loading,
                rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
                _table(
                    ["Book", "SKU", "Organization", "Channel", "Amount", "Window (UTC)", "Priority", ""],
                    rx.foreach(s.rules, _rule_row),
                    "rules-table",
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )
