"""The /settings/members page: the invite form with its one-time link, the members table with a
role select and Deactivate per row (each confirmed in a dialog), and the open invitations."""

from __future__ import annotations

import reflex as rx

from app.web.core.members import REASON_MAX, ROUTE, InvitationsState, MembersState
from app.web.kit import controls, feedback
from app.web.kit.badges import status_badge
from app.web.kit.decisions import decision_dialog
from app.web.kit.table import col, load_more, table_or_empty
from app.web.shell.layout import app_page
from app.web.shell.nav import browser_call
from engine.people.permissions import USERS_MANAGE

COPY_JS = """() => {
  const link = document.getElementById('invite-link')?.value || '';
  if (!link || !navigator.clipboard) { return false; }
  return navigator.clipboard.writeText(link).then(() => true, () => false);
}"""


def _row_button(shown, label: str, on_click, testid: str, color: str | None = None) -> rx.Component:
    """A small row button, drawn only when the server offered it (`shown`)."""
    colour = {"color_scheme": color} if color else {}
    return rx.cond(shown, rx.button(label, size="1", variant="soft", on_click=on_click, data_testid=testid, **colour))


def _field_error(text) -> rx.Component:
    return rx.cond(text != "", rx.text(text, size="1", color_scheme="red", role="alert"))


def _link_box(link, on_copy, copied, testid: str) -> rx.Component:
    return rx.cond(
        link != "",
        rx.vstack(
            rx.text("Accept link (shown once; it works one time):", size="2", weight="medium"),
            rx.hstack(
                rx.input(value=link, read_only=True, id=testid, width="100%", data_testid=testid),
                rx.button(
                    rx.icon("copy", size=14), "Copy", on_click=on_copy, variant="soft", data_testid=f"{testid}-copy"
                ),
                width="100%",
            ),
            rx.cond(copied, rx.text("Copied.", size="1", color_scheme="green", data_testid=f"{testid}-copied")),
            width="100%",
            spacing="2",
        ),
    )


def invite_form() -> rx.Component:
    return controls.section(
        "Invite a colleague",
        rx.form(
            rx.hstack(
                controls.field(
                    "E-mail",
                    rx.input(
                        value=MembersState.invite_email,
                        on_change=MembersState.set_invite_email,
                        placeholder="name@company.com",
                        type="email",
                        aria_label="E-mail",
                        data_testid="invite-email",
                    ),
                    _field_error(MembersState.email_error),
                    width="100%",
                ),
                controls.field(
                    "Role",
                    controls.select(
                        MembersState.role_options,
                        MembersState.invite_role,
                        MembersState.set_invite_role,
                        "Role",
                        keys=("id", "label"),
                        trigger={"data_testid": "invite-role", "min_width": "9rem"},
                    ),
                    _field_error(MembersState.role_error),
                ),
                rx.button("Invite", type="submit", loading=MembersState.inviting, data_testid="invite-submit"),
                align="end",
                width="100%",
                spacing="3",
            ),
            on_submit=lambda _: MembersState.submit_invite,
            width="100%",
        ),
        _link_box(
            MembersState.invite_link,
            browser_call(COPY_JS.replace("invite-link", "invite-link"), MembersState.copy_done),
            MembersState.copied,
            "invite-link",
        ),
    )


def _role_cell(row) -> rx.Component:
    return rx.cond(
        row.editable,
        controls.select(
            MembersState.role_options,
            row.role,
            lambda value: MembersState.ask_role(row.user_id, value),
            "Role of " + row.email,
            keys=("id", "label"),
            trigger={"data_testid": "member-role"},
        ),
        rx.text(row.role),
    )


MEMBER_COLUMNS = [
    col("Member", lambda r: rx.vstack(rx.text(r.name, weight="medium"), rx.text(r.email, size="1"), spacing="0")),
    col("Role", _role_cell),
    col("Status", lambda r: status_badge(r.status)),
    col("Last sign-in", "last_sign_in"),
    col("Joined", "joined"),
    col(
        "",
        lambda r: _row_button(
            r.removable, "Deactivate", MembersState.ask_deactivate(r.user_id), "member-deactivate", "red"
        ),
    ),
]


