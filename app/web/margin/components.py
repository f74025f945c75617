"""Shared pieces of the Margin Defense pages: formatting, badges, KPI cards, tables (the decision
dialog lives in app/web/kit/decisions.py).

Data helpers here run in worker threads (plain dicts out, no ORM objects); components are pure
(no state of their own), so the shell's top bar can import `search_box` without import cycles.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import reflex as rx
from reflex.vars import Var
from sqlmodel import Session, select

from engine.context import TenantContext
from models.catalog.tables import Organization, PriceBook, PriceRule, Sku
from models.margin.detection import DEFAULT_CURRENCY

RULE_LABELS = {
    "map_breach": "MAP breach",
    "mrp_breach": "MRP breach",
    "competitor_undercut": "Competitor undercut",
    "dead_stock": "Dead stock",
}
STATUS_COLORS = (
    ("open", "red"),
    ("acknowledged", "amber"),
    ("in_enforcement", "violet"),
    ("in_progress", "blue"),
    ("resolved", "green"),
    ("done", "green"),
    ("active", "green"),
    ("warned", "amber"),
    ("final_notice", "orange"),
    ("suspended", "red"),
    ("terminated", "gray"),
    ("dismissed", "gray"),
    ("cancelled", "gray"),
)
SEVERITY_COLORS = (("critical", "red"), ("high", "orange"), ("medium", "amber"), ("low", "gray"))
# the floor an alert was measured against (explanation.floor_source.kind)
FLOOR_KIND_LABELS = {
    "map": "MAP (minimum advertised price)",
    "mrp": "MRP (maximum retail price)",
    "our_price": "Our price (list price, else MAP)",
    "list": "List price",
}
# input limits of the margin write models (models/margin/inputs.py): shown as counters, never cut
NOTE_MAX = 4000
TITLE_MAX = 200
# user text (notes, reasons, titles, names) wraps instead of overflowing its card
WRAP = {"overflow_wrap": "anywhere", "word_break": "break-word", "min_width": "0"}


# ---- formatting (server side) ---------------------------------------------------------------


def money(value: Any) -> str:
    """1234.5 → '1,234.50' (exact Decimal, two places)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)):,.2f}"


def amount(value: Any, currency: str) -> str:
    """money(value) with its currency code: '1,234.50 INR' ('—' when there is no value)."""
    text = money(value)
    return text if text == "—" or not currency else f"{text} {currency}"


def when(value: datetime | None, *, time: bool = True) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M UTC" if time else "%Y-%m-%d")


def label(value: str | None) -> str:
    return (value or "").replace("_", " ")


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, label(rule))


def floor_kind_label(kind: str | None) -> str:
    return FLOOR_KIND_LABELS.get((kind or "").lower(), label(kind).upper() if kind else "—")


def parse_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)[:64])
    except (TypeError, ValueError):
        return None


def last_segment(path: str) -> str:
    return (path or "").rstrip("/").rsplit("/", 1)[-1]


def names(session: Session, ctx: TenantContext, org_ids: Iterable, sku_ids: Iterable) -> tuple[dict, dict]:
    """(org id → name, sku id → (code, name)) within the tenant."""
    org_ids, sku_ids = {i for i in org_ids if i}, {i for i in sku_ids if i}
    orgs: dict = {}
    skus: dict = {}
    if org_ids:
        orgs = {
            o.id: o.name
            for o in session.exec(
                select(Organization).where(
                    Organization.tenant_id == ctx.tenant_id,
                    Organization.id.in_(list(org_ids)),  # type: ignore[attr-defined]
                )
            ).all()
        }
    if sku_ids:
        skus = {
            s.id: (s.code, s.name)
            for s in session.exec(
                select(Sku).where(Sku.tenant_id == ctx.tenant_id, Sku.id.in_(list(sku_ids)))  # type: ignore[attr-defined]
            ).all()
        }
    return orgs, skus


def org_types(session: Session, ctx: TenantContext, org_ids: Iterable) -> dict:
    """org id → organization type (dealer, competitor, …) within the tenant."""
    ids = list({i for i in org_ids if i})
    if not ids:
        return {}
    return dict(
        session.exec(
            select(Organization.id, Organization.type).where(
                Organization.tenant_id == ctx.tenant_id,
                Organization.id.in_(ids),  # type: ignore[attr-defined]
            )
        ).all()
    )


