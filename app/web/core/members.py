"""/settings/members: the tenant's members (role change and deactivation, each confirmed), the
invite form (the one-time link shown once, with a copy button) and the open invitations (Cancel
and Resend through the decision path, DecisionDialogMixin). Owners and admins only.

Every handler re-checks `core.users.manage`; ids from the browser are accepted only when they are
rows this tab was shown. The guard rails (last owner, owners, oneself) live in models.people.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

import reflex as rx

from app.web.core import member_rows
from app.web.core.member_rows import InvitationRow, MemberRow
from app.web.kit import format as fmt
from app.web.kit.calls import call, write
from app.web.kit.decisions import Action, Decision, DecisionDialogMixin
from app.web.kit.lists import KeysetListMixin
from app.web.kit.rows import Option
from app.web.shell.auth import AuthState
from engine.context import TenantContext
from engine.errors import DomainError, ValidationFailed
from engine.people.permissions import USERS_MANAGE
from models.people import actions, queries

ROUTE = "/settings/members"
REASON_MAX = 1000


def _origin(state: rx.State) -> str:
    return state.router.page.host or ""


class InvitationsState(DecisionDialogMixin, AuthState):
    """The open invitations; Cancel asks for a note (the confirmation), Resend gives a new link."""

    invitations: list[InvitationRow] = []
    fresh_link: str = ""
    _fresh_path: str = ""

    _read_permission: ClassVar[str] = USERS_MANAGE
    _action_permission: ClassVar[str] = USERS_MANAGE
    _missing_text: ClassVar[str] = "That invitation is no longer there."
    _denied_text: ClassVar[str] = "Only owners and admins manage invitations."
    _keep_dialog_on_error: ClassVar[bool] = True

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        detail = queries.invitation_detail(ctx, uuid.UUID(record_id))
        return {
            "id": str(detail.invitation.id),
            "status": detail.invitation.status,
            "actions": detail.actions,
            "rows": member_rows.open_invitations(ctx),
        }

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.invitations = data["rows"]
        return data["id"]

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["status"]

    def _needs_reason(self, chosen: Action) -> bool:
        return chosen.action == "cancel"  # the note is the confirmation

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        outcome = actions.decide_invitation(
            ctx, uuid.UUID(record_id), decision.action or "", decision.reason, decision.expected_status
        )
        self._fresh_path = outcome.details.get("accept_path", "")

    def _done_notice(self, action: str | None) -> str:
        if action == "resend" and self._fresh_path:
            self.fresh_link = _origin(self) + self._fresh_path
            return "Invitation renewed: the old link no longer works; copy the new one."
        return "Invitation cancelled."

    @rx.event
    async def refresh(self):
        """on_load (and after an invitation is sent): the open invitations, fresh."""
        self._blank()
        self.error = self.notice = self.fresh_link = ""
        ctx = await self._require(USERS_MANAGE)
        if ctx is None:
            self.invitations = []
            return
        ok, rows = await call(self, member_rows.open_invitations, ctx)
        self.invitations = rows if ok else []

    @rx.event
    async def choose(self, invitation_id: str, action: str):
        """A row's Cancel or Resend: only for an invitation this tab shows, and an action the
        server offers for it now."""
        ctx = await self._require(USERS_MANAGE)
        if ctx is None or all(r.id != str(invitation_id) for r in self.invitations):
            return
        self.error = self.notice = self.fresh_link = ""
        await self._show(ctx, str(invitation_id))
        chosen = next((a for a in self.actions if a.action == str(action)), None)
        if chosen is None:
            self.error = self.error or "That action is not available for this invitation now."
            return
        if self._needs_reason(chosen):
            self._pending, self.dialog_title, self.reason = chosen.action, "Cancel invitation", ""
            self.dialog_open = True
            return
        await self._decide(chosen.action, None, None)


class MembersState(KeysetListMixin, AuthState):
    rows: list[MemberRow] = []
    notice: str = ""
    invite_email: str = ""
    invite_role: str = "ops"
    email_error: str = ""
    role_error: str = ""
    invite_link: str = ""
    inviting: bool = False
    copied: bool = False
    role_options: list[Option] = []
    # the confirmation dialog: "role" or "deactivate"
    confirm_kind: str = ""
    confirm_email: str = ""
    confirm_role: str = ""
    deactivate_reason: str = ""
    busy: bool = False
    _target: str = ""

    _list_permission: ClassVar[str] = USERS_MANAGE

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[MemberRow], str | None]:
        return member_rows.member_page(ctx, cursor)

    def _shown(self, user_id: str) -> str:
        """The e-mail of a member row this tab shows ('' for anything else)."""
        return next((r.email for r in self.rows if r.user_id == str(user_id)), "")

    @rx.event
    async def open_page(self):
        self.notice = self.invite_link = self.email_error = self.role_error = ""
        self.confirm_kind, self._target, self.copied = "", "", False
        ctx = await self._require(USERS_MANAGE)
        self.role_options = member_rows.role_choices(ctx.role) if ctx else []
        async for _ in self._reload_list(ctx):
            yield

    @rx.event
    def set_invite_email(self, value: str):
        self.invite_email, self.email_error = str(value or "")[:320], ""

    @rx.event
    def set_invite_role(self, value: str):
        self.invite_role, self.role_error = str(value or "")[:20], ""

    @rx.event
    async def submit_invite(self):
        ctx = await self._require(USERS_MANAGE)
        if ctx is None or self.inviting:
            return
        self.error = self.notice = self.invite_link = self.email_error = self.role_error = ""
        self.copied = False
        if not self.invite_email.strip():
            self.email_error = "Enter the colleague's e-mail address."
            return
        self.inviting = True
        yield
        try:
            created = await write(actions.invite, ctx, self.invite_email, self.invite_role)
        except ValidationFailed as exc:
            self.email_error = exc.fields.get("email", "")
            self.role_error = exc.fields.get("role", "")
            self.error = "" if (self.email_error or self.role_error) else exc.message
            return
        except DomainError as exc:
            if "email" in exc.fields:
                self.email_error = exc.message
            else:
                self.error = exc.message
            return
        finally:
            self.inviting = False
        self.invite_link = _origin(self) + created.accept_path
        self.notice = f"Invitation for {created.invitation.email} created. Copy the link and send it to them."
        self.invite_email = ""
        yield InvitationsState.refresh

    @rx.event
    def copy_done(self, result: Any):
        self.copied = result is True

    @rx.event
    async def ask_role(self, user_id: str, role: str):
        email = self._shown(user_id)
        if await self._require(USERS_MANAGE) is None or not email:
            return
        self._target, self.confirm_kind = str(user_id), "role"
        self.confirm_email, self.confirm_role, self.error = email, str(role)[:20], ""

    @rx.event
    async def ask_deactivate(self, user_id: str):
        email = self._shown(user_id)
        if await self._require(USERS_MANAGE) is None or not email:
            return
        self._target, self.confirm_kind = str(user_id), "deactivate"
        self.confirm_email, self.deactivate_reason, self.error = email, "", ""

    @rx.event
    def set_deactivate_reason(self, value: str):
        self.deactivate_reason = str(value or "")

    @rx.event
    def close_confirm(self):
        self.confirm_kind, self._target = "", ""

    @rx.event
    async def confirm(self):
        ctx = await self._require(USERS_MANAGE)
        target = fmt.parse_uuid(self._target)
        if ctx is None or target is None or not self.confirm_kind or self.busy:
            return
        reason = self.deactivate_reason.strip()
        if self.confirm_kind == "deactivate" and not reason:
            return
        self.busy = True
        yield
        if self.confirm_kind == "role":
            ok, _ = await call(self, actions.change_role, ctx, target, self.confirm_role, writes=True)
            done = f"{self.confirm_email} is now {self.confirm_role}." if ok else ""
        else:
            ok, _ = await call(self, actions.deactivate, ctx, target, reason[:REASON_MAX], writes=True)
            done = f"{self.confirm_email} is deactivated; their sessions here have ended." if ok else ""
        self.busy, self.confirm_kind, self._target = False, "", ""
        if ok:
            self.notice = done
            async for _ in self._reload_list(ctx):
                yield
