"""The record page with a decision dialog, shared by every decision-bearing entity's page
(`/alert/[id]`, `/dealers/[id]`, the organization panel of `/catalog/organizations`).

`DecisionDialogMixin` is a Reflex state mixin: a page state inherits it before `AuthState`
(`class AlertDetailState(DecisionDialogMixin, AuthState)`) and gets its vars and event handlers
(`load`, `start_action`, `set_reason`, `close_dialog`, `confirm_action`) copied onto itself. The
page fills in the `ClassVar`s and the `_`-helpers marked "page" below. Every handler re-checks the
permission (`self._require`), the shown record's id lives in the backend var `_record_id` (taken
from the URL by `load`, never from an argument) and only actions from the server-computed
`actions` list are accepted. `decision_page(...)` renders the page around it: spinner, "not found",
back link, messages and the reason dialog.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import reflex as rx
from pydantic import ValidationError
from reflex.vars import Var

from app.web.kit import controls, feedback
from app.web.kit import format as fmt
from app.web.kit.calls import write
from engine.context import TenantContext
from engine.errors import DomainError, StaleStatus

# the longest reason or note the decision path stores (the modules' input models say the same)
REASON_MAX = 4000


@dataclass(frozen=True)
class Action:
    """A decision the shown record offers this person (`reason`: it needs a written reason)."""

    action: str
    label: str
    reason: bool = False

    def __getitem__(self, key: str) -> Any:
        """`a["action"]` reads as `a.action`: callers written against the dict rows keep working."""
        return getattr(self, key)


def as_action(item: Action | Mapping[str, Any]) -> Action:
    """An `Action` from a page's action (or a dict with action, label and a truthy reason)."""
    if isinstance(item, Action):
        return item
    return Action(str(item["action"]), str(item["label"]), bool(item.get("reason")))


@dataclass(frozen=True)
class Decision:
    """What `_apply_decision` applies: an action (None for a plain note), its reason or note, and
    the status the person saw."""

    action: str | None
    reason: str | None
    note: str | None
    expected_status: str | None


def decide_by(fn: Callable[..., Any], ctx: TenantContext, record_id: str, decision: Decision) -> Any:
    """The usual `_apply_decision`: `fn(ctx, id, action, reason, expected_status)`, a module's
    `decide_<entity>` action."""
    return fn(ctx, fmt.parse_uuid(record_id), decision.action or "", decision.reason, decision.expected_status)


