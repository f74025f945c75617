"""`/alert/[id]`: one alert's drilldown (rule, math, floor source, timeline, evidence, actions by
role) over the alert detail read model the REST API's `GET /api/alerts/{id}` shares."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, ClassVar
from urllib.parse import urlencode

import reflex as rx
from reflex.vars import Var

from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.decisions import Action, Decision, DecisionDialogMixin, action_buttons, decision_page, record_header
from app.web.kit.table import col, num
from app.web.margin import components as mc
from app.web.margin.rows import AlertDetail, EvidenceRow, Term, TimelineEntry
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.margin.permissions import ALERTS_UPDATE as UPDATE
from engine.margin.permissions import NOTES_WRITE as NOTES
from engine.margin.permissions import READ
from models.margin import actions
from models.margin.queries import alerts as alert_queries

DONE_NOTICES = {
    "": "Note added.",
    "acknowledge": "Alert acknowledged.",
    "enforce": "Enforcement started.",
    "stand_down": "Enforcement stopped.",
    "resolve": "Alert resolved.",
    "dismiss": "Alert dismissed.",
    "reopen": "Alert reopened.",
}


def _timeline_text(alert_rule: str, entry: dict[str, Any]) -> str:
    if entry["type"] == "opened":
        return f"{mc.rule_label(alert_rule)} alert opened"
    return str(entry.get("text") or "")


def _timeline_reason(entry: dict[str, Any]) -> str:
    if entry["type"] == "notice":
        return f"{fmt.label(entry.get('action'))} via {entry.get('channel')}"
    return str(entry.get("reason") or "")


def fetch_alert(ctx: TenantContext, alert_id: str) -> dict[str, Any]:
    """Everything the drilldown shows: the shared alert detail read model, as display rows."""
    detail = alert_queries.alert_detail(ctx, alert_id)
    alert, people, source, info = detail.view.alert, detail.people, detail.floor_source, detail.rule_info
    row = mc.alert_rows([detail.view])[0]
    math = dict(alert.explanation or {})
    currency = detail.currency
    terms = [
        Term(str(i + 1), str(t.get("text", "")), fmt.money(t.get("value")))
        for i, t in enumerate(math.get("terms") or [])
    ]
    evidence = []
    for e in detail.evidence:
        sale = detail.sales.get(e.sale_row_id) if e.sale_row_id else None
        evidence.append(
            EvidenceRow(
                kind=fmt.label(e.kind),
                observed=fmt.when(e.observed_at),
                qty=str(e.qty),
                price=fmt.money(e.price),
                floor=fmt.money(e.floor),
                depth=_pct(e.depth_pct),
                impact=fmt.amount(e.impact, currency),
                source=sale.source if sale else ("competitor snapshot" if e.snapshot_id else "inventory"),
            )
        )
    timeline = [
        TimelineEntry(
            at=fmt.when(x["at"]),
            type=x["type"],
            text=_timeline_text(alert.rule, x),
            reason=_timeline_reason(x),
            actor=people.get(str(x.get("actor") or ""), str(x.get("actor") or "")),
            status=str(x.get("status") or ""),
        )
        for x in detail.timeline
    ]
    price_rule = ""
    if info is not None:
        price_rule = (
            f"{info.book.name}: {fmt.amount(info.rule.amount, info.book.currency)}, effective from "
            f"{fmt.when(info.rule.effective_from, time=False)}"
        )
    header = AlertDetail(
        **asdict(row),
        floor=fmt.amount(alert.floor, currency),
        worst_price=fmt.amount(alert.worst_price, currency),
        depth=_pct(alert.max_depth_pct),
        units=str(alert.units),
        first_seen=fmt.when(alert.first_seen),
        last_seen=fmt.when(alert.last_seen),
        formula=str(math.get("formula") or ""),
        rendered=str(math.get("rendered") or ""),
        total=fmt.amount(math.get("total"), currency) if math.get("total") is not None else row.impact,
        floor_kind=mc.floor_kind_label(source.get("kind")),
        price_rule_id=str(source.get("price_rule_id") or (alert.floor_rule_id or "")),
        price_rule=price_rule,
        source_floor=fmt.money(source.get("floor")) if source.get("floor") else "",
        why_href=why_price_href(
            row.sku,
            row.dealer_id if row.org_type == "dealer" else "",
            source.get("kind"),
            info.book.kind if info else None,
            alert.last_seen or alert.opened_at,
        ),
    )
    return {
        "alert": header,
        "terms": terms,
        "evidence": evidence,
        "timeline": timeline,
        "actions": [Action(a["action"], a["label"], bool(a["reason_required"])) for a in detail.actions],
    }


def _pct(value: Any) -> str:
    return f"{value:.1f} %" if value is not None else "—"


def why_price_href(sku_code: str, dealer_id: str, floor_kind: Any, book_kind: Any, at: Any) -> str:
    """The catalog pricing page for this alert's SKU, dealer, floor kind and date."""
    kind = str(floor_kind or "").lower()
    if kind not in ("map", "mrp"):  # "our price": the list price, else MAP — the rule's own book says which
        kind = str(book_kind or "list").lower()
    params = {"sku": sku_code, "org": dealer_id, "kind": kind, "at": fmt.when(at, time=False) if at else ""}
    return "/catalog/pricing?" + urlencode({k: v for k, v in params.items() if v})


