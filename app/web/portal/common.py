"""What the vendor portal's pages share (ADR 0003: never a staff page module): the vendor-only
gate for handlers, the record-page state of the money pages, and the money words and colors."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

import reflex as rx

from app.web.kit import format as fmt
from engine.context import TenantContext
from engine.rbac import Role

PAGE_SIZE = 25
ACTIVE_CASE = ("open", "waiting_vendor", "in_review")
COLORS: tuple[tuple[str, str], ...] = (
    ("submitted", "blue"),
    ("on_hold", "amber"),
    ("approved", "green"),
    ("paid", "green"),
    ("rejected", "red"),
    ("open", "blue"),
    ("matched", "green"),
    ("mismatch", "red"),
    ("evidence_requested", "amber"),
    ("amount_differs", "amber"),
    ("not_in_ledger", "red"),
    ("confirmed", "green"),
    ("disputed", "red"),
    ("in_review", "violet"),
)
WORDS = {
    "unmatched": "received, not matched yet",
    "open": "being matched",
    "matched": "matched",
    "mismatch": "mismatch found",
    "evidence_requested": "evidence requested from you",
    "submitted": "awaiting approval",
    "on_hold": "on hold",
    "approved": "approved, to be paid",
    "paid": "paid",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
    "cancelled": "cancelled",
}


def vendor_only(ctx: TenantContext | None) -> TenantContext | None:
    """The context when it is a vendor's with an organization, else None."""
    return ctx if ctx is not None and ctx.organization_id is not None and ctx.role is Role.VENDOR else None


class VendorOnly(rx.State, mixin=True):
    """Every handler of the page (its mixins' too) admits a vendor only: put it before the mixins."""

    async def _require(self, permission: str) -> TenantContext | None:
        return vendor_only(await super()._require(permission))  # type: ignore[misc]


class VendorRecordMixin(VendorOnly, mixin=True):
    """A portal record page without a decision dialog (a match pack, a statement): `load` takes the
    id from the URL and calls the page's `_show(ctx)`, which says `_missing_text` when it fails."""

    found: bool = False
    loading: bool = False
    error: str = ""
    notice: str = ""
    busy: bool = False
    _record_id: str = ""

    _missing_text: ClassVar[str] = ""

    async def _show(self, ctx: TenantContext) -> None:
        raise NotImplementedError

    def _reset_record(self) -> None:
        """page: reset the page's own vars before a load"""

    @rx.event
    async def load(self):
        self.found, self.loading, self.error, self.notice = False, True, "", ""
        self._reset_record()
        yield
        ctx = await self._vendor()  # type: ignore[attr-defined]
        record = fmt.parse_uuid(fmt.last_segment(self.router.url.path))
        self._record_id = str(record) if record else ""
        if ctx is not None and record is not None:
            await self._show(ctx)
        elif ctx is not None:
            self.error = self._missing_text
        self.loading = False


def money(value: Decimal | None, currency: str = "") -> str:
    return fmt.amount(value, currency)


qty = fmt.quantity


@dataclass(frozen=True)
class MyRow:
    """One money record as a portal list row or a record page's header."""

    id: str = ""
    href: str = ""
    title: str = ""
    sub: str = ""
    amount: str = ""
    status: str = ""
    words: str = ""
    when: str = ""
