"""The OpenID Connect relying party, built from authlib's parts (never hand-rolled JOSE):
discovery, the authorization URL with PKCE (S256), the code exchange, and the ID token's checks.

- Discovery (`<issuer>/.well-known/openid-configuration`) and the provider's JWKS are cached per
  issuer for a few minutes; a token signed with a key id we have not seen refetches the JWKS once
  (key rotation).
- The ID token is verified by joserfc (authlib's JOSE) against the JWKS, with only asymmetric
  algorithms the provider announces, then authlib's `CodeIDToken` checks iss, aud, exp, iat, nonce,
  azp and at_hash. Every failure becomes a `SignInRefused` with a code the login page explains.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError, InvalidKeyIdError, JoseError, MissingClaimError
from joserfc.jwk import KeySet

from engine.sign_in import SignInRefused
from models.core.sign_in_config import ProviderConfig

DISCOVERY_PATH = "/.well-known/openid-configuration"
CACHE_SECONDS = 300.0
HTTP_TIMEOUT = httpx.Timeout(5.0)
LEEWAY_SECONDS = 60  # clock skew between us and the provider
SCOPE = "openid email profile"
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


@dataclass
class _Discovered:
    metadata: dict[str, Any]
    jwks: dict[str, Any]
    at: float


_cache: dict[str, _Discovered] = {}
_lock = threading.Lock()


def _get_json(url: str) -> dict[str, Any]:
    try:
        res = httpx.get(url, timeout=HTTP_TIMEOUT, follow_redirects=False)
        res.raise_for_status()
        body = res.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInRefused("provider_unreachable", f"GET {url}: {exc}") from exc
    if not isinstance(body, dict):
        raise SignInRefused("provider_unreachable", f"GET {url}: not a JSON object")
    return body


def _discover(provider: ProviderConfig, *, refresh_keys: bool = False) -> _Discovered:
    with _lock:
        known = _cache.get(provider.issuer)
    if known and time.monotonic() - known.at < CACHE_SECONDS and not refresh_keys:
        return known
    metadata = _get_json(provider.issuer + DISCOVERY_PATH)
    if metadata.get("issuer") != provider.issuer:
        raise SignInRefused("provider_unreachable", f"discovery names issuer {metadata.get('issuer')!r}")
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(field), str):
            raise SignInRefused("provider_unreachable", f"discovery lacks {field}")
    found = _Discovered(metadata, _get_json(metadata["jwks_uri"]), time.monotonic())
    with _lock:
        _cache[provider.issuer] = found
    return found


@contextmanager
def _client(provider: ProviderConfig, metadata: dict[str, Any], redirect_uri: str) -> Iterator[OAuth2Client]:
    """authlib's httpx OAuth 2 client for this provider (PKCE S256, the announced client auth)."""
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if not provider.client_secret:
        method = "none"
    elif "client_secret_basic" in methods:
        method = "client_secret_basic"
    else:
        method = "client_secret_post"
    client = OAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret or None,
        token_endpoint_auth_method=method,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT,
    )
    try:
        yield client
    finally:
        client.close()  # type: ignore[attr-defined]  (authlib subclasses httpx2 or httpx by import-time choice)


def authorization_url(provider: ProviderConfig, redirect_uri: str, *, state: str, nonce: str, verifier: str) -> str:
    found = _discover(provider)
    with _client(provider, found.metadata, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            found.metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    return url


def exchange_code(provider: ProviderConfig, redirect_uri: str, *, code: str, verifier: str) -> dict[str, Any]:
    """The token endpoint's answer for this code and PKCE verifier (client authenticated)."""
    found = _discover(provider)
    try:
        with _client(provider, found.metadata, redirect_uri) as client:
            token = client.fetch_token(
                found.metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=verifier,
            )
    except OAuthError as exc:
        raise SignInRefused("provider_denied", f"token endpoint: {exc.error}") from exc
    except httpx.HTTPError as exc:
        raise SignInRefused("provider_unreachable", f"token endpoint: {exc}") from exc
    if not isinstance(token.get("id_token"), str):
        raise SignInRefused("invalid_token", "the token endpoint returned no id_token")
    return dict(token)


def _decode(id_token: str, jwks: dict[str, Any], algorithms: list[str]):
    return jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=algorithms)  # type: ignore[arg-type]


def verify_id_token(provider: ProviderConfig, token: dict[str, Any], *, nonce: str) -> dict[str, Any]:
    """The ID token's claims once signature, iss, aud, exp, iat and nonce all hold."""
    found = _discover(provider)
    announced = found.metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [a for a in announced if a in ASYMMETRIC]
    if not algorithms:
        raise SignInRefused("invalid_token", f"no asymmetric signing algorithm in {announced}")
    try:
        try:
            decoded = _decode(token["id_token"], found.jwks, algorithms)
        except InvalidKeyIdError:
            decoded = _decode(token["id_token"], _discover(provider, refresh_keys=True).jwks, algorithms)
    except (JoseError, ValueError) as exc:
        raise SignInRefused("invalid_token", f"signature: {exc}") from exc
    options = {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "value": provider.client_id},
    }
    params = {"nonce": nonce, "client_id": provider.client_id, "access_token": token.get("access_token")}
    claims = CodeIDToken(decoded.claims, decoded.header, options, params)
    try:
        claims.validate(leeway=LEEWAY_SECONDS)
    except ExpiredTokenError as exc:
        raise SignInRefused("expired_token", str(exc)) from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        raise SignInRefused(_claim_code(exc), str(exc)) from exc
    return dict(claims)


def _claim_code(exc: JoseError) -> str:
    claim = getattr(exc, "claim", "") or str(exc)
    if "aud" in claim or "azp" in claim:
        return "wrong_audience"
    if "nonce" in claim:
        return "replayed"
    return "invalid_token"
