"""`pharos seed demo`: the demo tenant, one user per staff role (`<role>@demo.test`), and each module's demo data.

Idempotent: running it twice changes nothing; `--reset` deletes the demo tenant first. Later
each registered module adds its data with its `seeds.<module>.seed` function; each receives an owner
session already bound to the demo tenant.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, select

from engine.context import TenantContext
from engine.modules import MODULES
from engine.rbac import Role
from models.core.db import owner_session, owner_tenant_session
from models.core.identity import add_membership, create_tenant, ensure_user
from models.core.tables import Membership, Tenant
from seeds.ids import demo_id

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Brand Co."
DEMO_PASSWORD = "pharos-demo"
DEMO_TENANT_ID = demo_id("tenant", DEMO_SLUG)


@dataclass(frozen=True)
class DemoUser:
    email: str
    display_name: str
    role: Role


DEMO_USERS = (
    DemoUser("owner@demo.test", "Olivia Owner", Role.OWNER),
    DemoUser("admin@demo.test", "Ada Admin", Role.ADMIN),
    DemoUser("ops@demo.test", "Oscar Ops", Role.OPS),
    DemoUser("sales@demo.test", "Sasha Sales", Role.SALES),
    DemoUser("viewer@demo.test", "Victor Viewer", Role.VIEWER),
    DemoUser("hr@demo.test", "Hana HR", Role.HR),
    DemoUser("manager@demo.test", "Mateo Manager", Role.MANAGER),
    DemoUser("finance@demo.test", "Farah Finance", Role.FINANCE),
    DemoUser("auditor@demo.test", "Aiden Auditor", Role.AUDITOR),
)

DEMO_FLAGS = {
    "ENABLE_ORG": True,
    "ENABLE_CHANNELS": True,
    "ENABLE_CATALOG_PUBLISHING": True,
    "ENABLE_PRICE_BOOKS": True,
    "ENABLE_PRICE_RESOLUTION": True,
    "ENABLE_SERVICE_POLICIES": True,
    "ENABLE_RESP_ORG_ASSIGNMENT": True,
    "ENABLE_ENGINEERS": True,
}

ModuleSeeder = Callable[[Session, TenantContext], None]


def module_seeders() -> list[ModuleSeeder]:
    """Each registered module's `seeds.<module>.seed`, in `MODULES` order (catalog first)."""
    return [importlib.import_module(f"seeds.{name}").seed for name in MODULES]


def demo_exists() -> bool:
    with owner_session() as session:
        return session.exec(select(Tenant).where(Tenant.slug == DEMO_SLUG)).first() is not None


def reset_demo() -> None:
    with owner_session() as session:
        session.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": str(DEMO_TENANT_ID)})
        session.execute(text("delete from tenants where id = :t"), {"t": str(DEMO_TENANT_ID)})
        emails = [u.email for u in DEMO_USERS]
        session.execute(
            text(
                "delete from users u where lower(u.email) = any(:emails) "
                "and not exists (select 1 from memberships m where m.user_id = u.id)"
            ),
            {"emails": emails},
        )


def seed_demo(*, reset: bool = False) -> bool:
    """Create the demo tenant and data; return True when something was created."""
    if reset:
        reset_demo()
    created = False
    if not demo_exists():
        owner = DEMO_USERS[0]
        create_tenant(
            name=DEMO_NAME,
            slug=DEMO_SLUG,
            tenant_id=DEMO_TENANT_ID,
            owner_email=owner.email,
            owner_password=DEMO_PASSWORD,
            owner_display_name=owner.display_name,
            owner_user_id=demo_id("user", owner.email),
            flags=DEMO_FLAGS,
        )
        created = True
    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    with owner_tenant_session(ctx) as session:
        for user in DEMO_USERS[1:]:
            account = ensure_user(
                session,
                email=user.email,
                display_name=user.display_name,
                password=DEMO_PASSWORD,
                user_id=demo_id("user", user.email),
            )
            exists = session.exec(
                select(Membership).where(Membership.tenant_id == DEMO_TENANT_ID, Membership.user_id == account.id)
            ).first()
            if not exists:
                add_membership(session, ctx, account, user.role)
                created = True
        for seeder in module_seeders():
            seeder(session, ctx)
    return created
