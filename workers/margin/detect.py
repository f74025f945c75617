"""The "margin.detect" job kind: one item = one breach scan of the job's tenant.

The scan runs in the item's transaction (models.margin.detection.run_detection), so the alerts,
their evidence and the audit events commit together with the item's done mark; a killed worker
redoes the scan, and dedupe makes that harmless (no duplicate alert, no duplicate evidence).
"""

from __future__ import annotations

from engine.jobs import Done, ItemOutcome
from models.margin.detection import KIND, detection_params, run_detection
from workers.registry import ItemContext, register


@register(KIND)
def detect_item(ic: ItemContext) -> ItemOutcome:
    kwargs = detection_params({**(ic.job.params or {}), **(ic.item.payload or {})})
    summary = run_detection(ic.session, ic.ctx, job_id=ic.job.id, **kwargs)
    return Done(summary)