class AlertDetailState(DecisionDialogMixin, AuthState):
    alert: AlertDetail = AlertDetail()
    terms: list[Term] = []
    evidence: list[EvidenceRow] = []
    timeline: list[TimelineEntry] = []
    can_note: bool = False
    note: str = ""

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = UPDATE
    _missing_text: ClassVar[str] = "This alert does not exist in your tenant."
    _denied_text: ClassVar[str] = "Your role may not change this alert."

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        return fetch_alert(ctx, record_id)

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.alert, self.terms, self.evidence = data["alert"], data["terms"], data["evidence"]
        self.timeline = data["timeline"]
        self.can_note = ctx.can(NOTES)
        return data["alert"].id

    def _blank_record(self) -> None:
        self.alert, self.terms, self.evidence, self.timeline = AlertDetail(), [], [], []
        self.can_note, self.note = False, ""

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        actions.patch_alert(ctx, record_id, **asdict(decision))

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["alert"].status

    def _done_notice(self, action: str | None) -> str:
        return DONE_NOTICES.get(action or "", "Alert updated.")

    def _permission_for(self, action: str | None) -> str:
        return UPDATE if action else NOTES

    def _needs_reason(self, chosen: Action) -> bool:
        return chosen.reason

    @rx.event
    def set_note(self, value: str):
        # never cut: the counter shows the limit, "Add note" waits until the text fits
        self.note = str(value or "")

    @rx.event
    async def add_note(self):
        text = self.note.strip()
        if not text:
            return
        if fmt.too_long("The note", text, mc.NOTE_MAX):
            self.error = fmt.too_long("The note", text, mc.NOTE_MAX)
            return
        await self._decide(None, None, text)
        if not self.error:
            self.note = ""


TERM_COLUMNS = [col("#", "n"), col("Term", lambda t: rx.code(t["text"], variant="ghost")), num("Value", "value")]
EVIDENCE_COLUMNS = [
    col("Observed", lambda e: rx.text(e["observed"], size="1")),
    col("Kind", "kind"),
    col("Source", "source"),
    num("Qty", "qty"),
    num("Price", "price"),
    num("Floor", "floor"),
    num("Depth", "depth"),
    num("Impact", lambda e: rx.text(e["impact"], weight="medium"), white_space="nowrap"),
]


def _timeline_item(e: Var) -> rx.Component:
    icon = rx.match(
        e["type"],
        ("opened", rx.icon("siren", size=16)),
        ("decision", rx.icon("gavel", size=16)),
        ("task", rx.icon("list-checks", size=16)),
        ("note", rx.icon("message-square", size=16)),
        ("notice", rx.icon("mail", size=16)),
        rx.icon("circle", size=16),
    )
    return rx.hstack(
        rx.box(
            icon, padding="0.4rem", border_radius="full", background=rx.color("accent", 3), color=rx.color("accent", 11)
        ),
        rx.vstack(
            rx.hstack(
                rx.text(e["text"], weight="medium", size="2", white_space="pre-wrap", **controls.WRAP),
                rx.cond(e["status"] != "", badges.status_badge(e["status"])),
                spacing="2",
                align="center",
                wrap="wrap",
                max_width="100%",
            ),
            rx.cond(
                e["reason"] != "",
                rx.text("“", e["reason"], "”", size="2", color_scheme="gray", white_space="pre-wrap", **controls.WRAP),
            ),
            rx.text(
                e["at"],
                rx.cond(e["actor"] != "", rx.text.span(" · ", e["actor"])),
                size="1",
                color_scheme="gray",
                **controls.WRAP,
            ),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        align="start",
        spacing="3",
        width="100%",
        data_testid="timeline-item",
    )


def _fact(caption: str, value: Var | str, **props) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(caption), rx.data_list.value(value, **props))


