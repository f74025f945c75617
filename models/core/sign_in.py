"""Single sign-on (OpenID Connect, authorization code + PKCE): start and finish.

`start` makes a fresh state, nonce, PKCE verifier and browser binding, keeps them in Redis under the
state's SHA-256 for STATE_TTL seconds, and returns the provider's authorization URL plus the binding
the browser must carry back as a cookie. `finish` takes the state back exactly once (GETDEL), checks
the binding, exchanges the code, verifies the ID token (models.core.oidc_client), spends its nonce
(a second use is refused), maps the verified e-mail to a member (models.core.sign_in_members) and
opens our normal session. Every refusal is a SignInRefused; those after the state was found are
also audited in the provider's tenant.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from typing import cast

from authlib.common.security import generate_token

from engine.sign_in import SignInRefused
from models.core import sessions
from models.core.oidc_client import LEEWAY_SECONDS, authorization_url, exchange_code, verify_id_token
from models.core.redis_client import sync_redis
from models.core.sign_in_config import ProviderConfig, provider
from models.core.sign_in_members import member_identity, record_refusal

STATE_TTL = 600
BINDING_COOKIE = "pharos_sso"
log = logging.getLogger("pharos.sign_in")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _state_key(state: str) -> str:
    return f"pharos:sso:state:{_digest(state)}"


def _nonce_key(nonce: str) -> str:
    return f"pharos:sso:nonce:{_digest(nonce)}"


@dataclass(frozen=True)
class Pending:
    """What the callback needs from the start; only its digest of the binding is stored."""

    provider_id: str
    nonce: str
    verifier: str
    binding_digest: str
    redirect_uri: str
    next_path: str


@dataclass(frozen=True)
class Started:
    url: str
    binding: str


@dataclass(frozen=True)
class SignedIn:
    token: str
    data: sessions.SessionData
    next_path: str


def start(provider_id: str, redirect_uri: str, next_path: str) -> Started:
    """The provider's authorization URL for a new attempt, and the browser binding to set."""
    chosen = provider(provider_id)
    state, nonce, verifier, binding = generate_token(32), generate_token(32), generate_token(64), generate_token(32)
    url = authorization_url(chosen, redirect_uri, state=state, nonce=nonce, verifier=verifier)
    pending = Pending(chosen.id, nonce, verifier, _digest(binding), redirect_uri, next_path)
    sync_redis().set(_state_key(state), json.dumps(asdict(pending)), ex=STATE_TTL)
    return Started(url, binding)


def _take(state: str, binding: str | None) -> Pending:
    """The attempt behind `state`, removed as it is read: a second callback finds nothing."""
    if not state or len(state) > 200:
        raise SignInRefused("bad_state", "no state")
    raw = cast("str | None", sync_redis().getdel(_state_key(state)))
    if raw is None:
        raise SignInRefused("bad_state", "unknown, expired or used state")
    pending = Pending(**json.loads(raw))
    if not binding or _digest(binding) != pending.binding_digest:
        raise SignInRefused("bad_state", "the state was started in another browser")
    return pending


def _spend_nonce(claims: dict) -> None:
    """A nonce opens one session only; the key lives as long as the token could still be accepted."""
    ttl = max(60, int(claims.get("exp", 0) - time.time()) + LEEWAY_SECONDS)
    if not sync_redis().set(_nonce_key(str(claims.get("nonce"))), "1", nx=True, ex=ttl):
        raise SignInRefused("replayed", "nonce already used")


def finish(*, state: str, code: str | None, error: str | None, binding: str | None) -> SignedIn:
    """Our session for the provider's answer, or SignInRefused."""
    try:
        pending = _take(state, binding)
    except SignInRefused as refused:
        log.info("single sign-on refused", extra={"code": refused.code, "detail": refused.detail})
        raise
    chosen = provider(pending.provider_id)
    email: str | None = None
    try:
        if error or not code:
            raise SignInRefused("provider_denied", f"provider answered error={error!r}"[:200])
        token = exchange_code(chosen, pending.redirect_uri, code=code, verifier=pending.verifier)
        claims = verify_id_token(chosen, token, nonce=pending.nonce)
        email = claims.get("email") if isinstance(claims.get("email"), str) else None
        _spend_nonce(claims)
        identity = member_identity(chosen, claims)
        session_token, data, _ = sessions.open_session(identity, tenant_id=chosen.tenant_id)
    except SignInRefused as refused:
        _audit(chosen, refused, email)
        raise
    return SignedIn(session_token, data, pending.next_path)


def _audit(chosen: ProviderConfig, refused: SignInRefused, email: str | None) -> None:
    if refused.code == "provider_denied" and email is None:
        log.info("single sign-on refused", extra={"code": refused.code, "provider": chosen.id})
        return  # the person cancelled at the provider: nothing about them is known
    record_refusal(chosen, refused, email)
