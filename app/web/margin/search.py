"""`/search?q=`: the margin search repository (alerts, dealers, SKUs, tasks) behind the top bar's
search box (app/web/margin_components.search_box) and the page's own input."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import reflex as rx
from reflex.vars import Var

from app.web.kit import badges, controls, feedback
from app.web.margin import components as mc
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.margin.permissions import READ
from models.margin.queries import alerts as alert_queries


@dataclass(frozen=True)
class SearchHit:
    """One search result row: where it links, what it says, and its status badge and tag ("" for none)."""

    href: str
    label: str
    status: str = ""
    extra: str = ""


def run_search(ctx: TenantContext, q: str) -> dict[str, list[SearchHit]]:
    found = alert_queries.search(ctx, q, limit=20)
    return {
        "alerts": [
            SearchHit(
                f"/alert/{a['id']}",
                f"{mc.rule_label(a['rule'])} · {a['dealer']} · {a['sku']}",
                a["status"],
                a["severity"],
            )
            for a in found["alerts"]
        ],
        "dealers": [SearchHit(f"/dealers/{d['id']}", d["name"], extra=d["code"]) for d in found["dealers"]],
        "skus": [SearchHit(f"/alerts?sku={x['id']}", f"{x['code']} — {x['name']}") for x in found["skus"]],
        "tasks": [SearchHit("/tasks", t["title"], t["status"]) for t in found["tasks"]],
    }


class SearchState(AuthState):
    query: str = ""
    searched: str = ""
    loading: bool = False
    alerts: list[SearchHit] = []
    dealers: list[SearchHit] = []
    skus: list[SearchHit] = []
    tasks: list[SearchHit] = []

    async def _search(self):
        q = self.query.strip()[:100]
        ctx = await self._require(READ)
        self.alerts, self.dealers, self.skus, self.tasks = [], [], [], []
        self.searched = ""
        if ctx is None or not q:
            return
        self.loading = True
        yield
        data = await asyncio.to_thread(run_search, ctx, q)
        self.alerts, self.dealers, self.skus, self.tasks = data["alerts"], data["dealers"], data["skus"], data["tasks"]
        self.searched, self.loading = q, False

    @rx.event
    async def load(self):
        self.query = str(self.router.url.query_parameters.get("q", ""))[:100]
        async for _ in self._search():
            yield

    @rx.event
    def set_query(self, value: str):
        self.query = str(value or "")[:100]

    @rx.event
    async def submit(self, form: dict | None = None):
        """The page's own box: go to `/search?q=…` (the URL holds the query, so back, reload and
        sharing show it); `load` runs the search there. The same query again just searches again."""
        if await self._require(READ) is None:
            return
        q = self.query.strip()[:100]
        if q and q != str(self.router.url.query_parameters.get("q", "")).strip():
            yield rx.redirect("/search?" + urlencode({"q": q}, quote_via=quote))
            return
        async for _ in self._search():
            yield


def _hit(item: Var) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.text(item.label, size="2", weight="medium", **controls.WRAP),
            rx.spacer(),
            rx.cond(item.extra != "", rx.badge(item.extra, variant="surface", color_scheme="gray")),
            rx.cond(item.status != "", badges.status_badge(item.status)),
            align="center",
            width="100%",
            padding="0.5rem 0.75rem",
            border_radius="var(--radius-2)",
            _hover={"background": rx.color("gray", 3)},
        ),
        href=item.href,
        underline="none",
        color=rx.color("gray", 12),
        width="100%",
        data_testid="search-hit",
    )


def _group(title: str, icon: str, items: Var) -> rx.Component:
    return controls.section(
        title,
        rx.cond(
            items.length() > 0,
            rx.vstack(rx.foreach(items, _hit), spacing="0", width="100%"),
            rx.text("No matches.", size="2", color_scheme="gray"),
        ),
        action=rx.icon(icon, size=18, color=rx.color("gray", 9)),
    )


@app_page("/search", "Search", permission=READ, on_load=SearchState.load)
def search_page() -> rx.Component:
    s = SearchState
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    value=s.query,
                    on_change=s.set_query,
                    placeholder="Dealer, SKU, rule or task title",
                    max_length=100,
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
                rx.grid(
                    _group("Alerts", "siren", s.alerts),
                    _group("Dealers", "store", s.dealers),
                    _group("SKUs", "package", s.skus),
                    _group("Tasks", "list-checks", s.tasks),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                ),
                feedback.empty("Type a dealer, SKU, rule or task title.", "search"),
            ),
        ),
        spacing="4",
        width="100%",
    )
