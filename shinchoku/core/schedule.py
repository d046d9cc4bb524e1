"""Timing rules of the background work, in plain Python (no Django).

- when the daily jobs are due, given the local time, the configured HH:MM and the last day run;
- the progress bar's estimate from the time taken by the last job of the same kind;
- when a running job is considered stalled;
- reading a worker id ("host:pid").
"""

from __future__ import annotations

from datetime import date, datetime, time

DEFAULT_EXPECTED = 4.0  # seconds, until a job of the same plan and kind has been timed
STALL_SECONDS = 300.0  # a job running longer than max(this, STALL_FACTOR × expected) has stalled
STALL_FACTOR = 10
BAR_MAX_UNTIL_DONE = 95  # the bar never shows 100% before the job is done


def parse_hhmm(text: str) -> time:
    """'08:00' → time(8, 0); raises ValueError with the text when it is not HH:MM."""
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a time of day (HH:MM): {text!r}")
    hour, minute = int(parts[0]), int(parts[1])
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"not a time of day (HH:MM): {text!r}")
    return time(hour, minute)


def daily_run_due(now_local: datetime, at: time, last_day: date | None) -> bool:
    """Whether today's daily run is due: the time of day has come and today has not run yet.

    A worker that was stopped at the time runs the day's jobs when it comes back the same day;
    a day missed entirely is not caught up (each job works on the day it is given).
    """
    today = now_local.date()
    if last_day is not None and last_day >= today:
        return False
    return now_local.time().replace(tzinfo=None) >= at


def estimate_percent(elapsed: float, expected: float, done: bool = False) -> int:
    """The progress bar's value: elapsed over the expected time, held below 100 until done."""
    if done:
        return 100
    if elapsed <= 0:
        return 0
    return min(BAR_MAX_UNTIL_DONE, int(100 * elapsed / max(expected, 0.5)))


def stall_limit(expected: float | None) -> float:
    """Seconds after which a running job has stalled: max(300 s, 10 × the expected time)."""
    return max(STALL_SECONDS, STALL_FACTOR * (expected or DEFAULT_EXPECTED))


def parse_worker_id(worker_id: str) -> tuple[str, int] | None:
    """'host:1234' → ('host', 1234); None for anything else (a worker id of another form)."""
    host, sep, pid = worker_id.rpartition(":")
    if not sep or not host or not pid.isdigit():
        return None
    return host, int(pid)
