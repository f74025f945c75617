"""The display rows of the enforcement pages (bulk preview, execution, reports, report): frozen
dataclasses of ready-to-show strings and real booleans, built in views.py from the read models of
models.margin.queries.enforcement. (A field is never named `items`: Reflex's object vars have an
`items()` method.)"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.web.margin.rows import Count


@dataclass(frozen=True)
class StatusStep:
    """A dealer's status before and after an enforcement step; `changed` is False when it stays."""

    before: str = ""
    after: str = ""
    changed: bool = False

    @classmethod
    def of(cls, before: str | None, after: str | None) -> StatusStep:
        before, after = before or "", after or before or ""
        return cls(before, after, after != before)


@dataclass(frozen=True)
class PreviewLine:
    """A notice the batch would send: its dealer, alerts, SKUs, status step and follow-up task."""

    dealer: str
    alerts: str
    skus: str
    status: StatusStep
    recoverable: str
    follow_up: str


@dataclass(frozen=True)
class SkippedLine:
    dealer: str
    rule: str
    reason: str


@dataclass(frozen=True)
class Preview:
    """What a batch with these filters and this action would do; `empty` says why nothing would."""

    recoverable: str = ""
    currency: str = ""
    lines: list[PreviewLine] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    reasons: str = ""
    empty: str = ""
    totals: str = ""


@dataclass(frozen=True)
class FeedLine:
    at: str
    message: str
    level: str
    event: str


@dataclass(frozen=True)
class BatchHead:
    """What heads a batch's pages: its name, its action's label and its status."""

    name: str = ""
    label: str = ""
    status: str = ""


@dataclass(frozen=True)
class Execution(BatchHead):
    """One batch's progress as the execution page shows it."""

    id: str = ""
    job_id: str = ""
    percent: int = 0
    progress: str = ""
    counts: list[Count] = field(default_factory=list)
    feed: list[FeedLine] = field(default_factory=list)
    finished: bool = True


@dataclass(frozen=True)
class BatchRow:
    """A batch of /reports."""

    id: str
    name: str
    action: str
    status: str
    item_count: str
    done: str
    recoverable: str
    created: str


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True)
class Delta:
    label: str
    before: str
    after: str
    delta: str


@dataclass(frozen=True)
class ReportLine:
    """One alert of one notice in a batch report, with the price before and after."""

    dealer: str
    outcome: str
    status: StatusStep
    sku: str
    rule: str
    floor: str
    price_before: str
    price_after: str
    complied: str
    hours: str


@dataclass(frozen=True)
class Report(BatchHead):
    """A batch report: totals, outcomes, before/after deltas, lines and the links."""

    currency: str = ""
    totals: list[Figure] = field(default_factory=list)
    outcomes: list[Count] = field(default_factory=list)
    deltas: list[Delta] = field(default_factory=list)
    lines: list[ReportLine] = field(default_factory=list)
    csv: str = ""
    csv_name: str = ""
    execution: str = ""
