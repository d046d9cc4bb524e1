"""What a user has to do, in order: days left before a deadline, lateness, urgency, readiness.

Plain Python for the to-do page (shinchoku/todo): sheet statuses are the strings the rounds
store ("not_started", "draft", "returned", "submitted", "approved"); nothing here knows Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import TypeVar

T = TypeVar("T")

NOT_STARTED = "not_started"
DRAFT = "draft"
RETURNED = "returned"
SUBMITTED = "submitted"
APPROVED = "approved"
# A sheet with one of these statuses still waits for its department.
TO_DO = (NOT_STARTED, DRAFT, RETURNED)
# Handed in: the department has nothing more to do unless it is returned.
HANDED_IN = (SUBMITTED, APPROVED)
# How a round's progress is counted and drawn, in this order.
PROGRESS_ORDER = (APPROVED, SUBMITTED, DRAFT, RETURNED, NOT_STARTED)
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Deadline:
    """A deadline seen from one day: days left (negative when passed)."""

    day: date
    today: date

    @property
    def days_left(self) -> int:
        """Whole days from today to the deadline; 0 on the day itself."""
        return (self.day - self.today).days

    @property
    def late(self) -> bool:
        """The deadline has passed: the day after it, not on it."""
        return self.days_left < 0

    @property
    def days_over(self) -> int:
        """Days since the deadline passed (0 when not late)."""
        return max(0, -self.days_left)

    @property
    def due_today(self) -> bool:
        return self.days_left == 0

    @property
    def due_soon(self) -> bool:
        return 0 <= self.days_left <= DUE_SOON_DAYS


class Urgency(IntEnum):
    """Most urgent first: a returned sheet, then late, due soon, open, handed in."""

    RETURNED = 0
    LATE = 1
    DUE_SOON = 2
    OPEN = 3
    DONE = 4


def urgency(status: str, deadline: date, today: date) -> Urgency:
    """How urgent a sheet is for its department."""
    if status in HANDED_IN:
        return Urgency.DONE
    if status == RETURNED:
        return Urgency.RETURNED
    d = Deadline(deadline, today)
    if d.late:
        return Urgency.LATE
    if d.due_soon:
        return Urgency.DUE_SOON
    return Urgency.OPEN


def is_late(status: str, deadline: date, today: date) -> bool:
    """A sheet not handed in after its deadline."""
    return status not in HANDED_IN and Deadline(deadline, today).late


def by_urgency(
    items: Iterable[T], key: Callable[[T], tuple[str, date, str]], today: date
) -> list[T]:
    """Most urgent first, then the nearest deadline, then the name.

    key gives (status, deadline, name) of an item.
    """

    def order(item: T) -> tuple[int, date, str]:
        status, deadline, name = key(item)
        return (urgency(status, deadline, today), deadline, name)

    return sorted(items, key=order)


def split_done(items: Iterable[T], status: Callable[[T], str]) -> tuple[list[T], list[T]]:
    """(still to do, handed in), each keeping the order it was given."""
    todo: list[T] = []
    done: list[T] = []
    for item in items:
        (done if status(item) in HANDED_IN else todo).append(item)
    return todo, done


@dataclass(frozen=True)
class Segment:
    status: str
    count: int
    percent: float  # share of the bar, 0–100


def progress(counts: Mapping[str, int]) -> list[Segment]:
    """A round's sheets by status in PROGRESS_ORDER, with each share of the total (no zeros)."""
    total = sum(counts.get(s, 0) for s in PROGRESS_ORDER)
    if not total:
        return []
    return [
        Segment(s, counts[s], round(100 * counts[s] / total, 1))
        for s in PROGRESS_ORDER
        if counts.get(s, 0)
    ]


def report_ready(*, closed: bool, sheets: int, approved: int) -> bool:
    """A round's committee report is worth reading: closed or complete, with approved sheets.

    The report reads only approved sheets, so a round without one has nothing to read; an open
    round is ready once every sheet is approved. (A published round is closed.)
    """
    if approved == 0:
        return False
    return closed or approved >= sheets
