"""Deterministic ids in bulk: `uuid5_text` equals `str(uuid.uuid5(namespace, name))`, about 2.5×
faster (one SHA-1 and a slice, no UUID object): a scan names every evidence row it stores this way."""

from __future__ import annotations

import hashlib
import uuid

_VARIANT = "89ab"  # RFC 4122 variant bits (10xx) over the digest's own two low bits


def uuid5_text(namespace: uuid.UUID, name: str) -> str:
    h = hashlib.sha1(namespace.bytes + name.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"
