"""The built-in "sample" job kind: one JobSampleEffect row per item, keyed by the item's
idempotency key. The kill test counts these rows to prove each item ran exactly once.

Params (all optional, for tests): `item_delay_ms` slows each item down; `fail_keys` and
`retry_keys` make those items fail or ask for a retry.
"""

from __future__ import annotations

import time

from engine.jobs import Done, Failed, ItemOutcome, Retry
from models.core import mutations
from models.jobs.tables import JobSampleEffect
from workers.registry import ItemContext, register

KIND = "sample"


@register(KIND)
def sample_item(ic: ItemContext) -> ItemOutcome:
    params = ic.job.params or {}
    key = ic.item.idempotency_key
    if key in (params.get("fail_keys") or ()):
        return Failed(f"sample failure for {key}")
    if key in (params.get("retry_keys") or ()):
        return Retry(f"sample retry for {key}")
    delay_ms = int(params.get("item_delay_ms", 0))
    if delay_ms > 0:
        time.sleep(delay_ms / 1000)
    effect = mutations.create(
        ic.session, ic.ctx, JobSampleEffect(tenant_id=ic.ctx.tenant_id, job_id=ic.job.id, idempotency_key=key)
    )
    return Done({"effect_id": str(effect.id)})
