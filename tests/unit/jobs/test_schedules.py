"""The schedules registry the workers' cron runs: every schedule gets `now`, in name order, and one
that fails does not stop the others."""

from __future__ import annotations

from datetime import UTC, datetime

from models.jobs import schedules


def test_run_due_calls_every_schedule_with_now_and_survives_a_failure():
    now = datetime(2030, 1, 1, 12, 5, tzinfo=UTC)
    seen: list[tuple[str, datetime]] = []

    def ok(at: datetime) -> int:
        seen.append(("test.ok", at))
        return 2

    def broken(at: datetime) -> int:
        seen.append(("test.broken", at))
        raise RuntimeError("database away")

    schedules.register_schedule(schedules.Schedule("test.ok", ok))
    schedules.register_schedule(schedules.Schedule("test.broken", broken))
    queued = schedules.run_due(now)
    assert queued["test.ok"] == 2 and queued["test.broken"] == 0
    assert [s for s in seen if s[0].startswith("test.")] == [("test.broken", now), ("test.ok", now)]
