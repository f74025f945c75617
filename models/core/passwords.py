"""Password hashing with Argon2id (pwdlib's recommended settings)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash

MIN_PASSWORD_LENGTH = 8


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant work whether or not the user exists, so timing does not reveal accounts."""
    if not password_hash:
        _hasher().verify(password, _dummy_hash())
        return False
    try:
        return _hasher().verify(password, password_hash)
    except Exception:  # malformed stored hash: treat as a failed login, never a crash
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("pharos-timing-equalizer")
