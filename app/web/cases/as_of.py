""" "As of" on the staff case page: pick a past moment (UTC) and read the case as it stood then —
status, timeline, evidence and checklist rebuilt from its events by the cases module
(`queries.case_detail(..., as_of)`, the same as `GET /api/cases/{id}?as_of=`), read-only: no
decisions, replies, uploads or edits while a past moment is shown. "Back to now" returns.

`AsOfMixin` goes before `DecisionDialogMixin` on the page state; the page's `_fetch_record` passes
`self._as_of_value()` on, and `_fill_record` asks `self._in_past()` before offering any write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reflex as rx

from app.web.kit import controls
from app.web.kit import format as fmt
from app.web.kit.calls import call
from engine.cases.permissions import READ


def parse_moment(text: str) -> datetime | None:
    """A `datetime-local` value (or an ISO instant); a moment without a zone is read as UTC."""
    try:
        at = datetime.fromisoformat(str(text or "").strip())
    except ValueError:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


class AsOfMixin(rx.State, mixin=True):
    as_of_text: str = ""
    as_of_shown: str = ""  # "" while the case is shown as it is now
    _as_of: str = ""  # the shown past moment, ISO

    def _as_of_value(self) -> datetime | None:
        return datetime.fromisoformat(self._as_of) if self._as_of else None

    def _in_past(self) -> bool:
        return bool(self._as_of)

    def _leave_past(self) -> None:
        self._as_of, self.as_of_shown = "", ""

    @rx.event
    def set_as_of_text(self, value: str):
        self.as_of_text = str(value or "")[:40]

    @rx.event
    async def show_as_of(self):
        ctx = await self._require(READ)  # type: ignore[attr-defined]
        record_id = self._record_id  # type: ignore[attr-defined]
        if ctx is None or not record_id:
            return
        at = parse_moment(self.as_of_text)
        if at is None:
            self.error = "As of: give a date and a time (UTC)."  # type: ignore[attr-defined]
            return
        ok, data = await call(self, self._fetch_record, ctx, record_id, at)  # type: ignore[attr-defined]
        if not ok:  # e.g. before the case was opened: the page stays as it was
            return
        self._as_of, self.as_of_shown = at.isoformat(), fmt.when(at) + " UTC"
        self._show_data(ctx, data)
        self.error, self.notice = "", ""  # type: ignore[attr-defined]

    @rx.event
    async def show_now(self):
        ctx = await self._require(READ)  # type: ignore[attr-defined]
        if ctx is None or not self._record_id:  # type: ignore[attr-defined]
            return
        self._leave_past()
        await self._show(ctx, self._record_id)  # type: ignore[attr-defined]

    def _show_data(self, ctx: Any, data: dict[str, Any]) -> None:
        """What DecisionDialogMixin._show does with fetched data (no actions in the past)."""
        self.actions = []  # type: ignore[attr-defined]
        self._shown_status = self._status_of(data)  # type: ignore[attr-defined]
        self._fill_record(ctx, data)  # type: ignore[attr-defined]


def as_of_bar(state: Any) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            controls.caption("As of (UTC)"),
            rx.input(
                type="datetime-local",
                value=state.as_of_text,
                on_change=state.set_as_of_text,
                aria_label="As of (UTC)",
                data_testid="case-as-of",
            ),
            rx.button("Show", size="1", variant="soft", on_click=state.show_as_of, data_testid="case-as-of-show"),
            rx.cond(
                state.as_of_shown != "",
                rx.button("Back to now", size="1", on_click=state.show_now, data_testid="case-as-of-now"),
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(
            state.as_of_shown != "",
            rx.callout(
                rx.text("As of ", state.as_of_shown, ": rebuilt from the case's events; nothing can be changed here."),
                icon="history",
                color_scheme="amber",
                size="1",
                data_testid="case-as-of-banner",
            ),
        ),
        spacing="2",
        width="100%",
    )
