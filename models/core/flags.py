"""Per-tenant feature flags, stored in `tenants.flags` (jsonb). Every flag defaults to off.

Routes and pages behind an off flag answer 404 (app.api.core.settings.feature). Toggling is an
owner/admin action (`core.settings.manage`) recorded in the audit chain with before/after values.
Modules declare their flags in their manifest (engine/<module>/manifest.py); unknown names are refused so a typo
cannot pass silently.
The ctx-level functions (`tenant_flags`, `flag_enabled`, `update_flags`) open their own tenant
transaction, for routes and pages that hold no session.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from engine.context import TenantContext
from engine.errors import NotFound, ValidationFailed
from engine.modules import manifests
from models.core import mutations
from models.core.db import tenant_session
from models.core.tables import Tenant

ENABLE_ORG = "ENABLE_ORG"
ENABLE_CHANNELS = "ENABLE_CHANNELS"
ENABLE_CATALOG_PUBLISHING = "ENABLE_CATALOG_PUBLISHING"
ENABLE_PRICE_BOOKS = "ENABLE_PRICE_BOOKS"
ENABLE_PRICE_RESOLUTION = "ENABLE_PRICE_RESOLUTION"

KNOWN_FLAGS: dict[str, str] = {name: text for m in manifests() for name, text in m.flags.items()}
# the flags of built features: what the settings page offers (a manifest's `planned_flags` are known
# and stored, but turning them on would promise a feature that does not exist)
PLANNED_FLAGS: frozenset[str] = frozenset(name for m in manifests() for name in m.planned_flags)
OFFERED_FLAGS: tuple[str, ...] = tuple(name for name in KNOWN_FLAGS if name not in PLANNED_FLAGS)
if not KNOWN_FLAGS.keys() >= PLANNED_FLAGS:
    raise ValueError(f"planned flags not declared in a manifest's flags: {sorted(PLANNED_FLAGS - KNOWN_FLAGS.keys())}")

MANAGE_PERMISSION = "core.settings.manage"


def _tenant(session: Session, ctx: TenantContext) -> Tenant:
    tenant = session.exec(select(Tenant).where(Tenant.id == ctx.tenant_id)).first()
    if tenant is None:
        raise NotFound("tenant not found")
    return tenant


def _normalize(raw: Any) -> dict[str, bool]:
    stored = raw if isinstance(raw, dict) else {}
    return {name: stored.get(name) is True for name in KNOWN_FLAGS}


def get_flags(session: Session, ctx: TenantContext) -> dict[str, bool]:
    """Every known flag with its value for this tenant (missing = off)."""
    return _normalize(_tenant(session, ctx).flags)


def is_enabled(session: Session, ctx: TenantContext, flag: str) -> bool:
    if flag not in KNOWN_FLAGS:
        raise KeyError(f"unknown feature flag {flag!r}")
    return get_flags(session, ctx)[flag]


def set_flags(session: Session, ctx: TenantContext, changes: dict[str, bool]) -> dict[str, bool]:
    """Turn flags on or off (owner/admin); audited as tenant.flags.update. Returns all flags."""
    ctx.require(MANAGE_PERMISSION)
    if not changes:
        raise ValidationFailed("name at least one flag", fields={"flags": "empty"})
    unknown = sorted(set(changes) - set(KNOWN_FLAGS))
    if unknown:
        raise ValidationFailed(
            f"unknown feature flags: {', '.join(unknown)}", fields={f"flags.{n}": "unknown flag" for n in unknown}
        )
    bad = sorted(n for n, v in changes.items() if not isinstance(v, bool))
    if bad:
        raise ValidationFailed("flag values must be true or false", fields={f"flags.{n}": "not a boolean" for n in bad})
    tenant = _tenant(session, ctx)
    current = dict(tenant.flags) if isinstance(tenant.flags, dict) else {}
    effective = {n: v for n, v in changes.items() if _normalize(current)[n] != v}
    if effective:
        mutations.update(session, ctx, tenant, {"flags": {**current, **effective}}, action="tenant.flags.update")
    return _normalize(tenant.flags)


def tenant_flags(ctx: TenantContext) -> dict[str, bool]:
    with tenant_session(ctx) as session:
        return get_flags(session, ctx)


def flag_enabled(ctx: TenantContext, flag: str) -> bool:
    with tenant_session(ctx) as session:
        return is_enabled(session, ctx, flag)


def update_flags(ctx: TenantContext, changes: dict[str, bool]) -> dict[str, bool]:
    with tenant_session(ctx) as session:
        return set_flags(session, ctx, changes)
