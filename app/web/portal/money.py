"""The vendor's money lists in its portal: `/portal/invoices` (its invoices and how each was
reconciled), `/portal/payments`, `/portal/match-packs` and `/portal/statements`. The record pages
are money_payment.py (Withdraw its own payment), money_pack.py (every line explained — rule,
tolerance, variance — and "Dispute this line", which opens a linked case) and money_statement.py
(confirm or dispute each line of its statement of account).

Every handler admits a vendor membership only (common.VendorOnly) and calls the cases module's
queries and actions, which limit a vendor to its own organization (and RLS again). No staff page
module is imported (ADR 0003): the rows here are the portal's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.lists import KeysetListMixin
from app.web.portal.common import COLORS, PAGE_SIZE, WORDS, MyRow, VendorOnly, money
from app.web.portal.shell import PortalAuthState, portal_page
from engine.cases.permissions import READ
from engine.context import TenantContext
from models.cases import ledger_queries as queries
from models.cases import statement_queries

Fetch = Callable[[TenantContext, str | None], tuple[list[MyRow], str | None]]


def _invoice_rows(ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
    page = queries.invoice_page(ctx, limit=PAGE_SIZE, cursor=cursor)
    return [
        MyRow(
            str(v.id),
            f"/portal/match-packs/{v.match_pack_id}" if v.match_pack_id else "",
            v.number,
            f"paid {money(v.paid, v.currency)}",
            money(v.total, v.currency),
            v.state,
            WORDS.get(v.state, v.state) + (f" · {v.exceptions} line(s) with exceptions" if v.exceptions else ""),
            fmt.when(v.issued_at, time=False),
        )
        for v in page.items
    ], page.next_cursor


def _payment_rows(ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
    page = queries.payment_page(ctx, limit=PAGE_SIZE, cursor=cursor)
    return [
        MyRow(
            str(v.id),
            f"/portal/payments/{v.id}",
            v.reference,
            v.paid_reference or "",
            money(v.amount, v.currency),
            v.status,
            WORDS.get(v.status, v.status),
            fmt.when(v.paid_at or v.scheduled_for or v.created_at, time=False),
        )
        for v in page.items
    ], page.next_cursor


def _pack_rows(ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
    page = queries.pack_page(ctx, limit=PAGE_SIZE, cursor=cursor)
    return [
        MyRow(
            str(v.id),
            f"/portal/match-packs/{v.id}",
            v.title,
            f"{v.line_count} lines, {v.exception_lines} with exceptions",
            money(v.variance, v.currency),
            v.status,
            WORDS.get(v.status, v.status),
            fmt.when(v.created_at, time=False),
        )
        for v in page.items
    ], page.next_cursor


def _statement_rows(ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
    page = statement_queries.statement_page(ctx, limit=PAGE_SIZE, cursor=cursor)
    return [
        MyRow(
            str(v.id),
            f"/portal/statements/{v.id}",
            v.reference,
            f"{v.confirmed} confirmed · {v.disputed} disputed of {v.line_count}",
            money(v.vendor_balance, v.currency),
            "matched" if v.difference == 0 else "amount_differs",
            "agrees with our ledger"
            if v.difference == 0
            else f"differs from our ledger by {money(v.difference, v.currency)}",
            fmt.when(v.as_of, time=False),
        )
        for v in page.items
    ], page.next_cursor


class _MyList(VendorOnly, mixin=True):
    """A vendor's paged list: the page state adds KeysetListMixin and PortalAuthState and names its
    `_fetch` (one of the row functions above)."""

    _list_permission: ClassVar[str] = READ
    _fetch: ClassVar[Fetch]

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
        return type(self)._fetch(ctx, cursor)

    @rx.event
    async def load(self):
        ctx = await self._vendor()  # type: ignore[attr-defined]
        async for _ in self._reload_list(ctx):  # type: ignore[attr-defined]
            yield


class MyInvoicesState(_MyList, KeysetListMixin, PortalAuthState):
    rows: list[MyRow] = []
    _fetch = staticmethod(_invoice_rows)


class MyPaymentsState(_MyList, KeysetListMixin, PortalAuthState):
    rows: list[MyRow] = []
    _fetch = staticmethod(_payment_rows)


class MyPacksState(_MyList, KeysetListMixin, PortalAuthState):
    rows: list[MyRow] = []
    _fetch = staticmethod(_pack_rows)


class MyStatementsState(_MyList, KeysetListMixin, PortalAuthState):
    rows: list[MyRow] = []
    _fetch = staticmethod(_statement_rows)


def _title(r: Var) -> rx.Component:
    return rx.cond(
        r["href"] != "",
        rx.link(r["title"], href=r["href"], weight="medium", data_testid="portal-money-link"),
        rx.text(r["title"], weight="medium", data_testid="portal-money-title"),
    )


def _columns(names: tuple[str, str, str, str]) -> list[tables.Column]:
    """The four lists share their shape; `names` heads the record, detail, state and date columns."""
    record, detail, state, date = names
    return [
        tables.col(record, _title),
        tables.col(detail, lambda r: controls.hint(r["sub"])),
        tables.num("Amount", "amount"),
        tables.col("Status", lambda r: badges.status_badge(r["status"], COLORS, data_testid="portal-money-status")),
        tables.col(state, "words"),
        tables.when(date, "when"),
    ]


def _list(
    state: Any, heading: str, hint: str, empty: str, testid: str, names: tuple[str, str, str, str]
) -> rx.Component:
    return rx.vstack(
        rx.heading(heading, size="6"),
        controls.hint(hint),
        tables.paged_table(
            state,
            _columns(names),
            testid,
            empty,
            "inbox",
            row_testid=f"{testid}-row",
            more_testid=f"{testid}-more",
        ),
        spacing="4",
        width="100%",
    )


# route, menu title, state, heading, hint, empty text, test id, column names
LISTS: tuple[tuple[str, str, Any, str, str, str, str, tuple[str, str, str, str]], ...] = (
    (
        "/portal/invoices",
        "My invoices",
        MyInvoicesState,
        "My invoices",
        "Your invoices as we received them, and where each stands in our 3-way match.",
        "No invoices yet.",
        "portal-invoices",
        ("Invoice", "Paid so far", "Where it stands", "Issued"),
    ),
    (
        "/portal/payments",
        "My payments",
        MyPaymentsState,
        "My payments",
        "Payments to your organization. A payment is on hold while a case about it is open.",
        "No payments yet.",
        "portal-payments",
        ("Payment", "Bank reference", "Where it stands", "Date"),
    ),
    (
        "/portal/match-packs",
        "My match packs",
        MyPacksState,
        "My match packs",
        "Your invoices matched line by line against our purchase orders and goods receipts.",
        "No match packs yet.",
        "portal-packs",
        ("Match pack", "Lines", "Where it stands", "Created"),
    ),
    (
        "/portal/statements",
        "My statements",
        MyStatementsState,
        "My statements of account",
        "Your statements reconciled against our ledger: confirm or dispute each line.",
        "No statements yet.",
        "portal-statements",
        ("Statement", "Lines", "Against our ledger", "As of"),
    ),
)

for _route, _menu, _state, *_words in LISTS:
    portal_page(_route, _menu, on_load=_state.load)(lambda s=_state, w=tuple(_words): _list(s, *w))
