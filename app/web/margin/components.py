"""Margin Defense's own pieces: rule, severity and floor labels, the alert row every margin list
shows, KPI cards, org links and the top bar's search box. Generic widgets and formatting are in
app/web/kit; the data comes from models.margin.queries (no database access here).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.kit.badges import status_badge
from app.web.kit.controls import dialog
from app.web.kit.feedback import messages
from app.web.kit.format import amount, label, money, when
from app.web.kit.table import Column, col, num
from app.web.margin.rows import AlertRow
from models.margin.queries.alerts import AlertView

# kept importable from here for app/web/kit/forms.py (owned elsewhere) and the e2e tests
__all__ = ["dialog", "messages", "money"]

RULE_LABELS = {
    "map_breach": "MAP breach",
    "mrp_breach": "MRP breach",
    "competitor_undercut": "Competitor undercut",
    "dead_stock": "Dead stock",
}
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


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, label(rule))


def floor_kind_label(kind: str | None) -> str:
    return FLOOR_KIND_LABELS.get((kind or "").lower(), label(kind).upper() if kind else "—")


def dealer_href(org_type: str | None, org_id: Any) -> str:
    """The dealer page for dealers only: competitors (and other orgs) have no dealer page."""
    return f"/dealers/{org_id}" if org_type == "dealer" else ""


def alert_rows(views: list[AlertView]) -> list[AlertRow]:
    """The display row of each alert (lists, dashboard, dealer page, task options)."""
    return [
        AlertRow(
            id=str(v.alert.id),
            rule=v.alert.rule,
            rule_label=rule_label(v.alert.rule),
            status=v.alert.status,
            severity=v.alert.severity,
            dealer=v.dealer_name or "?",
            dealer_id=str(v.alert.dealer_id),
            dealer_href=dealer_href(v.dealer_type, v.alert.dealer_id),
            org_type=v.dealer_type or "",
            currency=v.currency,
            sku=v.sku_code or "?",
            sku_name=v.sku_name or "",
            impact=amount(v.alert.impact, v.currency),
            evidence=str(v.alert.evidence_count),
            opened=when(v.alert.opened_at, time=False),
        )
        for v in views
    ]


def alert_link(row: Var, testid: str = "") -> rx.Component:
    """The alert's rule, linked to its drilldown."""
    extra = {"data_testid": testid} if testid else {}
    return rx.link(row["rule_label"], href="/alert/" + row["id"].to(str), weight="medium", **extra)


def alert_columns(link_testid: str, *, evidence: bool, nowrap: dict[str, str] | None = None) -> list[Column]:
    """The alert list's columns (the /alerts list with its evidence count; the dashboard's newest
    breaches without it, their rule and date kept on one line: `nowrap`)."""
    keep = nowrap or {}
    columns = [
        col("Rule", lambda r: alert_link(r, link_testid), **keep),
        col("Dealer", lambda r: org_link(r["dealer"], r["dealer_href"], color_scheme="gray", data_testid="alert-org")),
        col(
            "SKU",
            lambda r: rx.vstack(
                rx.code(r["sku"], variant="ghost"), rx.text(r["sku_name"], size="1", color_scheme="gray"), spacing="0"
            ),
        ),
        col("Status", lambda r: status_badge(r["status"])),
        col("Severity", lambda r: severity_badge(r["severity"])),
        num("Impact", lambda r: rx.text(r["impact"], weight="medium"), white_space="nowrap"),
    ]
    if evidence:
        columns.append(num("Rows", "evidence"))
    return [*columns, col("Opened", lambda r: rx.text(r["opened"], size="1"), **keep)]


def severity_badge(severity: Var) -> rx.Component:
    return rx.badge(severity, color_scheme=rx.match(severity, *SEVERITY_COLORS, "gray"), variant="surface")


def org_link(name: Var, href: Var, **props) -> rx.Component:
    """The org's name, linked to its dealer page when it has one (competitors have none)."""
    return rx.cond(
        href.to(str) != "",
        rx.link(name, href=href.to(str), **props),
        rx.text(name, as_="span", **props),
    )


def kpi_card(
    title: str,
    value: Var,
    hint: Var | str,
    icon: str,
    testid: str,
    *,
    color: str = "accent",
    unit: Var | str | None = None,
) -> rx.Component:
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
