"""Tables for every page, described by data: a `Column` per column (its header, the row's field or a
function of the row, the cell's props), the empty state when there are no rows, and the paged
list's "Load more" footer (KeysetListMixin). Rows are typed dataclasses (or dicts): a field is read
the same way on both, `row["field"]`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.kit.feedback import empty, spinner_block

Cell = str | Callable[[Var], rx.Component]
Header = str | rx.Component


@dataclass(frozen=True)
class Column:
    """One column: its header (text or a ready header cell), the cell (the row's field name or a
    function of the row) and the cell's props (text_align, white_space…)."""

    header: Header
    cell: Cell
    props: Mapping[str, Any] = field(default_factory=dict)

    def render(self, row: Var) -> rx.Component:
        return rx.table.cell(self.cell(row) if callable(self.cell) else row[self.cell], **self.props)


def col(header: Header, cell: Cell, **props: Any) -> Column:
    return Column(header, cell, props)


def num(header: Header, cell: Cell, **props: Any) -> Column:
    """A right-aligned column (counts, amounts)."""
    return Column(header, cell, {"text_align": "right", **props})


def when(header: Header, cell: Cell, **props: Any) -> Column:
    """A date or time column, kept on one line (a narrow table would break "2026-12-04" at its dash)."""
    return Column(header, cell, {"white_space": "nowrap", **props})


def _header(h: Header) -> rx.Component:
    return rx.table.column_header_cell(h) if isinstance(h, str) else h


def _surface(headers: Sequence[Header], body: rx.Component, testid: str, *, compact: bool) -> rx.Component:
    """The scrollable surface table: size 2 with the test id on the table, or compact (size 1) with
    the test id on the scroll box."""
    root = {"size": "1"} if compact else {"size": "2", "data_testid": testid}
    box = {"data_testid": testid} if compact else {}
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[_header(h) for h in headers])),
            rx.table.body(body),
            variant="surface",
            width="100%",
            **root,
        ),
        overflow_x="auto",
        width="100%",
        **box,
    )


def table(headers: list[str], body: rx.Component, testid: str) -> rx.Component:
    """A scrollable surface table; `body` is the rows (usually an rx.foreach)."""
    return _surface(headers, body, testid, compact=False)


def compact_table(headers: list[Header], body: rx.Component, testid: str) -> rx.Component:
    """A small scrollable table; `body` is the rows, a header is its text or a ready header cell.
    The test id is on the scroll box."""
    return _surface(headers, body, testid, compact=True)


def rows_of(rows: Var, columns: Sequence[Column], row_testid: str = "") -> rx.Component:
    """A table row per item of `rows`, a cell per column."""
    extra = {"data_testid": row_testid} if row_testid else {}
    return rx.foreach(rows, lambda r: rx.table.row(*[c.render(r) for c in columns], **extra))


def grid(
    columns: Sequence[Column], rows: Var, testid: str, row_testid: str = "", *, compact: bool = False
) -> rx.Component:
    """The table of `rows`, described by its columns."""
    return _surface([c.header for c in columns], rows_of(rows, columns, row_testid), testid, compact=compact)


def column_table(columns: list[tuple[Header, Cell]], rows: Var, testid: str, row_testid: str) -> rx.Component:
    """A compact table, a row per item of `rows`; each column is (header, the row's key or a
    function of the row)."""
    return grid([Column(h, c) for h, c in columns], rows, testid, row_testid, compact=True)


def table_or_empty(
    rows: Var,
    columns: Sequence[Column],
    testid: str,
    message: str,
    icon: str = "inbox",
    *,
    row_testid: str = "",
    loading: Var | None = None,
) -> rx.Component:
    """`rows` as a table, else the empty state; with `loading`, the spinner while loading and
    nothing is shown yet."""
    shown = rx.cond(rows.length() > 0, grid(columns, rows, testid, row_testid), empty(message, icon))
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


def paged_table(
    state: Any, columns: Sequence[Column], testid: str, message: str, icon: str, *, row_testid: str, more_testid: str
) -> rx.Component:
    """A KeysetListMixin state's rows: the table (spinner while the first page loads, else the empty
    state) and its "Load more" footer."""
    return rx.fragment(
        table_or_empty(state.rows, columns, testid, message, icon, row_testid=row_testid, loading=state.loading),
        load_more(state.has_more, state.loading, state.load_more, more_testid),
    )
