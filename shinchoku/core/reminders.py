"""Which deadline reminder is due on a day: plain date arithmetic, no Django.

A round has a deadline and reminder days (e.g. 7, 3 and 1 days before it). On a day that is
one of those days before the deadline a "near" reminder is due; on every day after the
deadline a "passed" reminder is due; on other days none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

DEFAULT_REMINDER_DAYS = (7, 3, 1)
MAX_REMINDER_DAY = 365
MAX_REMINDERS = 10


@dataclass(frozen=True)
class Due:
    """A reminder due: kind "near" (days left, ≥ 1) or "passed" (days over, ≥ 1)."""

    kind: str
    days: int


def due(deadline: date, day: date, reminder_days: Iterable[int]) -> Due | None:
    """The reminder due on `day` for a round ending on `deadline`, or None."""
    left = (deadline - day).days
    if left < 0:
        return Due("passed", -left)
    if left > 0 and left in set(reminder_days):
        return Due("near", left)
    return None


class ReminderDaysError(ValueError):
    """The text is not a list of reminder days; `reason` is one of the codes below."""

    def __init__(self, reason: str, value: str = ""):
        super().__init__(reason, value)
        self.reason = reason  # "not_a_number" | "out_of_range" | "too_many"
        self.value = value


def parse_reminder_days(text: str) -> list[int]:
    """Read "7,3,1" (also 、 ， spaces, full-width digits) → [7, 3, 1], largest first, no repeats.

    An empty text is no reminder at all ([]). Each day is 1 … MAX_REMINDER_DAY.
    """
    import unicodedata

    normal = unicodedata.normalize("NFKC", text or "")
    for sep in ("、", "，", ";", " "):
        normal = normal.replace(sep, ",")
    days: set[int] = set()
    for part in normal.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ReminderDaysError("not_a_number", part)
        value = int(part)
        if not 1 <= value <= MAX_REMINDER_DAY:
            raise ReminderDaysError("out_of_range", part)
        days.add(value)
    if len(days) > MAX_REMINDERS:
        raise ReminderDaysError("too_many")
    return sorted(days, reverse=True)


def format_reminder_days(days: Iterable[int]) -> str:
    """[7, 3, 1] → "7,3,1"."""
    return ",".join(str(d) for d in days)
