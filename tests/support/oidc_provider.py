"""A small, real OpenID Connect provider for tests: a Starlette app served by uvicorn on 127.0.0.1
in a thread. It serves discovery, its JWKS, /authorize (approves the configured user at once and
redirects back with code and state) and /token (authenticates the client, checks the PKCE verifier
against the S256 challenge, answers with an RS256 ID token signed by joserfc).

A test makes it misbehave by naming faults (`provider.faults = {"wrong_audience"}`):
- `wrong_audience`: the ID token is for another client id;
- `expired`: issued and expired an hour ago;
- `unverified`: `email_verified` is false;
- `replay_nonce`: the ID token carries the nonce of the previous authorization (a replayed token);
- `foreign_key`: signed by a key that is not in the JWKS (same key id);
- `deny`: /authorize answers `error=access_denied`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

FAULTS = frozenset({"wrong_audience", "expired", "unverified", "replay_nonce", "foreign_key", "deny"})


@dataclass
class ProviderUser:
    email: str
    email_verified: bool = True
    name: str = "Test Person"
    sub: str = field(default_factory=lambda: secrets.token_hex(8))


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str
    user: ProviderUser


class LocalOidcProvider:
    """`with LocalOidcProvider(client_id, secret) as provider:` serves on `provider.issuer`."""

    def __init__(self, client_id: str = "pharos-test", client_secret: str = "s3cret-test") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.user = ProviderUser(email="nobody@example.test")
        self.faults: set[str] = set()
        self.token_calls: list[dict[str, Any]] = []  # what /token saw: client auth method, PKCE verdict
        self._key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self._foreign = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self._grants: dict[str, _Grant] = {}
        self._last_nonce = ""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.issuer = f"http://127.0.0.1:{self.port}"
        app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/jwks", self._jwks),
                Route("/authorize", self._authorize),
                Route("/token", self._token, methods=["POST"]),
            ]
        )
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def settings_body(self, name: str, **extra: Any) -> dict[str, Any]:
        """The body of `POST /api/settings/sso` that registers this provider with a tenant."""
        return {
            "name": name,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            **extra,
        }

    def reset(self, user: ProviderUser, *faults: str) -> None:
        unknown = set(faults) - FAULTS
        assert not unknown, f"unknown faults {unknown}"
        self.user = user
        self.faults = set(faults)
        self.token_calls.clear()

    # ---- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> LocalOidcProvider:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the test OIDC provider did not start"
            assert self._thread.is_alive(), "the test OIDC provider stopped while starting"
            time.sleep(0.01)  # polling for readiness, not evidence of anything
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    # ---- endpoints --------------------------------------------------------------------------

    async def _discovery(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "email", "profile"],
            }
        )

    async def _jwks(self, request: Request) -> JSONResponse:
        return JSONResponse(KeySet([self._key]).as_dict(private=False))

    async def _authorize(self, request: Request) -> Any:
        q = request.query_params
        problems = [
            name
            for name, ok in (
                ("response_type", q.get("response_type") == "code"),
                ("client_id", q.get("client_id") == self.client_id),
                ("code_challenge_method", q.get("code_challenge_method") == "S256"),
                ("code_challenge", bool(q.get("code_challenge"))),
                ("scope", "openid" in (q.get("scope") or "").split()),
                ("nonce", bool(q.get("nonce"))),
                ("state", bool(q.get("state"))),
            )
            if not ok
        ]
        if problems:
            return JSONResponse({"error": "invalid_request", "bad": problems}, status_code=400)
        back = {"state": q["state"]}
        if "deny" in self.faults:
            back["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(24)
            self._grants[code] = _Grant(self.client_id, q["redirect_uri"], q["nonce"], q["code_challenge"], self.user)
            back["code"] = code
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode(back)}", status_code=302)

    def _client_auth(self, request: Request, form: Any) -> str | None:
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            ok = client_id == self.client_id and secret == self.client_secret
            return "client_secret_basic" if ok else None
        ok = form.get("client_id") == self.client_id and form.get("client_secret") == self.client_secret
        return "client_secret_post" if ok else None

    async def _token(self, request: Request) -> JSONResponse:
        form = await request.form()
        method = self._client_auth(request, form)
        grant = self._grants.pop(str(form.get("code", "")), None)  # a code works once
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        pkce_ok = grant is not None and bool(verifier) and challenge == grant.challenge
        self.token_calls.append({"client_auth": method, "pkce_ok": pkce_ok})
        if method is None:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if grant is None or not pkce_ok or form.get("redirect_uri") != grant.redirect_uri:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        access_token = secrets.token_urlsafe(24)
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(grant),
            }
        )

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        issued = now - 3600 if "expired" in self.faults else now
        nonce = self._last_nonce if "replay_nonce" in self.faults and self._last_nonce else grant.nonce
        self._last_nonce = grant.nonce
        claims = {
            "iss": self.issuer,
            "sub": grant.user.sub,
            "aud": "someone-else" if "wrong_audience" in self.faults else grant.client_id,
            "iat": issued,
            "exp": issued + 300,
            "nonce": nonce,
            "email": grant.user.email,
            "email_verified": grant.user.email_verified and "unverified" not in self.faults,
            "name": grant.user.name,
        }
        key = self._foreign if "foreign_key" in self.faults else self._key
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)
