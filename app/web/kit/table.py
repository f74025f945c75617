"""Tables for every page: one builder over a header list, one over (header, cell) columns, the
empty state when there are no rows, and the paged list's "Load more" footer (KeysetListMixin)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from reflex.vars import Var

from app.web.kit.feedback import empty, spinner_block

Cell = str | Callable[[Var], rx.Component]
Header = str | rx.Component


def table(headers: list[str], body: rx.Component, testid: str) -> rx.Component:
    """A scrollable surface table; `body` is the rows (usually an rx.foreach)."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(body),
            variant="surface",
            size="2",
            width="100%",
            data_testid=testid,
        ),
        overflow_x="auto",
        width="100%",
    )


def _header(h: Header) -> rx.Component:
    return rx.table.column_header_cell(h) if isinstance(h, str) else h


def compact_table(headers: list[Header], body: rx.Component, testid: str) -> rx.Component:
    """A small scrollable table; `body` is the rows, a header is its text or a ready header cell.
    The test id is on the scroll box."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[_header(h) for h in headers])),
            rx.table.body(body),
            size="1",
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        data_testid=testid,
    )


def column_table(columns: list[tuple[Header, Cell]], rows: Var, testid: str, row_testid: str) -> rx.Component:
    """A compact table, a row per item of `rows`; each column is (header, the row's key or a
    function of the row)."""
    return compact_table(
        [h for h, _ in columns],
        rx.foreach(
            rows,
            lambda r: rx.table.row(
                *[rx.table.cell(c(r) if callable(c) else r[c]) for _, c in columns], data_testid=row_testid
            ),
        ),
        testid,
    )


def table_or_empty(
    rows: Var,
    headers: list[str],
    row: Callable[[Var], rx.Component],
    testid: str,
    message: str,
    icon: str = "inbox",
    *,
    loading: Var | None = None,
) -> rx.Component:
    """`rows` as a table (a `row(item)` each), else the empty state; with `loading`, the spinner
    while loading and nothing is shown yet."""
    shown = rx.cond(rows.length() > 0, table(headers, rx.foreach(rows, row), testid), empty(message, icon))
    if loading is None:
        return shown
    return rx.cond(loading & (rows.length() == 0), spinner_block(), shown)


def load_more(has_more: Var, loading: Var, on_click, testid: str, label: str = "Load more") -> rx.Component:
    """The paged list's footer: a "Load more" button while there is a next page (disabled while a
    page loads, so a double click fetches it once)."""
    return rx.cond(
        has_more,
        rx.center(
            rx.button(label, on_click=on_click, loading=loading, disabled=loading, variant="soft", data_testid=testid),
            width="100%",
        ),
    )
