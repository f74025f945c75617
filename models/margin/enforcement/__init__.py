"""Bulk enforcement: preview, batches (create / start / cancel), the per-item work the worker does,
the batch report and its CSV, and the sent-notices list.

Flow: `preview` (engine.margin.enforcement.preview over the selected alerts) → `create_batch`
(draft batch + insert-only planned items + a log row) → `start_batch` (BATCH_MACHINE start, the
job of kind "margin.enforce" with one job item per planned item, enqueued after commit) → the
worker calls `process_item` per item inside its chunk transaction → the batch is completed when
its last item finishes (or by `reconcile` when the job ended another way).

Idempotency: the job item's key is `item_key(batch, dealer, action)`; the notice row carries
`effect_key(item, "notice")` under a unique (tenant, key) index, the follow-up task id is derived
from `effect_key(item, "task")` and the dealer status decision carries `effect_key(item, "status")`
in its details, so an item redone after a crash can never send a second notice.

The package's parts: `common` (constants, the batch filters), `selection` (which alerts, the preview),
`batches` (lifecycle through the decision path), `chunk` (the worker's set-based chunk and one
item), `reports` (lists, progress, report, CSV, notices). This module re-exports their public names,
so callers write `enforcement.create_batch(...)`.
"""

from __future__ import annotations

from models.margin.enforcement.batches import (
    cancel_batch,
    create_batch,
    get_batch,
    items_of,
    log,
    move_batch,
    notice_text,
    reconcile,
    start_batch,
    task_id_for,
)
from models.margin.enforcement.chunk import EnforceChunk, latest_prices_many, process_item
from models.margin.enforcement.common import (
    ENFORCE,
    ENFORCE_FROM,
    FINISHED_ITEM,
    KIND,
    MAX_ALERTS,
    READ,
    TASK_NAMESPACE,
    WATCHED,
    BatchFilters,
    as_filters,
    system_context,
)
from models.margin.enforcement.reports import (
    CSV_HEADER,
    batch_detail,
    batch_view,
    counts,
    job_of,
    list_batches,
    list_notices,
    outcome_of,
    report,
    report_csv,
    report_csv_text,
)
from models.margin.enforcement.selection import latest_prices, org_sku_names, plan_for, preview, select_alerts

__all__ = [
    "BatchFilters",
    "CSV_HEADER",
    "ENFORCE",
    "ENFORCE_FROM",
    "EnforceChunk",
    "FINISHED_ITEM",
    "KIND",
    "MAX_ALERTS",
    "READ",
    "TASK_NAMESPACE",
    "WATCHED",
    "as_filters",
    "batch_detail",
    "batch_view",
    "cancel_batch",
    "counts",
    "create_batch",
    "get_batch",
    "items_of",
    "job_of",
    "latest_prices",
    "latest_prices_many",
    "list_batches",
    "list_notices",
    "log",
    "move_batch",
    "notice_text",
    "org_sku_names",
    "outcome_of",
    "plan_for",
    "preview",
    "process_item",
    "reconcile",
    "report",
    "report_csv",
    "report_csv_text",
    "select_alerts",
    "start_batch",
    "system_context",
    "task_id_for",
]
