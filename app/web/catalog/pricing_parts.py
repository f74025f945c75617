"""The pricing page's parts: the rules table rows, the "why this price?" panel (pickers, the
answer, every candidate rule with its outcome), the book / rule forms and the "saved" messages."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from app.web.catalog.forms import BOOK_KIND_OPTIONS
from app.web.catalog.pricing_state import PricingState
from app.web.catalog.widgets import form_body, notice, pair, panel
from app.web.kit import controls
from app.web.kit.buttons import control_row, icon_button
from app.web.kit.forms import NONE, choice_field, form_dialog, text_field
from app.web.kit.table import table
from engine.pricing import PRICE_BOOK_KINDS, TIE_BREAK_RULE


def rule_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.book),
        rx.table.cell(rx.code(row.sku, variant="ghost")),
        rx.table.cell(row.org),
        rx.table.cell(row.channel),
        rx.table.cell(rx.text(row.amount, " ", row.currency, weight="medium")),
        rx.table.cell(rx.text(row.starts, " → ", row.ends, size="1")),
        rx.table.cell(row.priority),
        rx.table.cell(
            rx.cond(row.overlap, rx.badge("overlap", color_scheme="amber")),
            rx.cond(row.id == PricingState.w_winner, rx.badge("wins the query above", color_scheme="green")),
        ),
        background=rx.cond(row.id == PricingState.w_winner, "var(--green-a3)", "transparent"),
        data_testid="rule-row",
    )


def _candidate_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.badge(
                    row.outcome,
                    color_scheme=rx.match(row.outcome, ("winner", "green"), ("outranked", "amber"), "gray"),
                ),
                rx.cond(row.id == PricingState.w_rule, rx.badge("linked rule", variant="outline")),
                spacing="1",
            )
        ),
        rx.table.cell(rx.code(row.rule_id, variant="ghost", title=row.id)),
        rx.table.cell(row.amount),
        rx.table.cell(row.level),
        rx.table.cell(row.org),
        rx.table.cell(rx.text(row.window, size="1")),
        rx.table.cell(row.priority),
        rx.table.cell(
            rx.vstack(
                rx.text(row.reason, weight="medium", size="2"),
                rx.text(row.detail, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        background=rx.cond(row.outcome == "winner", "var(--green-a3)", "transparent"),
        font_weight=rx.cond(row.outcome == "winner", "600", "400"),
        data_winner=rx.cond(row.outcome == "winner", "true", "false"),
        data_testid="candidate-row",
    )


def _picker(label: str, field: str, value: Var, options: Var, *, none_label: str | None = None) -> rx.Component:
    return controls.field(
        label,
        controls.select(
            options,
            value,
            lambda v: PricingState.set_field(field, v),
            label,
            first=(NONE, none_label) if none_label else None,
            keys=("id", "label"),
            trigger={"placeholder": label, "width": "100%"},
        ),
        min_width="12rem",
        flex="1",
    )


def _input(label: str, field: str, value: Var, **props) -> rx.Component:
    control = rx.input(value=value, on_change=lambda v: PricingState.set_field(field, v), aria_label=label, **props)
    return controls.field(label, control)


def why_panel() -> rx.Component:
    s = PricingState
    return panel(
        rx.heading("Why this price?", size="4"),
        control_row(
            _picker("SKU", "w_sku", s.w_sku, s.sku_options),
            _picker("Organization", "w_org", s.w_org, s.org_options, none_label="No organization"),
            _picker("Channel", "w_channel", s.w_channel, s.channel_options, none_label="No channel"),
            controls.field(
                "Kind",
                controls.select(
                    [(k, k.upper()) for k in PRICE_BOOK_KINDS],
                    s.w_kind,
                    lambda v: PricingState.set_field("w_kind", v),
                    "Kind",
                ),
            ),
            _input("Currency", "w_currency", s.w_currency, max_length=3, width="5rem"),
            _input("Date", "w_at", s.w_at, type="date", data_testid="why-date"),
            icon_button("search", "Explain", s.why, "why-run", busy=s.w_running, align_self="end"),
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
                table(
                    ["Outcome", "Rule", "Amount", "Step", "Organization", "Window", "Priority", "Why"],
                    rx.foreach(s.w_rows, _candidate_row),
                    "why-table",
                ),
                rx.text(TIE_BREAK_RULE, size="1", color_scheme="gray"),
                width="100%",
            ),
        ),
        testid="why-panel",
    )


def pricing_forms() -> rx.Component:
    s = PricingState
    book = form_body(
        text_field(s, "name", "Name"),
        pair(
            choice_field(s, "kind", "Kind", BOOK_KIND_OPTIONS),
            text_field(s, "currency", "Currency", max_length=3, placeholder="INR"),
        ),
        pair(
            choice_field(s, "scope_channel_id", "Only channel", s.channel_options, none_label="Every channel"),
            choice_field(s, "scope_org_id", "Only organization", s.org_options, none_label="Every organization"),
        ),
        text_field(s, "description", "Description", area=True),
    )
    currency = rx.badge(
        rx.cond(s.rule_currency != "", s.rule_currency, "pick a book"), size="2", data_testid="rule-currency"
    )
    rule = form_body(
        pair(choice_field(s, "price_book_id", "Book", s.books), choice_field(s, "sku_id", "SKU", s.sku_options)),
        pair(
            choice_field(s, "org_id", "Organization", s.org_options, none_label="Any organization"),
            choice_field(s, "channel_id", "Channel", s.channel_options, none_label="Any channel"),
        ),
        pair(
            text_field(s, "amount", "Amount (exact decimal)", input_mode="decimal", placeholder="499.00"),
            controls.field("Currency (the book's)", currency),
        ),
        pair(
            text_field(s, "effective_from", "Effective from (UTC)", type="datetime-local"),
            text_field(s, "effective_to", "Effective until (UTC, optional)", type="datetime-local"),
        ),
        pair(
            text_field(s, "priority", "Priority (−1000…1000)", input_mode="numeric"),
            text_field(s, "note", "Note"),
        ),
    )
    return form_dialog(s, {"book": book, "rule": rule})


def warning_list(items: Var, testid: str, title: str = "") -> rx.Component:
    """Overlap warnings ("severity: message" each, test id `testid`) in an amber callout (`testid`
    + "s"), shown while there are any."""
    lines = rx.foreach(items, lambda w: rx.text(w.severity, ": ", w.message, size="1", data_testid=testid))
    heading = [rx.text(title, weight="medium", size="2")] if title else []
    callout = rx.callout(
        rx.vstack(*heading, lines, spacing="1"),
        icon="triangle-alert",
        color_scheme="amber",
        width="100%",
        data_testid=f"{testid}s",
    )
    return rx.cond(items.length() > 0, callout)


def saved_block() -> rx.Component:
    s = PricingState
    title = "The saved rule overlaps others at the same step:"
    return rx.fragment(notice(s.notice), warning_list(s.rule_warnings, "rule-warning", title))
