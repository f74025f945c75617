"""The display rows of the margin pages: frozen dataclasses of ready-to-show strings (and real
booleans), built server-side from models.margin.queries read models. Reflex knows their fields, so
a view reads `row["dealer"]` from a typed row; every field has a default so a blank row can stand
in for "nothing loaded"."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlertRow:
    """An alert in every margin list (alerts, dashboard, dealer page, task options)."""

    id: str = ""
    rule: str = ""
    rule_label: str = ""
    status: str = ""
    severity: str = ""
    dealer: str = ""
    dealer_id: str = ""
    dealer_href: str = ""
    org_type: str = ""
    currency: str = ""
    sku: str = ""
    sku_name: str = ""
    impact: str = ""
    evidence: str = ""
    opened: str = ""


@dataclass(frozen=True)
class AlertDetail(AlertRow):
    """The drilldown's header and panels: the list row plus the math, floor and price rule."""

    floor: str = ""
    worst_price: str = ""
    depth: str = ""
    units: str = ""
    first_seen: str = ""
    last_seen: str = ""
    formula: str = ""
    rendered: str = ""
    total: str = ""
    floor_kind: str = ""
    price_rule_id: str = ""
    price_rule: str = ""
    source_floor: str = ""
    why_href: str = ""


@dataclass(frozen=True)
class Term:
    """One numbered term of an alert's impact formula."""

    n: str
    text: str
    value: str


@dataclass(frozen=True)
class EvidenceRow:
    kind: str
    observed: str
    qty: str
    price: str
    floor: str
    depth: str
    impact: str
    source: str


@dataclass(frozen=True)
class TimelineEntry:
    """An alert timeline item; `type` picks its icon, `status` ("" for none) its badge."""

    at: str
    type: str
    text: str
    reason: str
    actor: str
    status: str


@dataclass(frozen=True)
class DealerRow:
    """A dealer of /dealers: status and open breach figures."""

    id: str = ""
    name: str = ""
    code: str = ""
    status: str = ""
    open_alerts: str = ""
    lost_margin: str = ""


@dataclass(frozen=True)
class DealerSummary(DealerRow):
    """The dealer page's header and KPI figures: the list row plus the currency and open tasks."""

    currency: str = ""
    open_tasks: str = ""


@dataclass(frozen=True)
class Count:
    """A labelled count: open alerts per rule, outcomes of a batch."""

    label: str
    count: str


@dataclass(frozen=True)
class Rung:
    """One status of the dealer ladder; `current` and `past` place the dealer on it."""

    status: str
    label: str
    current: bool
    past: bool


@dataclass(frozen=True)
class StatusChange:
    """One status change in a dealer's history."""

    at: str
    action: str
    before: str
    after: str
    reason: str
    actor: str


@dataclass(frozen=True)
class SentNotice:
    """A notice sent to a dealer (the dealer page)."""

    at: str
    action: str
    subject: str
    channel: str
    count: str


@dataclass(frozen=True)
class NoticeRow:
    """A notice (/notices) and how it went out: `delivery` says to whom, how and when (or what
    failed), one line per destination; `failed` when any delivery is dead."""

    id: str
    sent: str
    dealer: str
    action: str
    subject: str
    alerts: str
    channel: str
    batch_href: str
    delivery: str = ""
    failed: bool = False


@dataclass(frozen=True)
class TaskRow:
    """A task of /tasks; `overdue` and `closable` drive the red due date and the Done button."""

    id: str = ""
    title: str = ""
    notes: str = ""
    status: str = ""
    alert_id: str = ""
    alert: str = ""
    dealer: str = ""
    assignee: str = ""
    assignee_id: str = ""
    due: str = ""
    overdue: bool = False
    closable: bool = False
