"""A run's snapshot hash (compensation-platform-prd.md §8): SHA-256 over the plan (its steps, the
inputs it reads with their defaults, transforms and rules, and its pool), the function catalog
version and the uploaded inputs (the digest of the stored employee rows). Same plan and same data →
the same hash; a change in any of them → a new one. `components` keeps each part's own digest, so a
re-verification can say which part changed.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from engine.comp.spec import PlanSpec
from engine.formula import decimals as dec
from engine.formula.catalog import CATALOG_VERSION
from engine.formula.snapshot import canonical_plan


def _sha(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_digest(spec: PlanSpec, pool_amount: Decimal | None, pool_currency: str | None) -> str:
    inputs = [
        {
            "key": i.key,
            "dtype": i.dtype,
            "required": i.required,
            "default": i.default,
            "transform": i.transform,
            "rules": i.rules,
        }
        for i in sorted(spec.inputs, key=lambda i: i.key)
    ]
    pool = None if pool_amount is None else {"amount": dec.to_text(dec.fix(pool_amount)), "currency": pool_currency}
    return _sha({"formula": canonical_plan(spec.formula_plan()), "inputs": inputs, "pool": pool})


def snapshot_hash(plan: str, inputs: str, catalog_version: str = CATALOG_VERSION) -> str:
    """`plan`: plan_digest(...); `inputs`: the employee rows' digest (models.comp.runs.store)."""
    return _sha({"plan": plan, "catalog_version": catalog_version, "inputs": inputs})


def components(plan: str, inputs: str, results: str | None, catalog_version: str = CATALOG_VERSION) -> dict[str, Any]:
    return {
        "snapshot_hash": snapshot_hash(plan, inputs, catalog_version),
        "plan_digest": plan,
        "inputs_digest": inputs,
        "results_digest": results,
        "catalog_version": catalog_version,
    }


WHAT = {
    "plan_digest": "the plan (its steps, inputs or pool)",
    "catalog_version": "the function catalog version",
    "inputs_digest": "the employees' inputs",
    "results_digest": "the stored results",
}


def changes(frozen: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between the frozen components and the ones computed now (empty: nothing)."""
    return [WHAT[k] for k in WHAT if frozen.get(k) != now.get(k)]
