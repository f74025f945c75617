"""The pricing page's state: price books and rules, the book / rule forms (pricing.write), and the
"why this price?" panel with its deep links (see app/web/catalog/pricing.py).

Every handler re-checks pricing.read / pricing.write and the tenant's flags itself (books and rules
need ENABLE_PRICE_BOOKS, the panel also ENABLE_PRICE_RESOLUTION) and calls the catalog's queries
and actions through app/web/catalog/price_views.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import reflex as rx

from app.web.catalog import price_views
from app.web.catalog.forms import FORMS
from app.web.catalog.price_views import BookRow, CandidateRow, Option, RuleRow, RuleWarning
from app.web.catalog.widgets import CatalogPage, page_context
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.kit.format import error_text
from app.web.kit.forms import NONE, EntityForm, FormSpec
from app.web.shell.auth import AuthState
from engine.catalog.permissions import PRICING_READ as READ
from engine.catalog.permissions import PRICING_WRITE as WRITE
from engine.context import TenantContext
from engine.errors import DomainError
from engine.pricing import PRICE_BOOK_KINDS
from models.catalog.deep_link import LINK_PARAMS
from models.catalog.queries import feature_enabled
from models.core.flags import ENABLE_PRICE_BOOKS, ENABLE_PRICE_RESOLUTION


class PricingState(CatalogPage, EntityForm, AuthState):
    _forms: ClassVar[Mapping[str, FormSpec]] = FORMS
    _form_kinds = ("book", "rule")
    notice: str = ""
    rule_warnings: list[RuleWarning] = []
    resolution_on: bool = False
    loading: bool = False
    error: str = ""
    books: list[BookRow] = []
    book_id: str = ANY
    rules: list[RuleRow] = []
    conflicts: list[RuleWarning] = []
    sku_options: list[Option] = []
    org_options: list[Option] = []
    channel_options: list[Option] = []
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
    w_rows: list[CandidateRow] = []
    w_running: bool = False
    w_winner: str = ""  # full id of the winning rule (highlighted in both tables)
    w_rule: str = ""  # full id of the rule a deep link asked about (`rule=`)
    w_verdict: str = ""  # whether that rule won, or which rule beat it
    w_link_problems: list[str] = []  # one sentence per bad deep-link parameter

    async def _load(self):
        self.loading, self.error = True, ""
        self.rules, self.conflicts, self.w_rows, self.w_summary, self.w_price = [], [], [], "", ""
        yield
        ctx = await self._page_context(READ, ENABLE_PRICE_BOOKS)
        if ctx is not None:
            self.can_write = ctx.can(WRITE)
            self.resolution_on = await asyncio.to_thread(feature_enabled, ctx, ENABLE_PRICE_RESOLUTION)
            ok, data = await call(self, price_views.overview, ctx, self.book_id)
            if ok:
                self.books, self.rules, self.conflicts = data.books, data.rules, data.conflicts
                self.sku_options, self.org_options, self.channel_options = data.skus, data.orgs, data.channels
            if not self.w_sku and self.sku_options:
                self.w_sku = self.sku_options[0].id
            if not self.w_currency and self.books:
                self.w_currency = self.books[0].currency
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
        link = await asyncio.to_thread(price_views.deep_link, ctx, params)
        for name, value in link["fields"].items():
            setattr(self, name, value)
        self.w_rule, self.w_link_problems = link["rule"], link["problems"]
        extra = link["inactive_sku"]
        if extra and all(o.id != extra.id for o in self.sku_options):
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
            answer = await asyncio.to_thread(price_views.explain, ctx, form)
        except DomainError as exc:
            self.w_error = error_text(exc)
            self.w_rows, self.w_summary, self.w_price, self.w_level, self.w_winner = [], "", "", "", ""
            self.w_verdict = ""
        else:
            self.w_summary, self.w_price, self.w_level = answer.summary, answer.price, answer.level
            self.w_rows, self.w_winner = answer.candidates, answer.winner
            self.w_verdict = price_views.rule_verdict(self.w_rule, answer)

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        async for _ in self._load():
            pass
        noun = FORMS[kind].noun
        self.notice = f"Saved {noun} {result['label']}."
        self.rule_warnings = result.get("warnings", [])

    @rx.var
    def rule_currency(self) -> str:
        """The chosen book's currency: a rule is always in its book's currency."""
        wanted = self.form.get("price_book_id", "")
        return next((b.currency for b in self.books if b.id == wanted), "")

    @rx.event
    async def pick_book(self, value: str):
        self.book_id = str(value or ANY)[:64]
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
