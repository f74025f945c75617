"""`/search?q=`: the one search across modules (models/core/search.py, the same as GET /api/search),
and the top-bar search box every page shows (registered as a top-bar item). Hits are grouped by
type, in the order the providers declare, best match first; only groups the role may read appear."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls, feedback
from app.web.kit.links import row_link
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from app.web.shell.registry import register_top_bar_item
from engine.context import TenantContext
from models.core import search as core_search

# Any signed-in member may search; each group checks its own read permission.
SEARCH = "core.dashboard.read"
MAX_QUERY = core_search.MAX_QUERY


@dataclass(frozen=True)
class SearchRow:
    """One line of the result list: a group's heading (`heading`), or a hit linking to `href`."""

    heading: bool
    label: str
    detail: str = ""
    href: str = ""
    kind: str = ""


def run_search(ctx: TenantContext, q: str) -> list[SearchRow]:
    rows: list[SearchRow] = []
    for group in core_search.search(ctx, q, per_group=10).groups:
        if group.hits:
            rows.append(SearchRow(True, group.label, str(len(group.hits)), kind=group.type))
            rows += [SearchRow(False, h.title, h.subtitle, h.url, h.type) for h in group.hits]
    return rows


class SearchState(AuthState):
    query: str = ""
    searched: str = ""
    loading: bool = False
    rows: list[SearchRow] = []

    async def _search(self):
        q = self.query.strip()[:MAX_QUERY]
        ctx = await self._require(SEARCH)
        self.rows, self.searched = [], ""
        if ctx is None or not q:
            return
        self.loading = True
        yield
        self.rows = await asyncio.to_thread(run_search, ctx, q)
        self.searched, self.loading = q, False

    @rx.event
    async def load(self):
        self.query = str(self.router.url.query_parameters.get("q", ""))[:MAX_QUERY]
        async for _ in self._search():
            yield

    @rx.event
    def set_query(self, value: str):
        self.query = str(value or "")[:MAX_QUERY]

    @rx.event
    async def submit(self, form: dict | None = None):
        """The page's own box: go to `/search?q=…` (the URL holds the query, so back, reload and
        sharing show it); `load` runs the search there. The same query again just searches again."""
        if await self._require(SEARCH) is None:
            return
        q = self.query.strip()[:MAX_QUERY]
        if q and q != str(self.router.url.query_parameters.get("q", "")).strip():
            yield rx.redirect("/search?" + urlencode({"q": q}, quote_via=quote))
            return
        async for _ in self._search():
            yield


def _row(row: Var) -> rx.Component:
    return rx.cond(
        row.heading,
        rx.hstack(
            rx.heading(row.label, size="3"),
            rx.badge(row.detail, variant="soft", color_scheme="gray"),
            align="center",
            padding_top="0.75rem",
            data_testid="search-group",
        ),
        row_link(
            rx.text(row.label, size="2", weight="medium", **controls.WRAP),
            rx.spacer(),
            rx.text(row.detail, size="1", color_scheme="gray"),
            href=row.href,
            testid="search-hit",
            data_kind=row.kind,
        ),
    )


@app_page("/search", "Search", permission=SEARCH, on_load=SearchState.load)
def search_page() -> rx.Component:
    s = SearchState
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    value=s.query,
                    on_change=s.set_query,
                    placeholder="Code, name or title",
                    max_length=MAX_QUERY,
                    width="100%",
                    size="3",
                    aria_label="Search query",
                    data_testid="search-input",
                ),
                rx.button("Search", size="3", type="submit"),
                width="100%",
            ),
            on_submit=s.submit,
            width="100%",
        ),
        rx.cond(
            s.loading,
            feedback.spinner_block(),
            rx.cond(
                s.searched != "",
                rx.cond(
                    s.rows.length() > 0,
                    rx.vstack(rx.foreach(s.rows, _row), spacing="1", width="100%"),
                    feedback.empty("No matches. Try a code, the start of a name, or fewer words.", "search"),
                ),
                feedback.empty("Type a code, a name or a title.", "search"),
            ),
        ),
        spacing="4",
        width="100%",
    )


# Reflex forms always preventDefault, so the browser goes to /search?q=… itself (compiled into the
# bundle, no eval: the CSP holds); the page reads `q` on load and runs the search server-side.
SEARCH_JS = (
    "(() => { const el = document.querySelector('form[role=search] input[name=q]');"
    " const q = ((el && el.value) || '').trim();"
    f" if (q) window.location.assign('/search?q=' + encodeURIComponent(q.slice(0, {MAX_QUERY}))); return null; }})"
)


def search_box() -> rx.Component:
    """The top-bar search box: submits to /search."""
    return rx.el.form(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            name="q",
            placeholder="Search",
            type="search",
            max_length=MAX_QUERY,
            size="2",
            width="18rem",
            aria_label="Search",
            data_testid="global-search",
        ),
        on_submit=lambda _form: rx.call_function(Var(_js_expr=SEARCH_JS)),
        action="/search",  # a submit before hydration goes there natively
        method="get",
        role="search",
        display=["none", "none", "block"],
    )


register_top_bar_item("search", search_box)
