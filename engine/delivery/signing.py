"""Standard Webhooks 1.0 signatures (https://www.standardwebhooks.com/).

A secret is `whsec_` + base64 of 32 random bytes. The signature of one attempt is
`v1,` + base64(HMAC-SHA256(secret bytes, f"{id}.{timestamp}.{body}")), where `timestamp` is the
attempt's whole seconds since the epoch; during a rotation's overlap each secret signs and the
header carries both, space-separated (receivers accept any one that matches).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
MESSAGE_ID_PREFIX = "msg_"


def new_secret() -> str:
    """A fresh endpoint secret, shown to its owner once."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_bytes(secret: str) -> bytes:
    """The key bytes of a `whsec_…` secret."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret[len(SECRET_PREFIX) :])


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """`v1,<base64 signature>` of one attempt."""
    digest = hmac.new(secret_bytes(secret), f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_in_force: Iterable[str], message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header: one signature per secret in force, space-separated."""
    return " ".join(sign(s, message_id, timestamp, body) for s in secrets_in_force)


def headers(secrets_in_force: Iterable[str], message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers (plus the content type) of one attempt."""
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets_in_force, message_id, timestamp, body),
    }
