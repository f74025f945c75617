"""A tenant's own single sign-on providers, managed by `core.settings.manage` (owner, admin).

The client secret is write-only: it is stored for the code exchange, never returned (the read model
says only whether one is set) and never written into the audit chain (the events carry
`client_secret: "(set)"` when it was given or changed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.jsonable import to_jsonable
from engine.sign_in import clean_domains, clean_issuer, clean_sign_up_role
from models.core import audit
from models.core.db import tenant_session
from models.core.flags import MANAGE_PERMISSION
from models.core.tables import OidcProvider

SECRET = "client_secret"
EDITABLE = ("name", "issuer", "client_id", SECRET, "allowed_domains", "default_role", "enabled")


@dataclass(frozen=True)
class ProviderView:
    id: str
    name: str
    issuer: str
    client_id: str
    has_client_secret: bool
    allowed_domains: list[str]
    default_role: str
    enabled: bool
    created_at: datetime

    @classmethod
    def of(cls, row: OidcProvider) -> ProviderView:
        return cls(
            id=str(row.id),
            name=row.name,
            issuer=row.issuer,
            client_id=row.client_id,
            has_client_secret=bool(row.client_secret),
            allowed_domains=list(row.allowed_domains or []),
            default_role=row.default_role,
            enabled=row.enabled,
            created_at=row.created_at,
        )


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    """Checked and normalised values; unknown keys were refused by the route's model already."""
    out = {k: v for k, v in changes.items() if k in EDITABLE}
    for key in ("name", "client_id"):
        if key in out:
            out[key] = str(out[key]).strip()
            if not out[key]:
                raise ValidationFailed(f"{key} is required", fields={key: "required"})
    if "issuer" in out:
        out["issuer"] = clean_issuer(str(out["issuer"]))
    if "allowed_domains" in out:
        out["allowed_domains"] = clean_domains(list(out["allowed_domains"]))
    if "default_role" in out:
        out["default_role"] = clean_sign_up_role(str(out["default_role"]))
    return out


def _redacted(values: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in values.items() if k != SECRET}
    if values.get(SECRET):
        shown[SECRET] = "(set)"
    return to_jsonable(shown)


def _load(session: Session, ctx: TenantContext, provider_id: uuid.UUID) -> OidcProvider:
    row = session.exec(
        select(OidcProvider).where(OidcProvider.tenant_id == ctx.tenant_id, OidcProvider.id == provider_id)
    ).first()
    if row is None:
        raise NotFound("single sign-on provider not found")
    return row


def _flush(session: Session, row: OidcProvider) -> None:
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(f"a provider named '{row.name}' already exists", fields={"name": "taken"}) from None


def list_providers(ctx: TenantContext) -> list[ProviderView]:
    ctx.require(MANAGE_PERMISSION)
    with tenant_session(ctx) as session:
        rows = session.exec(
            select(OidcProvider).where(OidcProvider.tenant_id == ctx.tenant_id).order_by(OidcProvider.name)
        ).all()
        return [ProviderView.of(r) for r in rows]


def create_provider(ctx: TenantContext, fields: dict[str, Any]) -> ProviderView:
    ctx.require(MANAGE_PERMISSION)
    values = _clean(fields)
    with tenant_session(ctx) as session:
        row = OidcProvider(tenant_id=ctx.tenant_id, **values)
        _flush(session, row)
        audit.record(
            session,
            ctx,
            action="oidc_providers.create",
            entity="oidc_providers",
            entity_id=row.id,
            after=_redacted(values),
        )
        return ProviderView.of(row)


def update_provider(ctx: TenantContext, provider_id: uuid.UUID, changes: dict[str, Any]) -> ProviderView:
    ctx.require(MANAGE_PERMISSION)
    values = _clean(changes)
    if not values:
        raise ValidationFailed("name at least one field to change", fields={"body": "empty"})
    with tenant_session(ctx) as session:
        row = _load(session, ctx, provider_id)
        before = _redacted({k: getattr(row, k) for k in values})
        for key, value in values.items():
            setattr(row, key, value)
        _flush(session, row)
        audit.record(
            session,
            ctx,
            action="oidc_providers.update",
            entity="oidc_providers",
            entity_id=row.id,
            before=before,
            after=_redacted(values),
        )
        return ProviderView.of(row)


def delete_provider(ctx: TenantContext, provider_id: uuid.UUID) -> None:
    ctx.require(MANAGE_PERMISSION)
    with tenant_session(ctx) as session:
        row = _load(session, ctx, provider_id)
        before = _redacted({k: getattr(row, k) for k in EDITABLE})
        session.delete(row)
        session.flush()
        audit.record(
            session, ctx, action="oidc_providers.delete", entity="oidc_providers", entity_id=provider_id, before=before
        )
