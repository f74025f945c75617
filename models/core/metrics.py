"""Prometheus metrics shared by the web and worker processes.

With PROMETHEUS_MULTIPROC_DIR set (as `pharos up` does), every process writes its samples there
and the web process's /metrics aggregates them, so job durations measured in workers appear on
the one port.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

REQUEST_LATENCY = Histogram(
    "pharos_http_request_seconds",
    "HTTP request latency by route template and status class",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOB_DURATION = Histogram(
    "pharos_job_seconds",
    "Wall time of a job run from claim to finish, by job kind and outcome",
    ["kind", "outcome"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
)
JOB_ITEMS = Counter("pharos_job_items_total", "Job items finished, by kind and outcome", ["kind", "outcome"])
QUEUE_DEPTH = Gauge(
    "pharos_job_queue_depth", "Jobs waiting in the arq queue (sampled at scrape time)", multiprocess_mode="livemax"
)


def render_latest() -> bytes:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        return generate_latest(registry)
    return generate_latest()
