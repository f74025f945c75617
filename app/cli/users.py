"""`pharos user invite|list|role|deactivate`: members of a tenant from the command line.

The CLI acts as the platform (audited as "system", in the owner role) through the same actions as
the REST API and the members page, so every guard rail holds here too (the last active owner
stays). `invite` prints the one-time accept link: it is shown once and never stored.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.cli.admin import bootstrap_env

if TYPE_CHECKING:
    from models.people.members import MemberView

DEFAULT_BASE_URL = "http://localhost:3000"


def _ctx(args: argparse.Namespace):
    bootstrap_env(args)
    from models.core.identity import system_context

    return system_context(args.tenant)


def cmd_invite(args: argparse.Namespace) -> int:
    ctx = _ctx(args)
    from models.people import actions

    created = actions.invite(ctx, args.email, args.role)
    inv = created.invitation
    print(f"invited {inv.email} as {inv.role} to '{ctx.tenant_slug}' (expires {inv.expires_at:%Y-%m-%d %H:%M} UTC)")
    print(f"accept link (shown once): {args.base_url.rstrip('/')}{created.accept_path}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    ctx = _ctx(args)
    from models.people import queries

    cursor = None
    print(f"{'email':<40} {'role':<8} {'status':<12} last sign-in")
    while True:
        page = queries.member_page(ctx, limit=200, cursor=cursor)
        for m in page.items:
            seen = f"{m.last_sign_in_at:%Y-%m-%d %H:%M} UTC" if m.last_sign_in_at else "never"
            print(f"{m.email:<40} {m.role:<8} {m.status:<12} {seen}")
        if not page.next_cursor:
            return 0
        cursor = page.next_cursor


def _on_member(args: argparse.Namespace, change: Callable[[Any, Any], MemberView]) -> tuple[MemberView, str]:
    """Apply `change(ctx, user_id)` to the member with `args.email`; (their view, tenant slug)."""
    ctx = _ctx(args)
    from models.people import queries

    return change(ctx, queries.member_by_email(ctx, args.email).user_id), ctx.tenant_slug


def cmd_role(args: argparse.Namespace) -> int:
    from models.people import actions

    view, slug = _on_member(args, lambda ctx, user_id: actions.change_role(ctx, user_id, args.role))
    print(f"{view.email} is now {view.role} in '{slug}'")
    return 0


def cmd_deactivate(args: argparse.Namespace) -> int:
    from models.people import actions

    _, slug = _on_member(args, lambda ctx, user_id: actions.deactivate(ctx, user_id, args.reason))
    print(f"{args.email} is deactivated in '{slug}'; their sessions there have ended")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="members of a tenant: invite, list, change role, deactivate")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION")
    user_sub.required = True

    def command(name: str, help_text: str, func) -> argparse.ArgumentParser:
        parser = user_sub.add_parser(name, help=help_text)
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.set_defaults(func=func)
        return parser

    invite = command("invite", "invite an e-mail address with a role; prints the one-time accept link", cmd_invite)
    invite.add_argument("email")
    invite.add_argument("--role", required=True, help="owner, admin, ops, sales, hr, manager, finance, auditor, viewer")
    invite.add_argument(
        "--base-url", default=DEFAULT_BASE_URL, help=f"the address of PharOS (default {DEFAULT_BASE_URL})"
    )

    command("list", "list the tenant's members with role, status and last sign-in", cmd_list)

    role = command("role", "change a member's role", cmd_role)
    role.add_argument("email")
    role.add_argument("role")

    deactivate = command("deactivate", "deactivate a member; their sessions in the tenant end at once", cmd_deactivate)
    deactivate.add_argument("email")
    deactivate.add_argument("--reason", required=True)
