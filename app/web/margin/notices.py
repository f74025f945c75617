"""Notices (/notices): every enforcement notice, newest first, and how it was delivered — by e-mail or
webhook, when, and what failed (models.margin.queries.enforcement.notice_page).

Reads through the repository function the API's `GET /api/notices` uses
(`models.margin.enforcement.list_notices`, keyset pagination on created_at, id): "Load more" appends
the next page using the cursor kept server-side, a dealer filter restarts from the first page, and an
empty state explains where notices come from. Every handler checks `margin.read` itself.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import ClassVar

import reflex as rx

from app.web.kit import controls
from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.kit.feedback import error_box
from app.web.kit.lists import KeysetListMixin
from app.web.kit.rows import Option
from app.web.kit.table import col, grid, load_more
from app.web.margin.rows import NoticeRow
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.margin.enforcement import ACTIONS
from engine.margin.permissions import ENFORCE, READ
from models.margin import actions
from models.margin.queries import dealers as dealer_queries
from models.margin.queries import enforcement as enforcement_queries
from models.margin.queries.enforcement import NoticeDelivery

PAGE_SIZE = 25


def fetch_dealers(ctx: TenantContext) -> list[Option]:
    return [Option(str(r.dealer.id), r.dealer.name) for r in dealer_queries.dealer_options(ctx)]


def fetch_notices(ctx: TenantContext, dealer_id: uuid.UUID | None, cursor: str | None) -> tuple[list[NoticeRow], str]:
    """One page of the outbox as display rows plus the next cursor ("" when this is the last page)."""
    page = enforcement_queries.notice_page(ctx, dealer_id=dealer_id, limit=PAGE_SIZE, cursor=cursor)
    items = [
        NoticeRow(
            id=str(v.notice.id),
            sent=fmt.stamp(v.notice.created_at),
            dealer=v.dealer_name or str(v.notice.dealer_id),
            action=ACTIONS[v.notice.action][0] if v.notice.action in ACTIONS else v.notice.action,
            subject=v.notice.subject,
            alerts=str(len(v.notice.alert_ids or [])),
            channel=v.notice.channel,
            batch_href=f"/reports/{v.notice.batch_id}",
            delivery=delivery_text(v.deliveries),
            failed=any(d.status == "dead" for d in v.deliveries),
        )
        for v in page.items
    ]
    return items, page.next_cursor or ""


def delivery_text(deliveries: list[NoticeDelivery]) -> str:
    """One line per destination: 'e-mail to x@y: delivered 12 Mar 10:04' / 'webhook to https://…:
    failed — HTTP 500 (3 attempts, next 10:09)'; none: recorded only."""
    if not deliveries:
        return "Recorded only (no e-mail or webhook for this dealer)"
    lines = []
    for d in deliveries:
        how = "e-mail" if d.channel == "email" else "webhook"
        if d.status == "delivered":
            outcome = f"delivered {fmt.stamp(d.delivered_at)}"
        elif d.status == "dead":
            outcome = (
                f"failed after {d.attempts} attempt{'s' if d.attempts != 1 else ''} — {d.last_error or 'no answer'}"
            )
        elif d.attempts:
            outcome = f"retrying ({d.attempts} failed, next {fmt.stamp(d.next_attempt_at)}) — {d.last_error or ''}"
        else:
            outcome = "sending"
        lines.append(f"{how} to {d.to}: {outcome}")
    return "\n".join(lines)[:1000]


class NoticesState(KeysetListMixin, AuthState):
    rows: list[NoticeRow] = []
    dealer_options: list[Option] = []
    f_dealer: str = ANY
    can_open_case: bool = False

    _list_permission: ClassVar[str] = READ

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[NoticeRow], str | None]:
        return fetch_notices(ctx, fmt.parse_uuid(self.f_dealer), cursor)

    @rx.event
    async def open_case(self, notice_id: str):
        """Open a vendor case with the notice's dealer (its vendor portal shows it), then go to it."""
        ctx = await self._require(ENFORCE)
        notice = fmt.parse_uuid(notice_id)
        if ctx is None or notice is None or not any(r.id == str(notice) for r in self.rows):
            return
        ok, opened = await call(self, actions.open_case_for_notice, ctx, notice, writes=True)
        if ok:
            return rx.redirect(f"/cases/{opened['case_id']}")

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.can_open_case = bool(ctx and ctx.can(ENFORCE))
        self.f_dealer = ANY
        self._clear_list()
        self.dealer_options = await asyncio.to_thread(fetch_dealers, ctx) if ctx else []
        async for _ in self._reload_list(ctx):
            yield

    @rx.event
    async def set_dealer(self, value: str):
        ctx = await self._require(READ)
        if ctx is None:
            return
        self.f_dealer = str(fmt.parse_uuid(value)) if fmt.parse_uuid(value) else ANY
        async for _ in self._reload_list(ctx):
            yield


COLUMNS = [
    col("Sent", "sent", white_space="nowrap"),
    col("Dealer", "dealer", data_testid="notice-dealer"),
    col("Action", lambda r: rx.badge(r["action"], variant="soft")),
    col("Subject", "subject"),
    col("Alerts", "alerts"),
    col(
        "Delivery",
        lambda r: rx.text(
            r["delivery"],
            size="1",
            white_space="pre-line",
            color_scheme=rx.cond(r["failed"], "red", "gray"),
            data_testid="notice-delivery",
        ),
    ),
    col("Batch", lambda r: rx.link("Report", href=r["batch_href"])),
    col(
        "Case",
        lambda r: rx.cond(
            NoticesState.can_open_case,
            rx.button(
                "Open a case",
                size="1",
                variant="soft",
                on_click=NoticesState.open_case(r["id"]),
                data_testid="notice-case",
            ),
        ),
    ),
]


@app_page(
    "/notices",
    "Notices and their delivery",
    permission=READ,
    nav="Notices",
    icon="mail",
    order=16,
    on_load=NoticesState.load,
)
def notices_page() -> rx.Component:
    s = NoticesState
    return rx.vstack(
        rx.hstack(
            controls.field(
                "Dealer",
                controls.select(
                    s.dealer_options,
                    s.f_dealer,
                    s.set_dealer,
                    "Dealer",
                    first=(ANY, "All dealers"),
                    trigger={"width": "100%", "data_testid": "notices-dealer"},
                ),
                min_width="14rem",
            ),
            rx.cond(s.loading, rx.spinner()),
            align="end",
            spacing="3",
        ),
        error_box(s.error),
        rx.cond(
            (s.rows.length() == 0) & ~s.loading,
            rx.callout(
                "No notice yet. Notices are recorded here when an enforcement batch runs (see Bulk); each goes "
                "to the webhooks subscribed to margin.notice.sent and, as the dealer prefers, by e-mail or to "
                "its own webhook.",
                icon="inbox",
                data_testid="notices-empty",
            ),
            grid(COLUMNS, s.rows, "notices-table", "notice-row", compact=True),
        ),
        load_more(s.has_more, s.loading, s.load_more, "notices-more"),
        spacing="4",
        width="100%",
    )


__all__ = ["NoticesState", "fetch_notices"]
