"""Compensation run metrics (compensation-platform-prd.md §10): run durations by phase, employees
computed, row errors by step, runs failed. Written by the worker (models.comp.runs.runs.compute);
with PROMETHEUS_MULTIPROC_DIR set they reach the web process's /metrics like the job metrics."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300)

RUN_SECONDS = Histogram(
    "pharos_comp_run_seconds",
    "Compensation run time by phase (load, evaluate, persist, total)",
    ["phase"],
    buckets=_BUCKETS,
)
RUN_EMPLOYEES = Counter("pharos_comp_run_employees_total", "Employees computed by compensation runs")
ROW_ERRORS = Counter("pharos_comp_run_row_errors_total", "Employees whose row failed, by the failing step", ["step"])
RUNS_FAILED = Counter("pharos_comp_runs_failed_total", "Compensation runs that could not be computed")
