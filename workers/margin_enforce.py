"""The "margin.enforce" job kind: one planned enforcement item (one dealer's notice) per job item.

The work itself is `models.margin.enforcement.process_item`, run in the chunk's transaction, so the
notice (outbox row with its unique key), the dealer's status decision, the alerts' decisions, the
follow-up task, the log row and the item's done mark commit together or not at all.
Params: `batch_id`; optional `item_delay_ms` paces the demo batch so its progress can be watched.
"""

from __future__ import annotations

import time

from engine.jobs import Done, ItemOutcome, Skipped
from models.margin.enforcement import KIND, process_item
from workers.registry import ItemContext, register


@register(KIND)
def enforce_item(ic: ItemContext) -> ItemOutcome:
    delay_ms = int((ic.job.params or {}).get("item_delay_ms", 0))
    if delay_ms > 0:
        time.sleep(min(delay_ms, 10_000) / 1000)
    outcome, result = process_item(ic.session, ic.ctx, ic.item.payload, ic.item.idempotency_key)
    if outcome == "skipped":
        return Skipped(str(result.get("outcome", "skipped")))
    return Done(result)
