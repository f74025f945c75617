"""Which single sign-on providers exist, read before anyone is signed in.

Two sources: the provider configured by environment (id `default`, PHAROS_OIDC_*, signs into the
tenant PHAROS_OIDC_TENANT) and each tenant's own rows (`oidc_providers`, id = the row's uuid, edited
through models.core.sign_in_settings). A tenant's rows are read through owner functions that return
only enabled providers of active tenants (migration 0008), so the login page needs no tenant context.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from sqlalchemy import text

from engine.sign_in import SignInRefused
from models.core.db import identity_session
from models.core.settings import get_settings

ENV_PROVIDER_ID = "default"


@dataclass(frozen=True)
class ProviderOption:
    """What the login page offers: a button label and where it starts."""

    id: str
    name: str


@dataclass(frozen=True)
class ProviderConfig:
    """Everything a sign-in needs, the client secret included: it never leaves models/."""

    id: str
    tenant_id: uuid.UUID
    tenant_slug: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    allowed_domains: tuple[str, ...]
    default_role: str


def offered(tenant_slug: str | None = None) -> list[ProviderOption]:
    """The environment's provider (when set), then the enabled providers of `tenant_slug`."""
    options: list[ProviderOption] = []
    env = get_settings().oidc
    if env is not None:
        options.append(ProviderOption(ENV_PROVIDER_ID, env.name))
    slug = (tenant_slug or "").strip()
    if slug and len(slug) <= 63:
        with identity_session() as session:
            rows = session.execute(text("select * from pharos_sign_in_providers(:slug)"), {"slug": slug}).all()
        options += [ProviderOption(str(r.id), r.name) for r in rows]
    return options


def provider(provider_id: str) -> ProviderConfig:
    """The provider behind an id from `offered`; anything else is refused as `unknown_provider`."""
    if provider_id == ENV_PROVIDER_ID:
        return _env_provider()
    try:
        row_id = uuid.UUID(provider_id)
    except ValueError:
        raise SignInRefused("unknown_provider", f"not a provider id: {provider_id[:80]!r}") from None
    with identity_session() as session:
        row = session.execute(text("select * from pharos_sign_in_provider(:id)"), {"id": str(row_id)}).first()
    if row is None:
        raise SignInRefused("unknown_provider", f"no enabled provider {row_id}")
    return ProviderConfig(**{**row._asdict(), "id": str(row.id), "allowed_domains": tuple(row.allowed_domains or ())})


def _env_provider() -> ProviderConfig:
    env = get_settings().oidc
    if env is None:
        raise SignInRefused("unknown_provider", "PHAROS_OIDC_ISSUER is not set")
    with identity_session() as session:
        tenant = session.execute(text("select * from pharos_sign_in_tenant(:slug)"), {"slug": env.tenant}).first()
    if tenant is None:
        raise SignInRefused("unknown_provider", f"PHAROS_OIDC_TENANT {env.tenant!r} is not an active tenant")
    settings = {k: v for k, v in asdict(env).items() if k != "tenant"}
    return ProviderConfig(id=ENV_PROVIDER_ID, tenant_id=tenant.id, tenant_slug=tenant.slug, **settings)
