"""Login sessions in Redis with a TTL; sign-in checks the budgets of models.login_limits.

The browser holds only an opaque random token; Redis keys use its SHA-256, so a Redis dump
does not contain usable tokens. Each session is indexed under its tenant
(`pharos:t:{tenant}:sessions`) so a tenant's sessions can be listed or revoked together, and under
its member (`pharos:t:{tenant}:u:{user}:sessions`) so a deactivated member's sessions in that
tenant end at once and a role change reaches them at their next request or event.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import asdict, dataclass, replace
from typing import cast

from engine.context import TenantContext
from engine.errors import Forbidden, NotFound, RateLimited, Unauthenticated
from engine.rbac import Role
from models.core import login_limits
from models.core.identity import (
    Identity,
    MembershipView,
    authenticate,
    memberships_of,
    normalise_email,
    record_sign_in,
)
from models.core.redis_client import sync_redis
from models.core.settings import get_settings

SESSION_COOKIE = "pharos_session"


@dataclass(frozen=True)
class SessionData:
    user_id: str
    email: str
    display_name: str
    tenant_id: str | None = None
    tenant_slug: str | None = None
    tenant_name: str | None = None
    role: str | None = None
    organization_id: str | None = None

    def context(self) -> TenantContext:
        if not self.tenant_id or not self.role:
            raise Forbidden("choose a tenant first")
        return TenantContext(
            tenant_id=uuid.UUID(self.tenant_id),
            user_id=uuid.UUID(self.user_id),
            role=Role(self.role),
            organization_id=uuid.UUID(self.organization_id) if self.organization_id else None,
            tenant_slug=self.tenant_slug or "",
        )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key(token: str) -> str:
    return f"pharos:session:{_digest(token)}"


def _tenant_index(tenant_id: str) -> str:
    return f"pharos:t:{tenant_id}:sessions"


def _member_index(tenant_id: str, user_id: str) -> str:
    return f"pharos:t:{tenant_id}:u:{user_id}:sessions"


def _with_membership(data: SessionData, membership: MembershipView) -> SessionData:
    return replace(
        data,
        tenant_id=str(membership.tenant_id),
        tenant_slug=membership.tenant_slug,
        tenant_name=membership.tenant_name,
        role=membership.role.value,
        organization_id=str(membership.organization_id) if membership.organization_id else None,
    )


def _store(token: str, data: SessionData) -> None:
    ttl = get_settings().session_ttl_seconds
    pipe = sync_redis().pipeline()
    pipe.set(_key(token), json.dumps(asdict(data)), ex=ttl)
    if data.tenant_id:
        for index in (_tenant_index(data.tenant_id), _member_index(data.tenant_id, data.user_id)):
            pipe.sadd(index, _digest(token))
            pipe.expire(index, ttl)
    pipe.execute()


def _unindex(token: str, data: SessionData) -> None:
    if data.tenant_id:
        pipe = sync_redis().pipeline()
        pipe.srem(_tenant_index(data.tenant_id), _digest(token))
        pipe.srem(_member_index(data.tenant_id, data.user_id), _digest(token))
        pipe.execute()


def login(email: str, password: str, ip: str) -> tuple[str, SessionData, list[MembershipView]]:
    """Verify a password (rate limited per e-mail + IP and per IP) and open a session."""
    email = normalise_email(email)
    verdict = login_limits.check(email, ip)
    if not verdict.allowed:
        raise RateLimited(
            f"too many failed logins; try again in {verdict.retry_after} s", retry_after=verdict.retry_after
        )
    identity: Identity | None = authenticate(email, password)
    try:
        if identity is None:
            raise Unauthenticated("e-mail or password is incorrect")
        opened = open_session(identity)
    except Unauthenticated:
        login_limits.record_failure(email, ip)
        raise
    login_limits.record_success(email, ip)
    return opened


def open_session(
    identity: Identity, *, tenant_id: uuid.UUID | None = None
) -> tuple[str, SessionData, list[MembershipView]]:
    """Open a session for an already verified identity (a password, single sign-on in
    models.core.sign_in, or an accepted invitation). With one membership the tenant is chosen at
    once; with several the user picks one (switch_tenant), unless `tenant_id` names one of them (the
    tenant an OIDC provider signs into, or the tenant whose invitation was just accepted).
    """
    memberships = memberships_of(identity.user_id)
    if not memberships:
        raise Unauthenticated("e-mail or password is incorrect")
    token = secrets.token_urlsafe(32)
    data = SessionData(user_id=str(identity.user_id), email=identity.email, display_name=identity.display_name)
    chosen = [m for m in memberships if m.tenant_id == tenant_id] or (memberships if len(memberships) == 1 else [])
    if chosen:
        data = _with_membership(data, chosen[0])
        record_sign_in(identity.user_id, chosen[0])
    _store(token, data)
    return token, data, memberships


def load(token: str | None) -> SessionData | None:
    if not token:
        return None
    raw = cast("str | None", sync_redis().get(_key(token)))  # the sync client's ResponseT is never an Awaitable
    return SessionData(**json.loads(raw)) if raw else None


def require(token: str | None) -> SessionData:
    data = load(token)
    if data is None:
        raise Unauthenticated("sign in first")
    return data


def switch_tenant(token: str, tenant_id: uuid.UUID | str) -> SessionData:
    """Move a session to another tenant the user belongs to; unknown tenants look absent."""
    data = require(token)
    wanted = str(tenant_id)
    for membership in memberships_of(uuid.UUID(data.user_id)):
        if str(membership.tenant_id) == wanted:
            _unindex(token, data)
            updated = _with_membership(data, membership)
            record_sign_in(uuid.UUID(data.user_id), membership)
            _store(token, updated)
            return updated
    raise NotFound("tenant not found")


def logout(token: str | None) -> None:
    data = load(token)
    if token:
        sync_redis().delete(_key(token))
    if token and data:
        _unindex(token, data)


def revoke_tenant_sessions(tenant_id: uuid.UUID | str) -> int:
    client = sync_redis()
    index = _tenant_index(str(tenant_id))
    digests = cast("set[str]", client.smembers(index))
    if digests:
        client.delete(*[f"pharos:session:{d}" for d in digests])
    client.delete(index)
    return len(digests)


def revoke_member_sessions(tenant_id: uuid.UUID | str, user_id: uuid.UUID | str) -> int:
    """End every session of one member in one tenant now (a deactivation): the next REST call
    answers 401 and the next page event sends the browser to /login. Their sessions in other
    tenants stay."""
    client = sync_redis()
    index = _member_index(str(tenant_id), str(user_id))
    digests = cast("set[str]", client.smembers(index))
    pipe = client.pipeline()
    for digest in digests:
        pipe.delete(f"pharos:session:{digest}")
        pipe.srem(_tenant_index(str(tenant_id)), digest)
    pipe.delete(index)
    pipe.execute()
    return len(digests)


def set_member_role(tenant_id: uuid.UUID | str, user_id: uuid.UUID | str, role: str) -> int:
    """Carry a role change into the member's live sessions in that tenant (their TTL unchanged),
    so a demoted member loses the old role's permissions at the next request or event."""
    client = sync_redis()
    changed = 0
    for digest in cast("set[str]", client.smembers(_member_index(str(tenant_id), str(user_id)))):
        key = f"pharos:session:{digest}"
        raw = cast("str | None", client.get(key))
        if raw is None:
            continue
        data = json.loads(raw)
        if data.get("tenant_id") == str(tenant_id):
            data["role"] = role
            client.set(key, json.dumps(data), keepttl=True, xx=True)
            changed += 1
    return changed
