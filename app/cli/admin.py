"""Maintenance subcommands: migrate, seed, tenant create, audit verify."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import text
from sqlmodel import select

from app.cli.embedded import ensure_services
from app.cli.errors import CliError


def bootstrap_env(args: argparse.Namespace) -> None:
    """Admin commands work against DATABASE_URL, or the embedded server of `pharos up`."""
    import os

    from models.core.settings import reset_settings_cache

    data_dir = getattr(args, "data_dir", None) or os.environ.get("PHAROS_DATA_DIR", ".pharos")
    ensure_services(data_dir)
    reset_settings_cache()


def cmd_migrate(args: argparse.Namespace) -> int:
    bootstrap_env(args)
    from models.core.bootstrap import current_revision, migrate

    migrate()
    print(f"database at revision {current_revision()}")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    if args.dataset != "demo":
        raise CliError(f"unknown dataset '{args.dataset}' (available: demo)")
    bootstrap_env(args)
    from models.core.bootstrap import migrate
    from seeds.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo

    migrate()
    created = seed_demo(reset=args.reset)
    print("demo tenant seeded" if created else "demo tenant already present; nothing changed")
    for user in DEMO_USERS:
        print(f"  {user.role.value:<7} {user.email} / {DEMO_PASSWORD}")
    return 0


def cmd_tenant_create(args: argparse.Namespace) -> int:
    bootstrap_env(args)
    from models.core.identity import create_tenant

    tenant = create_tenant(name=args.name, owner_email=args.owner_email, owner_password=args.password, slug=args.slug)
    print(f"tenant '{tenant.slug}' created ({tenant.id}); owner {args.owner_email}")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    bootstrap_env(args)
    from engine.context import TenantContext
    from models.core.audit import verify_tenant_chain
    from models.core.db import owner_session, owner_tenant_session
    from models.core.tables import Tenant

    with owner_session() as session:
        query = select(Tenant).order_by(Tenant.slug)
        if args.tenant:
            query = query.where(Tenant.slug == args.tenant)
        tenants = [(t.id, t.slug) for t in session.exec(query).all()]
    if args.tenant and not tenants:
        raise CliError(f"no tenant with slug '{args.tenant}'")
    broken = 0
    for tenant_id, slug in tenants:
        with owner_tenant_session(TenantContext.system(tenant_id, slug)) as session:
            count = session.execute(
                text("select count(*) from audit_events where tenant_id = :t"), {"t": str(tenant_id)}
            ).scalar()
            fault = verify_tenant_chain(session, tenant_id)
        if fault:
            broken += 1
            print(f"{slug}: BROKEN at seq {fault.seq}: {fault.reason}")
        else:
            print(f"{slug}: ok ({count} events)")
    if broken:
        print(f"{broken} tenant chain(s) broken", file=sys.stderr)
        return 1
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    migrate = sub.add_parser(
        "migrate", help="create the app role if missing and migrate the database (owner DATABASE_URL)"
    )
    migrate.set_defaults(func=cmd_migrate)

    seed = sub.add_parser("seed", help="load a dataset")
    seed.add_argument("dataset", help="dataset to load: demo")
    seed.add_argument("--reset", action="store_true", help="delete the demo tenant first")
    seed.set_defaults(func=cmd_seed)

    tenant = sub.add_parser("tenant", help="manage tenants")
    tenant_sub = tenant.add_subparsers(dest="tenant_command", metavar="ACTION")
    tenant_sub.required = True
    create = tenant_sub.add_parser("create", help="create a tenant and its owner")
    create.add_argument("--name", required=True)
    create.add_argument("--owner-email", required=True)
    create.add_argument("--password", required=True, help="owner's password (at least 8 characters)")
    create.add_argument("--slug", help="URL name (default: from the name)")
    create.set_defaults(func=cmd_tenant_create)

    audit = sub.add_parser("audit", help="audit chain tools")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    audit_sub.required = True
    verify = audit_sub.add_parser("verify", help="re-compute every hash link; exit 1 naming the first bad seq")
    verify.add_argument("--tenant", help="tenant slug (default: all tenants)")
    verify.set_defaults(func=cmd_audit_verify)
