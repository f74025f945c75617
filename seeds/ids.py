"""Deterministic ids for demo data (uuid5 of one namespace and a natural key) so deep links work."""

from __future__ import annotations

import uuid

PHAROS_NAMESPACE = uuid.UUID("6f1c1d3e-5b7a-4c55-9a52-2d0f6c1e9b11")


def demo_id(kind: str, natural_key: str) -> uuid.UUID:
    return uuid.uuid5(PHAROS_NAMESPACE, f"{kind}:{natural_key}")