def _lines(*lines: rx.Component) -> rx.Component:
    return rx.vstack(*lines, spacing="0", min_width="0")


def alert_actions() -> rx.Component:
    return action_buttons(AlertDetailState, "alert-action", solid="resolve", disable_while_busy=True)


def _header(a: Var) -> rx.Component:
    return record_header(
        rx.heading(a["rule_label"], size="6", data_testid="alert-rule"),
        badges.status_badge(a["status"], data_testid="alert-status"),
        mc.severity_badge(a["severity"]),
        sub=rx.text(
            mc.org_link(a["dealer"], a["dealer_href"], data_testid="alert-org"),
            rx.cond(a["org_type"] == "competitor", rx.text.span(" (competitor)", color_scheme="gray")),
            " · ",
            rx.code(a["sku"], variant="ghost"),
            " ",
            a["sku_name"],
            size="2",
        ),
        aside=rx.vstack(
            controls.hint("Impact"),
            rx.heading(a["impact"], size="6", data_testid="alert-impact"),
            align="end",
            spacing="0",
        ),
        footer=(
            rx.divider(margin_y="0.75rem"),
            rx.flex(
                alert_actions(),
                rx.spacer(),
                controls.hint("Opened ", a["opened"]),
                align="center",
                wrap="wrap",
                gap="0.5rem",
                width="100%",
            ),
        ),
    )


def _math(a: Var) -> rx.Component:
    s = AlertDetailState
    return controls.section(
        "Math",
        rx.code(
            a["rendered"],
            variant="soft",
            size="2",
            white_space="pre-wrap",
            padding="0.5rem",
            data_testid="alert-formula",
        ),
        rx.cond(s.terms.length() > 0, tables.grid(TERM_COLUMNS, s.terms, "math-terms")),
        rx.hstack(rx.text("Total", weight="bold"), rx.spacer(), rx.text(a["total"], weight="bold"), width="100%"),
    )


def _floor(a: Var) -> rx.Component:
    rule = _lines(
        rx.text(
            rx.cond(a["price_rule"] != "", a["price_rule"], "price rule"),
            size="2",
            data_testid="price-rule",
            **controls.WRAP,
        ),
        rx.code(a["price_rule_id"], variant="ghost", size="1", color_scheme="gray", **controls.WRAP),
    )
    return controls.section(
        "Floor and its source",
        rx.data_list.root(
            _fact(
                "Floor",
                _lines(
                    rx.text(a["floor"]),
                    controls.hint(a["floor_kind"], data_testid="floor-kind"),
                ),
            ),
            _fact("Price rule", rx.cond(a["price_rule_id"] != "", rule, rx.text("none"))),
            _fact("Worst price", a["worst_price"]),
            _fact("Deepest breach", a["depth"]),
            _fact("Units", a["units"]),
            _fact("First / last seen", rx.text(a["first_seen"], " → ", a["last_seen"], size="1")),
            size="2",
        ),
        rx.link(
            rx.hstack(rx.icon("circle-help", size=14), "Why this price? (price rules)", align="center", spacing="1"),
            href=a["why_href"].to(str),
            size="2",
            data_testid="why-price-link",
        ),
    )


def _note_form() -> rx.Component:
    s = AlertDetailState
    return rx.vstack(
        rx.hstack(
            controls.note_input(s.note, s.set_note, "note-input", placeholder="Add a note", rows="2"),
            rx.button(
                "Add note",
                on_click=s.add_note,
                disabled=s.busy | (s.note.strip() == "") | (s.note.length() > mc.NOTE_MAX),
                data_testid="note-add",
            ),
            align="end",
            width="100%",
        ),
        controls.char_counter(s.note, mc.NOTE_MAX, "note-counter"),
        spacing="1",
        width="100%",
    )


@app_page("/alert/[id]", "Alert", permission=READ, on_load=AlertDetailState.load)
def alert_page() -> rx.Component:
    s = AlertDetailState
    a = s.alert
    return decision_page(
        s,
        _header(a),
        rx.grid(_math(a), _floor(a), columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%"),
        controls.section(
            "Evidence",
            tables.table_or_empty(
                s.evidence, EVIDENCE_COLUMNS, "evidence-table", "No evidence rows.", row_testid="evidence-row"
            ),
            action=controls.hint("Amounts in ", a["currency"]),
        ),
        controls.section(
            "Timeline",
            rx.vstack(rx.foreach(s.timeline, _timeline_item), spacing="3", width="100%"),
            rx.cond(s.can_note, _note_form()),
        ),
        href="/alerts",
        back="alerts",
        missing="Alert not found.",
        missing_testid="alert-missing",
    )