def currencies(session: Session, ctx: TenantContext, rule_ids: Iterable) -> dict:
    """price rule id → the currency of its price book, within the tenant."""
    ids = list({i for i in rule_ids if i})
    if not ids:
        return {}
    return dict(
        session.exec(
            select(PriceRule.id, PriceBook.currency).where(
                PriceRule.tenant_id == ctx.tenant_id,
                PriceBook.tenant_id == ctx.tenant_id,
                PriceBook.id == PriceRule.price_book_id,
                PriceRule.id.in_(ids),  # type: ignore[attr-defined]
            )
        ).all()
    )


def alert_currency(found: dict, alert: Any) -> str:
    """The alert's currency: its floor rule's price book, else the one detection resolves floors in."""
    return found.get(alert.floor_rule_id) or DEFAULT_CURRENCY


def tenant_currency(session: Session, ctx: TenantContext) -> str:
    """The currency of the tenant's alert totals: the one currency of the price books behind its
    alerts' floors (the tenant has no currency setting), else the one detection resolves floors in."""
    from models.margin.tables import MarginAlert

    found = session.exec(
        select(PriceBook.currency)
        .where(
            MarginAlert.tenant_id == ctx.tenant_id,
            PriceRule.tenant_id == ctx.tenant_id,
            PriceBook.tenant_id == ctx.tenant_id,
            PriceRule.id == MarginAlert.floor_rule_id,
            PriceBook.id == PriceRule.price_book_id,
        )
        .distinct()
        .limit(2)
    ).all()
    return found[0] if len(found) == 1 else DEFAULT_CURRENCY


def dealer_href(org_type: str | None, org_id: Any) -> str:
    """The dealer page for dealers only: competitors (and other orgs) have no dealer page."""
    return f"/dealers/{org_id}" if org_type == "dealer" else ""


def actor_names(session: Session, ctx: TenantContext) -> dict[str, str]:
    """user id → display name for the tenant's members (decision events store the user id)."""
    from models.core.identity import tenant_members

    return {m.user_id: m.display_name for m in tenant_members(session, ctx)}


def alert_rows(session: Session, ctx: TenantContext, alerts: list) -> list[dict[str, str]]:
    orgs, skus = names(session, ctx, {a.dealer_id for a in alerts}, {a.sku_id for a in alerts})
    types = org_types(session, ctx, {a.dealer_id for a in alerts})
    found = currencies(session, ctx, {a.floor_rule_id for a in alerts})
    return [
        {
            "id": str(a.id),
            "rule": a.rule,
            "rule_label": rule_label(a.rule),
            "status": a.status,
            "severity": a.severity,
            "dealer": orgs.get(a.dealer_id, "?"),
            "dealer_id": str(a.dealer_id),
            "dealer_href": dealer_href(types.get(a.dealer_id), a.dealer_id),
            "org_type": types.get(a.dealer_id, ""),
            "currency": alert_currency(found, a),
            "sku": skus.get(a.sku_id, ("?", ""))[0],
            "sku_name": skus.get(a.sku_id, ("", ""))[1],
            "impact": amount(a.impact, alert_currency(found, a)),
            "evidence": str(a.evidence_count),
            "opened": when(a.opened_at, time=False),
        }
        for a in alerts
    ]


# ---- components -----------------------------------------------------------------------------


def status_badge(status: Var, **props) -> rx.Component:
    return rx.badge(
        status.to(str).replace("_", " "),
        color_scheme=rx.match(status, *STATUS_COLORS, "gray"),
        variant="soft",
        **props,
    )


def severity_badge(severity: Var) -> rx.Component:
    return rx.badge(severity, color_scheme=rx.match(severity, *SEVERITY_COLORS, "gray"), variant="surface")


def org_link(name: Var, href: Var, **props) -> rx.Component:
    """The org's name, linked to its dealer page when it has one (competitors have none)."""
    return rx.cond(
        href.to(str) != "",
        rx.link(name, href=href.to(str), **props),
        rx.text(name, as_="span", **props),
    )


def kpi_card(title: str, value: Var, hint: Var | str, icon: str, testid: str, *, color: str = "accent",
             unit: Var | str | None = None) -> rx.Component:
    figure = rx.heading(value, size="6", weight="bold", data_testid=testid, white_space="nowrap")
    if unit is not None:  # the unit sits next to the figure, outside its test id
        figure = rx.hstack(figure, rx.text(unit, size="1", color_scheme="gray"), align="baseline", spacing="1")
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(title, size="2", color_scheme="gray", weight="medium"),
                figure,
                rx.text(hint, size="1", color_scheme="gray"),
                spacing="1",
                min_width="0",
            ),
            rx.spacer(),
            rx.box(
                rx.icon(icon, size=18, color=rx.color(color, 11)),
                padding="0.4rem",
                border_radius="var(--radius-3)",
                background=rx.color(color, 3),
            ),
            align="start",
            width="100%",
        ),
        width="100%",
    )


