"""`KeysetListMixin`: the state of a keyset-paged list ("Load more"), written once.

A page state inherits it before `AuthState` (`class NoticesState(KeysetListMixin, AuthState)`),
sets `_list_permission` and implements one hook, `_page(ctx, cursor) -> (rows, next_cursor)`. The
hook runs in a worker thread while the event holds the state lock, so it may read the state's own
filter vars but must not write any. The cursor lives in a backend var (never sent to the browser,
never taken from an event argument), and `load_more` is guarded: a second click while a page is
loading does nothing, and a click after the last page does nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import reflex as rx

from app.web.kit.format import error_text
from engine.context import TenantContext
from engine.errors import DomainError


class KeysetListMixin(rx.State, mixin=True):
    rows: list[dict[str, str]] = []
    has_more: bool = False
    loading: bool = False
    error: str = ""
    _cursor: str = ""

    # page: the permission reading the list needs
    _list_permission: ClassVar[str] = ""

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[dict[str, str]], str | None]:
        """page: one page of display rows after `cursor` (None: the first) and the next cursor."""
        raise NotImplementedError

    def _clear_list(self) -> None:
        self.rows, self.has_more, self._cursor, self.error = [], False, "", ""

    async def _fetch_page(self, ctx: TenantContext, *, append: bool) -> None:
        """The first page (replacing the rows) or the next one (appended); a refused read becomes
        the list's error and ends the paging."""
        cursor = self._cursor if append else None
        try:
            rows, next_cursor = await asyncio.to_thread(self._page, ctx, cursor or None)
        except DomainError as exc:
            self.error, self.has_more, self._cursor = error_text(exc), False, ""
            return
        self.rows = [*self.rows, *rows] if append else rows
        self._cursor, self.has_more, self.error = next_cursor or "", bool(next_cursor), ""

    async def _paging(self, ctx: TenantContext, *, append: bool) -> Any:
        """Spinner on, then the page (an async generator: the `yield` shows the spinner first)."""
        self.loading = True
        yield
        try:
            await self._fetch_page(ctx, append=append)
        finally:
            self.loading = False

    async def _reload_list(self, ctx: TenantContext | None) -> Any:
        """Clear, show the spinner, then the first page (nothing for a caller without the permission).
        An async generator: page events run it with `async for _ in self._reload_list(ctx): yield`."""
        self._clear_list()
        if ctx is not None:
            async for _ in self._paging(ctx, append=False):
                yield

    @rx.event
    async def load_more(self):
        """The next page after the cursor kept server-side."""
        if self.loading or not self._cursor:
            return
        ctx = await self._require(self._list_permission)  # type: ignore[attr-defined]
        if ctx is None:
            self._clear_list()
            return
        async for _ in self._paging(ctx, append=True):
            yield
