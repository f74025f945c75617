"""Periodic work a module asks the workers to do (e.g. margin detection per tenant schedule).

A module registers a `Schedule` from its kinds module (loaded by every worker); the worker's arq
cron calls `run_due(now)` every few minutes. A schedule only *queues* jobs for what is due at
`now` (the work itself runs on the job path), and must be safe to call twice for one `now`: arq
runs a cron once per tick across workers, but a slow tick and the next may overlap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

log = logging.getLogger("pharos.schedules")


@dataclass(frozen=True)
class Schedule:
    name: str
    run: Callable[[datetime], int]  # queue what is due at `now`; returns how many jobs were queued


_SCHEDULES: dict[str, Schedule] = {}


def register_schedule(schedule: Schedule) -> Schedule:
    _SCHEDULES[schedule.name] = schedule
    return schedule


def schedules() -> list[Schedule]:
    return [_SCHEDULES[name] for name in sorted(_SCHEDULES)]


def run_due(now: datetime) -> dict[str, int]:
    """Every registered schedule at `now`; one failing schedule does not stop the others."""
    queued: dict[str, int] = {}
    for schedule in schedules():
        try:
            queued[schedule.name] = schedule.run(now)
        except Exception:
            log.exception("schedule %s failed at %s", schedule.name, now.isoformat())
            queued[schedule.name] = 0
    return queued