def section(title: str, *children: rx.Component, action: rx.Component | None = None, **props) -> rx.Component:
    header = [rx.heading(title, size="4", weight="medium"), rx.spacer()]
    if action is not None:
        header.append(action)
    return rx.card(
        rx.vstack(rx.hstack(*header, align="center", width="100%"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def table(headers: list[str], body: rx.Component, testid: str) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(body),
            variant="surface",
            size="2",
            width="100%",
            data_testid=testid,
        ),
        overflow_x="auto",
        width="100%",
    )


def char_counter(value: Var, limit: int, testid: str = "char-counter") -> rx.Component:
    """'n / limit' under a text field; past the limit, red with a message (the text is never cut)."""
    length = value.to(str).length()
    return rx.text(
        length.to_string(),
        f" / {limit:,}",
        rx.cond(length > limit, rx.text.span(f" — too long: at most {limit:,} characters can be saved")),
        size="1",
        color_scheme=rx.cond(length > limit, "red", "gray"),
        data_testid=testid,
    )


def empty(message: str, icon: str = "inbox", testid: str = "empty-state") -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=28, color=rx.color("gray", 9)),
            rx.text(message, color_scheme="gray", size="2", align="center"),
            align="center",
            spacing="2",
        ),
        padding="2rem",
        width="100%",
        data_testid=testid,
    )


def table_or_empty(rows: Var, headers: list[str], row: Callable[[Var], rx.Component], testid: str, message: str,
                   icon: str = "inbox", *, loading: Var | None = None) -> rx.Component:
    """`rows` as a table (a `row(item)` each), else the empty state; with `loading`, the spinner
    while loading and nothing is shown yet."""
    shown = rx.cond(rows.length() > 0, table(headers, rx.foreach(rows, row), testid), empty(message, icon))
    if loading is None:
        return shown
    return rx.cond(loading & (rows.length() == 0), spinner_block(), shown)


def messages(error: Var, notice: Var) -> rx.Component:
    return rx.fragment(
        rx.cond(error != "", rx.callout(error, icon="triangle-alert", color_scheme="red", role="alert", width="100%")),
        rx.cond(notice != "", rx.callout(notice, icon="check", color_scheme="green", width="100%")),
    )


def spinner_block() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding="3rem", width="100%", aria_label="Loading")


def field(caption: str, *controls: rx.Component, **props) -> rx.Component:
    return rx.vstack(
        rx.text(caption, size="1", weight="medium", color_scheme="gray"), *controls, spacing="1", **props
    )


def choice(options: list[tuple[str, str]] | Var, value: Var, on_change, aria: str, **props) -> rx.Component:
    """A select over fixed (value, label) pairs or a Var list of {value, label} dicts."""
    if isinstance(options, list):
        items = [rx.select.item(text, value=val) for val, text in options]
    else:
        items = [rx.foreach(options, lambda o: rx.select.item(o["label"], value=o["value"]))]
    return rx.select.root(
        rx.select.trigger(aria_label=aria, min_width=props.pop("min_width", "10rem")),
        rx.select.content(*items),
        value=value,
        on_change=on_change,
        **props,
    )


def dialog(title: Var | str, *children: rx.Component, open_: Var, on_close, max_width: str) -> rx.Component:
    """A controlled dialog: shown while `open_`; closing it (Esc, overlay) calls `on_close`."""
    return rx.dialog.root(
        rx.dialog.content(rx.dialog.title(title), *children, max_width=max_width),
        open=open_,
        on_open_change=lambda _: on_close,
    )


# Reflex forms always preventDefault, so the browser goes to /search?q=… itself (compiled into the
# bundle, no eval: the CSP holds); the page reads `q` on load and runs the search server-side.
SEARCH_JS = (
    "(() => { const el = document.querySelector('form[role=search] input[name=q]');"
    " const q = ((el && el.value) || '').trim();"
    " if (q) window.location.assign('/search?q=' + encodeURIComponent(q.slice(0, 100))); return null; })"
)


def search_box() -> rx.Component:
    """Top-bar search box: submits to the /search page (app/web/margin/search.py)."""
    return rx.el.form(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            name="q",
            placeholder="Search alerts, dealers, SKUs, tasks",
            type="search",
            max_length=100,
            size="2",
            width="18rem",
            aria_label="Search",
            data_testid="global-search",
        ),
        on_submit=lambda _form: rx.call_function(Var(_js_expr=SEARCH_JS)),
        action="/search",  # a submit before hydration goes there natively
        method="get",
        role="search",
        display=["none", "none", "block"],
    )