class DecisionDialogMixin(rx.State, mixin=True):
    found: bool = False
    loading: bool = False
    error: str = ""
    notice: str = ""
    actions: list[Action] = []
    dialog_open: bool = False
    dialog_title: str = ""
    reason: str = ""
    busy: bool = False
    _record_id: str = ""
    # the status shown when the record was last loaded: sent with every decision, so a decision
    # someone else made first (another tab, a double click) is refused instead of applied twice
    _shown_status: str = ""
    _pending: str = ""
    # the action whose dialog was dismissed (Esc, overlay, Cancel) with text typed: reopening the
    # same action gives the text back
    _draft_for: str = ""

    # page: the permission that reading the record needs, the one `start_action` checks, the texts for a missing
    # record and a refusal;
    # `_keep_dialog_on_error`: the dialog closes only once the decision went through (else it
    # closes as soon as it is confirmed)
    _read_permission: ClassVar[str] = ""
    _action_permission: ClassVar[str] = ""
    _missing_text: ClassVar[str] = ""
    _denied_text: ClassVar[str] = ""
    _keep_dialog_on_error: ClassVar[bool] = False

    # page hooks

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        """page, runs in a worker thread: everything the page shows (raises DomainError when missing)"""
        raise NotImplementedError

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        """page: set the page's vars from `_fetch_record`'s data; returns the record's id"""
        raise NotImplementedError

    def _blank_record(self) -> None:
        """page: reset the page's own vars"""

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        """page, runs in a worker thread: apply the decision through the module's actions, passing
        `decision.expected_status` (the status shown) to the decision path. The default calls a
        page's older six-argument `_record_decision` hook."""
        legacy = getattr(self, "_record_decision", None)
        if legacy is None:
            raise NotImplementedError
        legacy(ctx, record_id, decision.action, decision.reason, decision.note, decision.expected_status)

    def _status_of(self, data: dict[str, Any]) -> str:
        """page: the record's status in `_fetch_record`'s data (what the user sees)"""
        return ""

    def _done_notice(self, action: str | None) -> str:
        """page: the notice after a decision went through (the record is shown again by then)"""
        return ""

    def _permission_for(self, action: str | None) -> str:
        return self._action_permission

    def _needs_reason(self, chosen: Action) -> bool:
        return True

    # shared helpers

    def _blank(self) -> None:
        self.found, self.actions, self._record_id, self._pending = False, [], "", ""
        self._shown_status = ""
        self.dialog_open, self.reason, self._draft_for = False, "", ""
        self._blank_record()

    def _close_dialog(self) -> None:
        """The decision went through (or is on its way): the typed text is spent."""
        self.dialog_open, self._pending, self.reason, self._draft_for = False, "", "", ""

    async def _show(self, ctx: TenantContext, record_id: str) -> None:
        try:
            data = await asyncio.to_thread(self._fetch_record, ctx, record_id)
        except DomainError:
            self._blank()
            self.error = self._missing_text
            return
        self.actions = [as_action(a) for a in data["actions"]]
        self._shown_status = self._status_of(data)
        self._record_id = self._fill_record(ctx, data)
        self.found = True

    async def _decide(self, action: str | None, reason: str | None, note: str | None) -> None:
        ctx = await self._require(self._permission_for(action))  # type: ignore[attr-defined]
        if ctx is None or not self._record_id:
            self.error = self._denied_text
            return
        self.busy = True
        try:
            expected = (self._shown_status or None) if action else None
            decision = Decision(action, reason, note, expected)
            await write(self._apply_decision, ctx, self._record_id, decision)
        except StaleStatus as exc:  # someone decided first: show the record as it is now
            self.busy = False
            await self._show(ctx, self._record_id)
            self.error = exc.message
            return
        except DomainError as exc:
            self.error, self.busy = exc.message, False
            return
        except ValidationError as exc:  # the input models' limits (length, characters)
            self.error, self.busy = fmt.validation_text(exc), False
            return
        self.busy, self.error = False, ""
        if self._keep_dialog_on_error:
            self._close_dialog()
        await self._show(ctx, self._record_id)
        self.notice = self._done_notice(action)

    # event handlers

    @rx.event
    async def load(self):
        self._blank()
        self.error = self.notice = ""
        self.loading = True
        yield
        ctx = await self._require(self._read_permission)  # type: ignore[attr-defined]
        record_id = fmt.parse_uuid(fmt.last_segment(self.router.url.path))
        if ctx is not None and record_id is not None:
            await self._show(ctx, str(record_id))
        elif ctx is not None:
            self.error = self._missing_text
        self.loading = False

    @rx.event
    async def start_action(self, action: str):
        if await self._require(self._action_permission) is None or not self._record_id:  # type: ignore[attr-defined]
            return
        chosen = next((a for a in self.actions if a.action == str(action)), None)
        if chosen is None:
            return
        if self._needs_reason(chosen):
            keep = self._draft_for == chosen.action
            self._pending, self.dialog_title = chosen.action, chosen.label
            self.reason = self.reason if keep else ""
            self._draft_for, self.dialog_open, self.error = "", True, ""
            return
        await self._decide(chosen.action, None, None)

    @rx.event
    def set_reason(self, value: str):
        # never cut: the counter shows the limit and Confirm waits until the text fits
        self.reason = str(value or "")

    @rx.event
    def close_dialog(self):
        """Dismissed (Esc, overlay, Cancel): keep the typed text for this action's next opening."""
        self._draft_for = self._pending or self._draft_for
        self.dialog_open, self._pending = False, ""

    @rx.event
    async def reason_key(self, key: str, info: dict | None = None):
        """Ctrl+Enter (Cmd+Enter) in the note confirms."""
        mods = info if isinstance(info, dict) else {}
        if key == "Enter" and (mods.get("ctrl_key") is True or mods.get("meta_key") is True):
            await self._confirm()

    @rx.event
    async def confirm_action(self):
        await self._confirm()

    async def _confirm(self) -> None:
        action, reason = self._pending, self.reason.strip()
        if not action or not reason or not self.dialog_open:
            return
        if fmt.too_long("The note", reason, REASON_MAX):
            self.error = fmt.too_long("The note", reason, REASON_MAX)
            return
        self.error = ""
        if not self._keep_dialog_on_error:
            self._close_dialog()
        await self._decide(action, reason, None)
        if self.error and not self.dialog_open:  # refused: reopening this action gives the text back
            self.reason, self._draft_for = reason, action