def members_table() -> rx.Component:
    return controls.section(
        "Members",
        table_or_empty(
            MembersState.rows,
            MEMBER_COLUMNS,
            "members-table",
            "No members.",
            "users",
            row_testid="member-row",
            loading=MembersState.loading,
        ),
        load_more(MembersState.has_more, MembersState.loading, MembersState.load_more, "members-more"),
    )


def confirm_dialog() -> rx.Component:
    deactivating = MembersState.confirm_kind == "deactivate"
    reason = MembersState.deactivate_reason
    return controls.dialog(
        rx.cond(deactivating, "Deactivate member", "Change role"),
        rx.dialog.description(
            rx.cond(
                deactivating,
                "Deactivate " + MembersState.confirm_email + "? Their sessions in this tenant end at once.",
                "Make " + MembersState.confirm_email + " " + MembersState.confirm_role + "?",
            ),
            size="2",
        ),
        rx.cond(
            deactivating,
            rx.vstack(
                rx.text_area(
                    value=reason,
                    on_change=MembersState.set_deactivate_reason,
                    placeholder="Reason (required)",
                    aria_label="Reason",
                    width="100%",
                    data_testid="deactivate-reason",
                ),
                controls.char_counter(reason, REASON_MAX, "deactivate-counter"),
                width="100%",
                margin_top="0.75rem",
            ),
        ),
        rx.hstack(
            rx.button("Cancel", variant="soft", color_scheme="gray", on_click=MembersState.close_confirm),
            rx.button(
                "Confirm",
                on_click=MembersState.confirm,
                loading=MembersState.busy,
                disabled=deactivating & ((reason.to(str).strip() == "") | (reason.to(str).length() > REASON_MAX)),
                color_scheme=rx.cond(deactivating, "red", "indigo"),
                data_testid="member-confirm",
            ),
            justify="end",
            spacing="3",
            margin_top="1rem",
        ),
        open_=MembersState.confirm_kind != "",
        on_close=MembersState.close_confirm,
        max_width="30rem",
    )


def _invitation_buttons(row) -> rx.Component:
    return rx.hstack(
        _row_button(row.can_resend, "Resend", InvitationsState.choose(row.id, "resend"), "invitation-resend"),
        _row_button(row.can_cancel, "Cancel", InvitationsState.choose(row.id, "cancel"), "invitation-cancel", "gray"),
        spacing="2",
    )


INVITATION_COLUMNS = [
    col("E-mail", "email"),
    col("Role", "role"),
    col("Status", lambda r: status_badge(r.status)),
    col("Expires", "expires"),
    col("", _invitation_buttons),
]


def invitations_table() -> rx.Component:
    return controls.section(
        "Open invitations",
        feedback.messages(InvitationsState.error, InvitationsState.notice),
        _link_box(
            InvitationsState.fresh_link, browser_call(COPY_JS.replace("invite-link", "fresh-link")), False, "fresh-link"
        ),
        table_or_empty(
            InvitationsState.invitations,
            INVITATION_COLUMNS,
            "invitations-table",
            "No open invitations.",
            "mail",
            row_testid="invitation-row",
        ),
        decision_dialog(InvitationsState),
    )


@app_page(
    ROUTE,
    "Members",
    permission=USERS_MANAGE,
    nav="Members",
    icon="users",
    order=95,
    on_load=[MembersState.open_page, InvitationsState.refresh],
)
def members_page() -> rx.Component:
    return rx.vstack(
        rx.text("Who may sign in to this tenant, in which role; invite colleagues by link.", color_scheme="gray"),
        feedback.messages(MembersState.error, MembersState.notice),
        invite_form(),
        members_table(),
        invitations_table(),
        confirm_dialog(),
        spacing="4",
        width="100%",
    )
