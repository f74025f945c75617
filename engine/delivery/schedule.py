"""The retry schedule of one delivery, and what an answer means.

Attempts go out immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (eight in all,
about 27.6 hours), each delay spread by ±10 % jitter so a receiver that was down is not hit by every
queued message in the same second. A `Retry-After` (seconds or an HTTP date) is honoured: the next
attempt waits at least that long (capped at the schedule's longest step). Only a 2xx is a delivery:
any other answer, a 3xx included (redirects are never followed), is a failure; a 410 Gone disables
the endpoint. After the last attempt the delivery is dead: it waits in the dead-letter list, with
every attempt, until someone replays it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

# seconds before attempt n+1 (index n); the first goes out immediately
RETRY_DELAYS: tuple[int, ...] = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
MAX_ATTEMPTS = len(RETRY_DELAYS)
JITTER = 0.10
MAX_RETRY_AFTER = max(RETRY_DELAYS)


def delay_before(attempt_number: int) -> int:
    """The scheduled delay (no jitter) before attempt `attempt_number` (1-based)."""
    return RETRY_DELAYS[attempt_number - 1]


def jittered(seconds: float, rng: random.Random | None = None) -> float:
    """`seconds` spread by ±JITTER; zero stays zero."""
    if seconds <= 0:
        return 0.0
    return seconds * (rng or random).uniform(1 - JITTER, 1 + JITTER)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date); None when absent or
    unreadable; never negative, never more than MAX_RETRY_AFTER."""
    if not value:
        return None
    value = value.strip()
    seconds: float | None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    return min(max(seconds, 0.0), float(MAX_RETRY_AFTER))


@dataclass(frozen=True)
class Verdict:
    """What to do after one attempt: `delivered`, `retry` (at `next_at`), `dead` (no attempt
    left, or the answer is final), and whether the endpoint is `gone` (410: disable it)."""

    outcome: str
    next_at: datetime | None = None
    gone: bool = False
    why: str = ""


def is_success(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def judge(
    attempt_number: int,
    status: int | None,
    at: datetime,
    *,
    retry_after: float | None = None,
    permanent: bool = False,
    rng: random.Random | None = None,
) -> Verdict:
    """The verdict on attempt `attempt_number` (1-based) that answered `status` (None: no answer —
    refused, timed out, connection error). `permanent`: a failure no retry can fix (a refused
    address, an SMTP 5xx)."""
    if is_success(status):
        return Verdict("delivered")
    if status == 410:
        return Verdict("dead", gone=True, why="the receiver answered 410 Gone: the endpoint is disabled")
    if permanent:
        return Verdict("dead", why="a permanent failure: retrying cannot help")
    if attempt_number >= MAX_ATTEMPTS:
        return Verdict("dead", why=f"no answer in 2xx after {MAX_ATTEMPTS} attempts")
    wait = jittered(delay_before(attempt_number + 1), rng)
    if retry_after is not None:
        wait = max(wait, retry_after)
    return Verdict("retry", next_at=at + timedelta(seconds=wait))


def failure_text(status: int | None, error: str | None) -> str:
    """One line for the delivery log: why an attempt failed."""
    if error:
        return error
    if status is None:
        return "no answer"
    if 300 <= status < 400:
        return f"HTTP {status}: a redirect (redirects are not followed; give the final address)"
    return f"HTTP {status}"