def buttons(actions: Var, on_click: Any, testid: str, *, solid: str = "", **props: Any) -> rx.Component:
    """A soft button per server-computed `Action` (`solid` names the one drawn solid); a click calls
    `on_click(action)`; `props` go on every button (disabled…)."""
    return rx.hstack(
        rx.foreach(
            actions,
            lambda a: rx.button(
                a["label"],
                variant=rx.cond(a["action"] == solid, "solid", "soft") if solid else "soft",
                on_click=on_click(a["action"]),
                **props,
                data_testid=testid,
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def action_buttons(
    state: type[DecisionDialogMixin], testid: str, *, solid: str = "", disable_while_busy: bool = False
) -> rx.Component:
    """One button a server-computed action; `solid` names the action drawn solid."""
    extra: dict[str, Any] = {"disabled": state.busy} if disable_while_busy else {}
    return buttons(state.actions, state.start_action, testid, solid=solid, **extra)


def decision_dialog(state: type[DecisionDialogMixin]) -> rx.Component:
    """A controlled dialog asking for the reason/note a decision requires."""
    reason: Var = state.reason
    return controls.dialog(
        state.dialog_title,
        rx.dialog.description("This decision is recorded with your note.", size="2", color_scheme="gray"),
        controls.note_input(
            reason,
            state.set_reason,
            "reason-input",
            placeholder="Note (required)",
            rows="4",
            on_key_down=state.reason_key,
            margin_top="0.75rem",
        ),
        rx.hstack(
            controls.char_counter(reason, REASON_MAX, "reason-counter"),
            rx.spacer(),
            rx.text("Ctrl+Enter to confirm", size="1", color_scheme="gray"),
            width="100%",
            margin_top="0.25rem",
        ),
        rx.cond(
            state.dialog_open & (state.error != ""),
            rx.callout(state.error, icon="triangle-alert", color_scheme="red", size="1", margin_top="0.5rem"),
        ),
        controls.dialog_footer(
            rx.button(
                "Confirm",
                on_click=state.confirm_action,
                disabled=state.busy | (reason.to(str).strip() == "") | (reason.to(str).length() > REASON_MAX),
                data_testid="reason-confirm",
            ),
            on_cancel=state.close_dialog,
            spacing="3",
            margin_top="1rem",
        ),
        open_=state.dialog_open,
        on_close=state.close_dialog,
        max_width="30rem",
    )


def decision_page(
    state: type[DecisionDialogMixin], *body: rx.Component, href: str, back: str, missing: str, missing_testid: str
) -> rx.Component:
    """Spinner while loading; the record (back link, messages, `body`, the dialog); else "not found"."""
    return rx.cond(
        state.loading,
        feedback.spinner_block(),
        rx.cond(
            state.found,
            rx.vstack(
                rx.link(
                    rx.hstack(rx.icon("arrow-left", size=14), f"All {back}", align="center", spacing="1"),
                    href=href,
                    size="2",
                ),
                feedback.messages(state.error, state.notice),
                *body,
                decision_dialog(state),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                feedback.messages(state.error, state.notice),
                feedback.empty(missing, "search-x", missing_testid),
                rx.link(f"Back to {back}", href=href),
                align="center",
                width="100%",
            ),
        ),
    )


def record_header(
    heading: rx.Component,
    *badges: rx.Component,
    sub: rx.Component,
    aside: rx.Component,
    footer: tuple[rx.Component, ...] = (),
    **flex: Any,
) -> rx.Component:
    """The record page's header card: the heading with its badges, a line under it, `aside` at the
    right (figures or the action buttons), then `footer` (`flex`: the top row's props)."""
    return rx.card(
        rx.flex(
            rx.vstack(rx.hstack(heading, *badges, align="center", spacing="2", wrap="wrap"), sub, spacing="1"),
            rx.spacer(),
            aside,
            gap="1rem",
            wrap="wrap",
            width="100%",
            **flex,
        ),
        *footer,
        width="100%",
    )
