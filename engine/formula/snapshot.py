"""Snapshot hash: the fingerprint of exactly what a run computed with.

SHA-256 over canonical JSON (sorted keys, no spaces, decimals as scale-10 text, steps by order) of
the plan's steps, inputs and fund inputs, plus the function catalog version and, when given, the
input data's hash. Two runs with the same hash used the same rules on the same data.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from engine.formula import decimals as dec
from engine.formula.catalog import CATALOG_VERSION
from engine.formula.plan import Plan


def _canonical_decimal(value: Decimal) -> str:
    try:
        return dec.to_text(dec.fix(value))
    except Exception:  # noqa: BLE001 - an unrepresentable value still hashes, as itself
        return str(value)


def canonical_plan(plan: Plan) -> dict:
    return {
        "name": plan.name,
        "version": plan.version,
        "inputs": sorted(({"key": i.key, "dtype": i.dtype} for i in plan.inputs), key=lambda d: d["key"]),
        "fund_inputs": {k: _canonical_decimal(v) for k, v in sorted(plan.fund_inputs.items())},
        "steps": [
            {"order": s.order, "name": s.name, "expr": s.expr, "condition": s.condition}
            for s in sorted(plan.steps, key=lambda s: (s.order, s.name))
        ],
    }


def snapshot_hash(plan: Plan, data_hash: str | None = None, catalog_version: str = CATALOG_VERSION) -> str:
    payload = {"plan": canonical_plan(plan), "catalog_version": catalog_version, "data_hash": data_hash}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
