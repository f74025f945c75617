"""Secrets the product must be able to read back (a webhook endpoint's signing secret: HMAC needs
the secret itself, a hash would not do) are stored encrypted: AES-256-GCM, the row's tenant and id
as associated data (a ciphertext copied onto another row does not open), a fresh nonce each time.

The key is PHAROS_SECRET_KEY (any string; its SHA-256 is the AES key), or, when it is empty, 32
random bytes in `<PHAROS_DATA_DIR>/secret.key`, made on first use (mode 0600) — every process of one
`pharos up` shares the data dir. A deployment on several hosts sets PHAROS_SECRET_KEY. Losing the
key makes the secrets unreadable: deliveries then fail with a message saying so, and rotating each
endpoint's secret recovers.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.core.settings import secret_key_setting

VERSION = "v1"
_lock = threading.Lock()
_keys: dict[tuple[str, str], bytes] = {}


class SecretUnreadable(Exception):
    """The stored secret does not open with this key (PHAROS_SECRET_KEY changed?)."""


def _key() -> bytes:
    configured, data_dir = secret_key_setting()
    cache_key = (configured, data_dir)
    with _lock:
        if cache_key not in _keys:
            if configured:
                _keys[cache_key] = hashlib.sha256(configured.encode()).digest()
            else:
                _keys[cache_key] = _file_key(Path(data_dir) / "secret.key")
        return _keys[cache_key]


def _file_key(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raw = path.read_bytes()
        if len(raw) != 32:
            raise RuntimeError(f"{path} must hold 32 bytes (delete it only if no secret was stored with it)") from None
        return raw
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


def seal(plain: str, context: str) -> str:
    """`plain` encrypted for the row named by `context` (e.g. "<tenant>:<endpoint>:current")."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key()).encrypt(nonce, plain.encode(), context.encode())
    return f"{VERSION}:" + base64.b64encode(nonce + sealed).decode()


def open_sealed(token: str, context: str) -> str:
    """The plain text of `seal(plain, context)`, or SecretUnreadable."""
    version, _, data = token.partition(":")
    if version != VERSION:
        raise SecretUnreadable(f"unknown secret format {version!r}")
    raw = base64.b64decode(data)
    try:
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except InvalidTag:
        raise SecretUnreadable(
            "the stored secret does not open with this key (was PHAROS_SECRET_KEY changed?)"
        ) from None


def derive(label: str) -> bytes:
    """32 bytes derived from the key for `label` (HMAC-SHA256): a value the product can compute
    again whenever it needs it, so it is never stored (an invitation e-mail's link token)."""
    import hmac

    return hmac.new(_key(), label.encode(), hashlib.sha256).digest()
