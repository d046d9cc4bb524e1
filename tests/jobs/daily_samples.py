"""Daily jobs for the tests (settings.SHINCHOKU_DAILY_JOBS points here)."""

from __future__ import annotations

from datetime import date

CALLS: list[tuple[str, date]] = []


def first(day: date) -> None:
    CALLS.append(("first", day))


def broken(day: date) -> None:
    CALLS.append(("broken", day))
    raise RuntimeError("this daily job always fails")


def second(day: date) -> None:
    CALLS.append(("second", day))
